// Identifiers that are different but upper-case to one constant: an error, never a
// constant silently left out. The compiler normalises identifiers (NFC), so `ΐ`, which
// upper-cases to `Ϊ́` spelt with two combining marks, becomes the same constant as `Ϊ́`.
telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent ΐ { name: "iota-1" }
        agent Ϊ́ { name: "iota-2" }
        agent straße { name: "street-1" }
        agent strasse { name: "street-2" }

        team crew { members: [ΐ] }
        team Crew { name: "crew-2", members: [strasse] }
    }
}

fn main() {}

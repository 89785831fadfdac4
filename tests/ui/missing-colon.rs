// A field without its `:` is reported once, and read as if the colon were there: no
// follow-on errors (a docker agent whose `runtime` lacks its colon is still docker).
telemachy::workflow! {
    pub workflow audit {
        name "audit",

        agent boxed {
            runtime docker,
            image: "alpine:3",
            cpus 2,
        }
        agent local { model "claude-opus-4-5" }

        team crew {
            members [boxed, local],

            task analyse { subject: "X", assignee boxed }
        }
    }
}

fn main() {}

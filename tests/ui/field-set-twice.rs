telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {
            model: "claude-opus-4-5",
            model: "claude-sonnet-4-5",
        }
    }
}

fn main() {}

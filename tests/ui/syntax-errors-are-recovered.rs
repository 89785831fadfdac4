// A syntax error in one entry does not hide the mistakes after it.
telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {
            model "claude-opus-4-5",
            program: "claude-code",
        }
        agent 42 {}

        team audit_team {
            members: [architect, implementer],
        }
    }
}

fn main() {}

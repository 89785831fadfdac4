telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [],
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect { name: "lead\narchitect" }
        agent café {}

        team audit_team {
            name: "",
            members: [architect, café],
        }
    }
}

fn main() {}

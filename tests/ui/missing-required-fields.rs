telemachy::workflow! {
    pub workflow audit {
        teardown: never,

        agent architect {}

        team audit_team {
            task analyse {
                description: "Explore the repository.",
            }
        }
    }
}

fn main() {}

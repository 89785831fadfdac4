telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}
        agent implementer {}

        team audit_team {
            members: [architect, implementer],

            task refactor {
                subject: "Refactor",
                assignee: implementor,
            }
        }
    }
}

fn main() {}

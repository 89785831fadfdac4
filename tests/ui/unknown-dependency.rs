telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse",
                assignee: architect,
            }
            task refactor {
                subject: "Refactor",
                assignee: architect,
                after: [analyze],
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [architect, architect],

            task analyse {
                subject: "Analyse",
                assignee: architect,
            }
            task refactor {
                subject: "Refactor",
                assignee: architect,
                after: [analyse, audit_team.analyse],
            }
        }
    }
}

fn main() {}

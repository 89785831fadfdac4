telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse repository structure",
                assignee: architect,
            }
            task analyse_again {
                subject: "Analyse repository structure",
                assignee: architect,
            }
        }

        team other_team {
            members: [architect],

            task analyse {
                subject: "Analyse repository structure",
                assignee: architect,
            }
        }
    }
}

fn main() {}

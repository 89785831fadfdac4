telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse",
                assignee: architect,
                after: [test],
            }
            task refactor {
                subject: "Refactor",
                assignee: architect,
                after: [analyse],
            }
            task test {
                subject: "Test",
                assignee: architect,
                after: [refactor],
            }
            task report {
                subject: "Report",
                assignee: architect,
                after: [test],
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse",
                assignee: architect,
                after: [analyse],
            }
            task review {
                subject: "Review",
                assignee: architect,
                after: [audit_team.review],
            }
        }
    }
}

fn main() {}

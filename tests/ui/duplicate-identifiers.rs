telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}
        agent architect { model: "claude-opus-4-5" }

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse",
                assignee: architect,
            }
            task analyse {
                subject: "Analyse again",
                assignee: architect,
            }
        }

        team audit_team {
            members: [architect],
        }
    }
}

fn main() {}

// The Python tool's `blocked_by` named tasks by subject; `after` names them by identifier.
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
            task refactor {
                subject: "Refactor highest-priority module",
                assignee: architect,
                after: ["Analyse repository structure"],
            }
        }
    }
}

fn main() {}

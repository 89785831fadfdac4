telemachy::workflow! {
    /// Audit a codebase.
    pub workflow codebase_audit {
        name: "codebase-audit",

        agent architect {}
        agent implementer {}

        team audit_team {
            members: [architect, implementor],

            task analyse {
                subject: "Analyse repository structure",
                assignee: architect,
            }
        }
    }
}

fn main() {}

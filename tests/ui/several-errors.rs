// One expansion reports every mistake it finds, each at its own token.
telemachy::workflow! {
    /// Audit a codebase, refactor the worst module, test it.
    pub workflow codebase_audit {
        name: "codebase-audit",
        teardown: on_sucess,

        agent architect { model: "claude-opus-4-5", working_dir: "/workspace/audit" }
        agent implementer { model: "claude-sonnet-4-5" }
        agent scout { runtime: docker, cpus: 0 }

        team audit_team {
            name: "audit-team",
            members: [architect, implementor],

            task analyse {
                subject: "Analyse repository structure",
                assignee: architect,
                after: [test],
            }
            task refactor {
                subject: "Refactor highest-priority module",
                assignee: implementer,
                after: [analyse],
            }
            task test {
                subject: "Write unit tests for refactored module",
                assignee: implementer,
                after: [refactor, analyze],
            }
        }
    }
}

fn main() {}

// The workflow `codebase-audit`, as `workflow!` source: `cargo check` checks it, and
// its binary runs it with the command line every workflow binary has.

telemachy::workflow! {
    /// Audit a Python codebase: one agent researches the architecture and produces a findings report; a second agent implements recommended improvements based on that report; a third agent writes tests for the new code.
    pub workflow codebase_audit {
        name: "codebase-audit",
        teardown: on_completion,

        agent architect {
            model: "claude-opus-4-5",
            working_dir: "/workspace/audit",
        }

        agent implementer {
            model: "claude-sonnet-4-5",
            working_dir: "/workspace/audit",
        }

        team audit_team {
            name: "audit-team",
            members: [architect, implementer],

            task analyse_repository_structure {
                subject: "Analyse repository structure",
                description: "Explore the repository at /workspace/audit. Identify the \
                    main modules, their responsibilities, and any obvious architectural \
                    concerns (tight coupling, missing abstractions, lack of tests). Write \
                    a detailed findings report to /workspace/audit/FINDINGS.md.\n",
                assignee: architect,
            }

            task refactor_highest_priority_module {
                subject: "Refactor highest-priority module",
                description: "Read FINDINGS.md. Select the module with the highest refactoring \
                    priority. Apply the recommended improvements: introduce proper abstractions, \
                    add type hints, and document public APIs. Commit the changes with \
                    a clear message.\n",
                assignee: implementer,
                after: [analyse_repository_structure],
            }

            task write_unit_tests_for_refactored_module {
                subject: "Write unit tests for refactored module",
                description: "Read FINDINGS.md to identify which module was refactored. \
                    Write a comprehensive pytest test suite covering the public API of \
                    that module. Aim for at least 80% branch coverage. Place tests under \
                    tests/.\n",
                assignee: implementer,
                after: [refactor_highest_priority_module],
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    codebase_audit::main()
}

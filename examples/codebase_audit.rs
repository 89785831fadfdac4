//! One agent studies a codebase and writes findings; a second refactors the worst module
//! and writes tests for it.
//!
//! A port of the Python tool's `example.yaml` (workflow `codebase-audit`), with the same
//! names, so the same keys. `main` is the command line every
//! workflow binary gets; with no `AGAMEMNON_URL` it runs on the embedded simulator:
//!
//! ```sh
//! cargo run --example codebase_audit             # run it
//! cargo run --example codebase_audit -- plan     # what it would create, with keys
//! cargo run --example codebase_audit -- --help
//! ```

telemachy::workflow! {
    /// Audit a Python codebase: one agent researches the architecture and produces a
    /// findings report; a second agent implements recommended improvements based on that
    /// report; a third agent writes tests for the new code.
    pub workflow codebase_audit {
        name: "codebase-audit",
        teardown: on_completion,

        agent architect {
            program: "claude-code",
            model: "claude-opus-4-5",
            working_dir: "/workspace/audit",
            runtime: local,
        }

        agent implementer {
            program: "claude-code",
            model: "claude-sonnet-4-5",
            working_dir: "/workspace/audit",
            runtime: local,
        }

        team audit_team {
            name: "audit-team",
            members: [architect, implementer],

            task analyse {
                subject: "Analyse repository structure",
                description: "Explore the repository at /workspace/audit. Identify the main \
                    modules, their responsibilities, and any obvious architectural concerns \
                    (tight coupling, missing abstractions, lack of tests). Write a detailed \
                    findings report to /workspace/audit/FINDINGS.md.",
                assignee: architect,
            }

            task refactor {
                subject: "Refactor highest-priority module",
                description: "Read FINDINGS.md. Select the module with the highest \
                    refactoring priority. Apply the recommended improvements: introduce \
                    proper abstractions, add type hints, and document public APIs. Commit \
                    the changes with a clear message.",
                assignee: implementer,
                after: [analyse],
            }

            task write_tests {
                subject: "Write unit tests for refactored module",
                description: "Read FINDINGS.md to identify which module was refactored. \
                    Write a comprehensive pytest test suite covering the public API of that \
                    module. Aim for at least 80% branch coverage. Place tests under tests/.",
                assignee: implementer,
                after: [refactor],
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    codebase_audit::main()
}

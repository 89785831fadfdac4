//! The rules every workflow must meet, however it was written: by `workflow!` (checked while
//! it compiles), loaded from a file, or built in code (checked by `Plan::new` before a run).
//! One set of rules on the model, so every front end accepts and rejects the same workflows
//! with the same messages.
//!
//! What is checked:
//!
//! - **Names** (of the workflow, agents and teams): not empty, no control characters. Any
//!   other character is fine (`scout alpha`, `späher`): the key hashes the name as it is and
//!   writes a sanitised copy after the digest, exactly as the Python tool does.
//! - **Keys**: agents and teams share one key space, so no two of them may have the same name.
//! - **Identifiers**: not empty, unique among agents, among teams, and among a team's tasks.
//! - **Values**: `program`, `model`, `working_dir`, `subject` and `type` not empty when given;
//!   the timeout above 0 and at most [`bounds::TIMEOUT_MAX`]; a docker agent has an image,
//!   CPUs within [`bounds::CPUS_MIN`]..=[`bounds::CPUS_MAX`] and memory written as a size
//!   within [`bounds::MEMORY_MIN`]..=[`bounds::MEMORY_MAX`] bytes.
//! - **Teams**: at least one member, each a declared agent, listed once; every task assigned
//!   to a member; subjects unique within the team (the server tells tasks apart by subject).
//! - **Dependencies**: each names a task that exists, not the task itself, not twice; no
//!   cycles. A cycle through many tasks is shortened to its first and last steps and a count.
//!
//! Every problem is reported at once, each with a [`Path`] to the element at fault. The
//! checks take time linear in the size of the workflow (hash maps, one iterative depth-first
//! search); only a reported problem pays for its "did you mean".
//!
//! ```
//! use telemachy_core::rules::{self, Rule};
//! use telemachy_core::spec::{Agent, Task, Team, Workflow};
//!
//! let mut workflow = Workflow::new("demo");
//! workflow.agents = vec![Agent::new("architect")];
//! let mut team = Team::new("crew", ["architect"]);
//! team.tasks = vec![Task::new("review", "Review", "architcet")];
//! workflow.teams = vec![team];
//!
//! let problems = rules::check(&workflow).expect_err("the assignee is misspelt");
//! let problem = problems.iter().next().expect("one problem");
//! assert_eq!(problem.rule, Rule::UnknownAssignee);
//! assert_eq!(problem.path.to_string(), "teams[0].tasks[0].assignee");
//! assert_eq!(
//!     problem.to_string(),
//!     "unknown agent `architcet` assigned to task `review`: did you mean `architect`?"
//! );
//! ```

mod agents;
pub mod bounds;
mod graph;
mod index;
mod names;
mod path;
mod problem;
mod tasks;
mod teams;

pub use path::{Path, Segment, field};
pub use problem::{Problem, Problems, Rule};

use crate::spec::Workflow;
use index::Index;

/// Checks `workflow` against every rule: `Ok`, or every problem found.
pub fn check(workflow: &Workflow) -> Result<(), Problems> {
    Problems::from_vec(problems(workflow))
}

/// Every problem of `workflow`, in the order the rules find them; empty when it is valid.
pub fn problems(workflow: &Workflow) -> Vec<Problem> {
    let mut report = Report::default();
    let index = Index::new(workflow);
    names::check_workflow(&mut report, workflow);
    bounds::check_timeout(&mut report, workflow.timeout);
    agents::check(&mut report, &workflow.agents);
    teams::check_ids(&mut report, &workflow.teams);
    names::check_keys(&mut report, workflow);
    teams::check_members(&mut report, workflow, &index);
    tasks::check(&mut report, &workflow.teams);
    graph::check(&mut report, workflow, &index);
    report.problems
}

/// The problems found so far.
#[derive(Default)]
struct Report {
    problems: Vec<Problem>,
}

impl Report {
    fn push(
        &mut self,
        rule: Rule,
        path: Path,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.problems.push(Problem::new(rule, path, message, hint));
    }
}

/// What a problem is about, as messages name it: "the workflow", "agent `scout`". Written
/// out only when a problem is reported.
#[derive(Clone, Copy)]
struct Owner<'a> {
    /// "agent", "team" or "task"; empty for the workflow itself.
    what: &'static str,
    id: &'a str,
}

impl<'a> Owner<'a> {
    const WORKFLOW: Owner<'static> = Owner { what: "", id: "" };

    fn new(what: &'static str, id: &'a str) -> Self {
        Owner { what, id }
    }

    fn is_workflow(self) -> bool {
        self.what.is_empty()
    }
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_workflow() {
            f.write_str("the workflow")
        } else {
            write!(f, "{} `{}`", self.what, self.id)
        }
    }
}

/// `value` of `key` (`program`, `subject`, ...) may not be empty when given.
fn non_empty(report: &mut Report, value: &str, path: Path, key: &str, owner: Owner) {
    if value.is_empty() {
        report.push(
            Rule::EmptyField,
            path,
            format!("`{key}` of {owner} is empty"),
            "give it a value, or leave it out",
        );
    }
}

#[cfg(test)]
mod tests;

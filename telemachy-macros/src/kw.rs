//! The words of the `workflow!` language: its item keywords and every field name, each list
//! kept once so that parsing, validation and "expected one of" messages agree.

syn::custom_keyword!(workflow);

/// `agent <ident> { ... }`, in the workflow's block.
pub(crate) const AGENT: &str = "agent";
/// `team <ident> { ... }`, in the workflow's block.
pub(crate) const TEAM: &str = "team";
/// `task <ident> { ... }`, in a team's block.
pub(crate) const TASK: &str = "task";
/// Every item keyword, in the order the documentation introduces them.
pub(crate) const ITEMS: &[&str] = &[AGENT, TEAM, TASK];

/// The fields of the workflow itself.
pub(crate) const WORKFLOW_FIELDS: &[&str] = &["name", "teardown", "timeout"];
/// The fields of an agent.
pub(crate) const AGENT_FIELDS: &[&str] = &[
    "name",
    "program",
    "model",
    "working_dir",
    "runtime",
    "image",
    "cpus",
    "memory",
];
/// The fields of a team (its tasks are items, not fields).
pub(crate) const TEAM_FIELDS: &[&str] = &["name", "members"];
/// The fields of a task.
pub(crate) const TASK_FIELDS: &[&str] = &["subject", "description", "assignee", "after", "type"];

/// The teardown policies, as `teardown:` spells them.
pub(crate) const TEARDOWN_POLICIES: &[&str] = &["on_completion", "on_failure", "never"];
/// The runtimes, as `runtime:` spells them.
pub(crate) const RUNTIMES: &[&str] = &["local", "docker"];

/// Field names of the Python tool's workflow files (and other likely guesses) that this
/// language spells differently, with the name to write instead (shared with the loader of
/// workflow files, whose file form uses the same words).
pub(crate) use telemachy_core::suggest::FIELD_ALIASES as ALIASES;

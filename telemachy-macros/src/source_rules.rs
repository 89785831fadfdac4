//! The checks only the source can support, because the model has no place for what they
//! are about: docker fields written on a local agent, and dependencies written as subjects
//! (the constants the identifiers become are checked where they are made, in `expand`).
//! Everything else is the core's rules (`telemachy_core::rules`), which `validate` runs on
//! the lowered model.

use crate::ctxt::Ctxt;
use crate::model::{Agent, Runtime, Spanned, Target, Team, Workflow};

/// Runs every check of this module, reporting into `ctxt`.
pub(crate) fn check(ctxt: &Ctxt, workflow: &Workflow) {
    for agent in &workflow.agents {
        fields_that_do_not_apply(ctxt, agent);
    }
    for team in &workflow.teams {
        dependencies_by_subject(ctxt, workflow, team);
    }
}

/// `image`, `cpus` and `memory` written on an agent that runs locally.
fn fields_that_do_not_apply(ctxt: &Ctxt, agent: &Agent) {
    let given = |key: &str| agent.given.iter().find(|(k, _)| *k == key).map(|(_, i)| i);
    let default = match &agent.runtime {
        Some(Spanned {
            value: Runtime::Docker,
            ..
        }) => return,
        Some(_) => "",
        // `runtime:` is there but unreadable (already reported): its rules cannot apply.
        None if given("runtime").is_some() => return,
        None => " (the default runtime)",
    };
    for key in ["image", "cpus", "memory"] {
        if let Some(ident) = given(key) {
            ctxt.error_spanned_by(
                ident,
                format!(
                    "agent `{}` runs locally{default}, so `{key}` does not apply: add \
                     `runtime: docker`, or remove `{key}`",
                    agent.id
                ),
            );
        }
    }
}

/// `after: ["Subject"]`, as the Python tool's `blocked_by` wrote it: always an error, with
/// the identifier of the task that has this subject when there is one.
fn dependencies_by_subject(ctxt: &Ctxt, workflow: &Workflow, team: &Team) {
    for task in &team.tasks {
        for dependency in &task.after {
            let Target::Subject(lit) = &dependency.target else {
                continue;
            };
            let target_team = match &dependency.team {
                None => Some(team),
                Some(ident) => workflow.teams.iter().find(|t| *ident == t.id),
            };
            let subject = lit.value();
            let found = target_team.and_then(|target| {
                let task = target
                    .tasks
                    .iter()
                    .find(|t| t.subject.as_ref().is_some_and(|s| s.value == subject))?;
                Some(if target.id == team.id {
                    task.id.clone()
                } else {
                    format!("{}.{}", target.id, task.id)
                })
            });
            let hint = match found {
                Some(found) => format!("write `{found}`"),
                None => "write `task` or `team.task`".to_owned(),
            };
            ctxt.error_spanned_by(
                lit,
                format!("`after` names tasks by identifier, not by subject: {hint}"),
            );
        }
    }
}

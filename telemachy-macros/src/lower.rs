//! Lowering: the workflow as read becomes the core's model (`telemachy_core::spec`), the
//! same data `spec()` returns, so that the core's rules can run on it. Every element keeps
//! its position (the `n`-th agent of the source is the `n`-th of the model, and so on), which
//! is how [`Spans`](crate::spans::Spans) finds each element's token again.
//!
//! What could not be read, or is missing, takes the value `spec()` would hold: a default,
//! or an empty stand-in that `Spans` knows to be unread.

use std::time::Duration;

use syn::ext::IdentExt;
use telemachy_core::spec::{self, Text};

use crate::model::{Agent, Runtime, Spanned, Target, Task, Team, Teardown, Workflow};

/// The model of `workflow`.
pub(crate) fn lower(workflow: &Workflow) -> spec::Workflow {
    let name = match &workflow.name {
        Some(name) => owned(name),
        None => Text::Owned(workflow.ident.unraw().to_string()),
    };
    let teardown = match workflow.teardown.as_ref().map(|t| t.value) {
        None | Some(Teardown::OnCompletion) => spec::Teardown::OnCompletion,
        Some(Teardown::OnFailure) => spec::Teardown::OnFailure,
        Some(Teardown::Never) => spec::Teardown::Never,
    };
    spec::Workflow {
        name,
        description: Text::Owned(workflow.description.clone()),
        teardown,
        timeout: workflow
            .timeout
            .as_ref()
            .map(|timeout| Duration::new(timeout.value.secs, timeout.value.nanos)),
        agents: workflow.agents.iter().map(lower_agent).collect(),
        teams: workflow.teams.iter().map(lower_team).collect(),
    }
}

fn lower_agent(agent: &Agent) -> spec::Agent {
    let text = |value: &Option<Spanned<String>>, default: &'static str| {
        value.as_ref().map_or(Text::Borrowed(default), owned)
    };
    let runtime = match agent.runtime.as_ref().map(|r| r.value) {
        Some(Runtime::Docker) => spec::Runtime::Docker(spec::Docker {
            image: text(&agent.image, ""),
            // Beyond `u32` is beyond the rules' range too, which reports it.
            cpus: agent.cpus.as_ref().map_or(spec::DEFAULT_CPUS, |cpus| {
                u32::try_from(cpus.value).unwrap_or(u32::MAX)
            }),
            memory: text(&agent.memory, spec::DEFAULT_MEMORY),
        }),
        _ => spec::Runtime::Local,
    };
    spec::Agent {
        id: Text::Owned(agent.id.clone()),
        name: Text::Owned(agent.server_name().to_owned()),
        program: text(&agent.program, spec::DEFAULT_PROGRAM),
        model: agent.model.as_ref().map(owned),
        working_dir: text(&agent.working_dir, spec::DEFAULT_WORKING_DIR),
        runtime,
    }
}

fn lower_team(team: &Team) -> spec::Team {
    spec::Team {
        id: Text::Owned(team.id.clone()),
        name: Text::Owned(team.server_name().to_owned()),
        agents: team.members.as_ref().map_or_else(Vec::new, |members| {
            members
                .value
                .iter()
                .map(|member| Text::Owned(member.unraw().to_string()))
                .collect()
        }),
        tasks: team
            .tasks
            .iter()
            .map(|task| lower_task(team, task))
            .collect(),
    }
}

fn lower_task(team: &Team, task: &Task) -> spec::Task {
    // Dependencies by subject are not in the model (they are reported on their own).
    let after = task
        .after
        .iter()
        .filter_map(|dependency| {
            let Target::Task(target) = &dependency.target else {
                return None;
            };
            let team_id = dependency
                .team
                .as_ref()
                .map_or_else(|| team.id.clone(), |ident| ident.unraw().to_string());
            Some(spec::TaskRef::new(team_id, target.unraw().to_string()))
        })
        .collect();
    spec::Task {
        id: Text::Owned(task.id.clone()),
        subject: task.subject.as_ref().map_or(Text::Borrowed(""), owned),
        description: task.description.as_ref().map_or(Text::Borrowed(""), owned),
        assignee: task
            .assignee
            .as_ref()
            .map_or(Text::Borrowed(""), |a| Text::Owned(a.unraw().to_string())),
        after,
        kind: task
            .kind
            .as_ref()
            .map_or(Text::Borrowed(spec::DEFAULT_TASK_TYPE), owned),
    }
}

fn owned(value: &Spanned<String>) -> Text {
    Text::Owned(value.value.clone())
}

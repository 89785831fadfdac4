//! Lowering: the workflow as read becomes the core's model (`telemachy_core::spec`), the
//! same data `spec()` returns, while a [`Spans`] table remembers where each element was
//! written. The core's rules then run on the model, and each problem lands on its token.
//!
//! What could not be read, or is missing, takes the value `spec()` would hold (a default or
//! an empty stand-in) and is marked unread, so that the rules do not report it again.

use std::time::Duration;

use syn::ext::IdentExt;
use telemachy_core::rules::{Path, field};
use telemachy_core::spec::{self, Text};

use crate::model::{Agent, Runtime, Spanned, Target, Task, Team, Teardown, Workflow};
use crate::spans::Spans;

/// The model of `workflow`, and where each of its elements was written.
pub(crate) fn lower(workflow: &Workflow) -> (spec::Workflow, Spans) {
    let mut spans = Spans::default();
    spans.at(Path::root(), workflow.ident.span());
    let name = match &workflow.name {
        Some(name) => owned(name, &mut spans, Path::root().field(field::NAME)),
        None => Text::Owned(workflow.ident.unraw().to_string()),
    };
    let timeout = workflow.timeout.as_ref().map(|timeout| {
        spans.at(Path::root().field(field::TIMEOUT), timeout.span);
        Duration::new(timeout.value.secs, timeout.value.nanos)
    });
    let teardown = match workflow.teardown.as_ref().map(|t| t.value) {
        None | Some(Teardown::OnCompletion) => spec::Teardown::OnCompletion,
        Some(Teardown::OnFailure) => spec::Teardown::OnFailure,
        Some(Teardown::Never) => spec::Teardown::Never,
    };
    let agents = workflow
        .agents
        .iter()
        .enumerate()
        .map(|(index, agent)| lower_agent(agent, Path::agent(index), &mut spans))
        .collect();
    let teams = workflow
        .teams
        .iter()
        .enumerate()
        .map(|(index, team)| lower_team(team, index, &mut spans))
        .collect();
    let model = spec::Workflow {
        name,
        description: Text::Owned(workflow.description.clone()),
        teardown,
        timeout,
        agents,
        teams,
    };
    (model, spans)
}

fn lower_agent(agent: &Agent, path: Path, spans: &mut Spans) -> spec::Agent {
    let name = resource(spans, &path, &agent.ident, &agent.id, &agent.name);
    let meant = |key: &str| agent.meant.contains(&key);
    let mut text = |value: &Option<Spanned<String>>, key: &'static str, default: &'static str| {
        let at = path.clone().field(key);
        match value {
            Some(value) => owned(value, spans, at),
            None => {
                if meant(key) {
                    spans.unread(at);
                }
                Text::Borrowed(default)
            }
        }
    };
    let program = text(&agent.program, field::PROGRAM, spec::DEFAULT_PROGRAM);
    let working_dir = text(
        &agent.working_dir,
        field::WORKING_DIR,
        spec::DEFAULT_WORKING_DIR,
    );
    let model = agent.model.as_ref().map(|model| {
        let at = path.clone().field(field::MODEL);
        owned(model, spans, at)
    });
    let runtime = match &agent.runtime {
        Some(Spanned {
            value: Runtime::Docker,
            span,
        }) => {
            spans.at(path.clone().field(field::RUNTIME), *span);
            let mut docker = |value: &Option<Spanned<String>>, key: &'static str| {
                let at = path.clone().field(key);
                match value {
                    Some(value) => Some(owned(value, spans, at)),
                    None => {
                        // A missing setting is an error at `runtime: docker` (only the
                        // image has no default); a written but unreadable one was
                        // reported already.
                        if meant(key) {
                            spans.unread(at);
                        } else {
                            spans.at(at, *span);
                        }
                        None
                    }
                }
            };
            let image = docker(&agent.image, field::IMAGE).unwrap_or_default();
            let memory = docker(&agent.memory, field::MEMORY)
                .unwrap_or(Text::Borrowed(spec::DEFAULT_MEMORY));
            let cpus = match &agent.cpus {
                Some(cpus) => {
                    spans.at(path.clone().field(field::CPUS), cpus.span);
                    // Beyond `u32` is beyond the rules' range too, which reports it.
                    u32::try_from(cpus.value).unwrap_or(u32::MAX)
                }
                None => {
                    if meant(field::CPUS) {
                        spans.unread(path.clone().field(field::CPUS));
                    }
                    spec::DEFAULT_CPUS
                }
            };
            spec::Runtime::Docker(spec::Docker {
                image,
                cpus,
                memory,
            })
        }
        _ => spec::Runtime::Local,
    };
    spec::Agent {
        id: Text::Owned(agent.id.clone()),
        name,
        program,
        model,
        working_dir,
        runtime,
    }
}

fn lower_team(team: &Team, team_index: usize, spans: &mut Spans) -> spec::Team {
    let path = Path::team(team_index);
    let name = resource(spans, &path, &team.ident, &team.id, &team.name);
    let members_path = path.field(field::MEMBERS);
    let agents = match &team.members {
        Some(members) => {
            spans.at(members_path.clone(), members.span);
            members
                .value
                .iter()
                .enumerate()
                .map(|(position, member)| {
                    spans.at(members_path.clone().index(position), member.span());
                    Text::Owned(member.unraw().to_string())
                })
                .collect()
        }
        None => {
            spans.unread(members_path);
            Vec::new()
        }
    };
    let tasks = team
        .tasks
        .iter()
        .enumerate()
        .map(|(index, task)| lower_task(team, task, Path::task(team_index, index), spans))
        .collect();
    spec::Team {
        id: Text::Owned(team.id.clone()),
        name,
        agents,
        tasks,
    }
}

fn lower_task(team: &Team, task: &Task, path: Path, spans: &mut Spans) -> spec::Task {
    spans.at(path.clone(), task.ident.span());
    spans.at(path.clone().field(field::ID), task.ident.span());
    let subject_path = path.clone().field(field::SUBJECT);
    let subject = match &task.subject {
        Some(subject) => owned(subject, spans, subject_path),
        None => {
            spans.unread(subject_path);
            Text::Borrowed("")
        }
    };
    let assignee_path = path.clone().field(field::ASSIGNEE);
    let assignee = match &task.assignee {
        Some(assignee) => {
            spans.at(assignee_path, assignee.span());
            Text::Owned(assignee.unraw().to_string())
        }
        None => {
            spans.unread(assignee_path);
            Text::Borrowed("")
        }
    };
    let kind = match &task.kind {
        Some(kind) => owned(kind, spans, path.clone().field(field::TYPE)),
        None => Text::Borrowed(spec::DEFAULT_TASK_TYPE),
    };
    let description = task
        .description
        .as_ref()
        .map_or(Text::Borrowed(""), |d| Text::Owned(d.value.clone()));
    // Dependencies by subject are not in the model (they are reported on their own).
    let mut after = Vec::with_capacity(task.after.len());
    for dependency in &task.after {
        let Target::Task(target) = &dependency.target else {
            continue;
        };
        let at = path.clone().field(field::AFTER).index(after.len());
        spans.tokens(at.clone(), dependency.tokens.clone());
        spans.at(at.clone().field(field::TASK), target.span());
        let team_id = match &dependency.team {
            Some(ident) => {
                spans.at(at.field(field::TEAM), ident.span());
                ident.unraw().to_string()
            }
            None => team.id.clone(),
        };
        after.push(spec::TaskRef::new(team_id, target.unraw().to_string()));
    }
    spec::Task {
        id: Text::Owned(task.id.clone()),
        subject,
        description,
        assignee,
        after,
        kind,
    }
}

/// Records where an agent or team at `path` was declared, and returns its name: the
/// explicit `name:`, else its identifier (at the identifier's span).
fn resource(
    spans: &mut Spans,
    path: &Path,
    ident: &syn::Ident,
    id: &str,
    name: &Option<Spanned<String>>,
) -> Text {
    spans.at(path.clone(), ident.span());
    spans.at(path.clone().field(field::ID), ident.span());
    let name_path = path.clone().field(field::NAME);
    match name {
        Some(name) => owned(name, spans, name_path),
        None => {
            spans.at(name_path, ident.span());
            Text::Owned(id.to_owned())
        }
    }
}

/// The value as model text, its span recorded at `path`.
fn owned(value: &Spanned<String>, spans: &mut Spans, path: Path) -> Text {
    spans.at(path, value.span);
    Text::Owned(value.value.clone())
}

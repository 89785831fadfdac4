//! The Python tool's workflow files, read as they are (`apiVersion: telemachy/v1`, the
//! format of its `workflow-v1.schema.json`).
//!
//! | file                         | model                                              |
//! |------------------------------|----------------------------------------------------|
//! | `apiVersion`                 | must be `telemachy/v1` (the default)               |
//! | `metadata.name`              | `Workflow::name` (required)                        |
//! | `metadata.description`       | `Workflow::description`                            |
//! | other `metadata` entries     | strings, read and not used                         |
//! | `teardown`                   | `Workflow::teardown`                               |
//! | `timeout_seconds`            | `Workflow::timeout` (a number, or null)            |
//! | agent `name`                 | `Agent::name`; `Agent::id` derived from it         |
//! | `program`, `model`, `working_dir`, `runtime` | the same fields                    |
//! | `docker_image`, `cpus`, `memory` | `Runtime::Docker` (ignored, with a warning, on a local agent) |
//! | team `name`                  | `Team::name`; `Team::id` derived from it           |
//! | team `agents` (names)        | `Team::agents` (identifiers)                       |
//! | task `subject`               | `Task::subject`; `Task::id` derived from it        |
//! | `description`                | `Task::description` (required, as in the schema)   |
//! | `assign_to` (a name)         | `Task::assignee` (an identifier)                   |
//! | `blocked_by` (subjects)      | `Task::after`, tasks of the same team              |
//!
//! Identifiers come from [`ident::from_name`](super::ident::from_name); names stay as
//! written, so every key is the Python tool's key. References by name or subject are
//! resolved here, with "did you mean" among the names the file declares.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;

use super::document::Step;
use super::ident::Scope;
use crate::spec::{
    Agent, DEFAULT_CPUS, DEFAULT_MEMORY, DEFAULT_PROGRAM, DEFAULT_WORKING_DIR, Docker, Runtime,
    Task, TaskRef, Team, Teardown, Text, Workflow,
};
use telemachy_core::rules::Segment::{self, Field, Index};
use telemachy_core::rules::field;
use telemachy_core::suggest;

/// The only `apiVersion` the Python tool writes.
pub const API_VERSION: &str = "telemachy/v1";

/// The Python tool's field names that the file form of the model spells otherwise, with
/// this format's name: hints for a field of the one format written in the other.
pub(crate) const ALIASES: &[(&str, &str)] = &[
    ("assignee", "assign_to"),
    ("after", "blocked_by"),
    ("depends_on", "blocked_by"),
    ("image", "docker_image"),
    ("members", "agents"),
    ("timeout", "timeout_seconds"),
    ("name", "metadata"),
    ("description", "metadata"),
];

#[derive(Deserialize)]
#[serde(rename = "workflow")]
struct File {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    metadata: BTreeMap<String, String>,
    agents: Vec<FileAgent>,
    teams: Vec<FileTeam>,
    #[serde(default)]
    teardown: Teardown,
    #[serde(default, with = "telemachy_core::form::seconds")]
    timeout_seconds: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(rename = "agent")]
struct FileAgent {
    name: String,
    #[serde(default)]
    program: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    runtime: RuntimeKind,
    #[serde(default)]
    docker_image: Option<String>,
    #[serde(default)]
    cpus: Option<u32>,
    #[serde(default)]
    memory: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename = "runtime", rename_all = "snake_case")]
enum RuntimeKind {
    #[default]
    Local,
    Docker,
}

#[derive(Deserialize)]
#[serde(rename = "team")]
struct FileTeam {
    name: String,
    agents: Vec<String>,
    tasks: Vec<FileTask>,
}

#[derive(Deserialize)]
#[serde(rename = "task")]
struct FileTask {
    subject: String,
    description: String,
    assign_to: String,
    #[serde(default)]
    blocked_by: Vec<String>,
}

/// A problem found while turning the file into the model, at a path into the file.
pub(crate) struct Finding {
    pub(crate) steps: Vec<Step<'static>>,
    pub(crate) message: String,
    pub(crate) warning: bool,
}

/// Reads the file's top as the Python format, then makes the model of it: the model (if
/// the file could be read), and what did not fit (errors and warnings).
pub(crate) fn read(
    reader: &super::de::Reader,
    root: &super::document::Node,
) -> (Option<Workflow>, Vec<super::de::Located>, Vec<Finding>) {
    let (file, unread) = reader.read::<File>(root);
    match file {
        Some(file) => {
            let (workflow, findings) = convert(file);
            (Some(workflow), unread, findings)
        }
        None => (None, unread, Vec::new()),
    }
}

/// The model of `file`, and what did not fit (errors and warnings).
fn convert(file: File) -> (Workflow, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut error = |steps: Vec<Step<'static>>, message: String| {
        findings.push(Finding {
            steps,
            message,
            warning: false,
        });
    };
    if let Some(version) = file.api_version.as_deref().filter(|v| *v != API_VERSION) {
        error(
            vec![Step::Key("apiVersion")],
            format!("unknown `apiVersion` `{version}`: this version reads `{API_VERSION}`"),
        );
    }
    let mut metadata = file.metadata;
    let name = metadata.remove("name").unwrap_or_else(|| {
        error(
            vec![Step::Key("metadata")],
            "`metadata` has no `name`: add `name: <workflow name>`, from which every key is \
             derived"
                .to_owned(),
        );
        String::new()
    });
    let mut workflow = Workflow::new(name);
    workflow.description = metadata.remove("description").unwrap_or_default().into();
    workflow.teardown = file.teardown;
    workflow.timeout = file.timeout_seconds;

    let mut agent_ids = Scope::default();
    let mut by_name: HashMap<String, Text> = HashMap::new();
    let mut warnings = Vec::new();
    for (index, agent) in file.agents.into_iter().enumerate() {
        let id: Text = agent_ids.ident(&agent.name, "agent").into();
        by_name
            .entry(agent.name.clone())
            .or_insert_with(|| id.clone());
        let runtime = match agent.runtime {
            RuntimeKind::Docker => {
                if agent.docker_image.is_none() {
                    error(
                        vec![Step::Key("agents"), Step::Index(index)],
                        format!(
                            "docker agent `{}` has no image: add `docker_image: <image>`",
                            agent.name
                        ),
                    );
                }
                Runtime::Docker(Docker {
                    image: agent.docker_image.unwrap_or_default().into(),
                    cpus: agent.cpus.unwrap_or(DEFAULT_CPUS),
                    memory: agent
                        .memory
                        .map_or(Text::Borrowed(DEFAULT_MEMORY), Text::from),
                })
            }
            RuntimeKind::Local => {
                let set = [
                    ("docker_image", agent.docker_image.is_some()),
                    ("cpus", agent.cpus.is_some()),
                    ("memory", agent.memory.is_some()),
                ];
                for (field, _) in set.into_iter().filter(|(_, set)| *set) {
                    warnings.push(Finding {
                        steps: vec![Step::Key("agents"), Step::Index(index), Step::Key(field)],
                        message: format!(
                            "agent `{}` runs locally, so `{field}` does not apply and is \
                             ignored: add `runtime: docker`, or remove `{field}`",
                            agent.name
                        ),
                        warning: true,
                    });
                }
                Runtime::Local
            }
        };
        workflow.agents.push(Agent {
            id,
            name: agent.name.into(),
            program: agent
                .program
                .map_or(Text::Borrowed(DEFAULT_PROGRAM), Text::from),
            model: agent.model.map(Text::from),
            working_dir: agent
                .working_dir
                .map_or(Text::Borrowed(DEFAULT_WORKING_DIR), Text::from),
            runtime,
        });
    }
    let agent_names: Vec<String> = workflow.agents.iter().map(|a| a.name.to_string()).collect();

    let mut team_ids = Scope::default();
    for (team_index, team) in file.teams.into_iter().enumerate() {
        let team_id: Text = team_ids.ident(&team.name, "team").into();
        let here = |steps: &[Step<'static>]| {
            let mut path = vec![Step::Key("teams"), Step::Index(team_index)];
            path.extend_from_slice(steps);
            path
        };
        let agent_ref =
            |name: &str,
             steps: Vec<Step<'static>>,
             error: &mut dyn FnMut(Vec<Step<'static>>, String)| {
                by_name.get(name).cloned().unwrap_or_else(|| {
                    let hint = suggest::hint(name, "agent", agent_names.iter().map(String::as_str));
                    error(
                        steps,
                        format!("unknown agent `{name}` in team `{}`: {hint}", team.name),
                    );
                    Text::Owned(name.to_owned())
                })
            };
        let members = team
            .agents
            .iter()
            .enumerate()
            .map(|(i, name)| {
                agent_ref(
                    name,
                    here(&[Step::Key("agents"), Step::Index(i)]),
                    &mut error,
                )
            })
            .collect();

        let mut task_ids = Scope::default();
        let ids: Vec<Text> = team
            .tasks
            .iter()
            .map(|task| task_ids.ident(&task.subject, "task").into())
            .collect();
        let mut by_subject: HashMap<&str, &Text> = HashMap::new();
        for (task, id) in team.tasks.iter().zip(&ids) {
            by_subject.entry(task.subject.as_str()).or_insert(id);
        }
        let subjects: Vec<&str> = team
            .tasks
            .iter()
            .map(|task| task.subject.as_str())
            .collect();
        let mut tasks = Vec::with_capacity(team.tasks.len());
        for (task_index, (task, id)) in team.tasks.iter().zip(&ids).enumerate() {
            let at = |steps: &[Step<'static>]| {
                let mut path = here(&[Step::Key("tasks"), Step::Index(task_index)]);
                path.extend_from_slice(steps);
                path
            };
            let assignee = agent_ref(&task.assign_to, at(&[Step::Key("assign_to")]), &mut error);
            let after = task
                .blocked_by
                .iter()
                .enumerate()
                .map(|(i, subject)| {
                    let task_id = match by_subject.get(subject.as_str()) {
                        Some(id) => (*id).clone(),
                        None => {
                            let hint = match suggest::closest(subject, subjects.iter().copied()) {
                                Some(found) => format!("did you mean `{found}`?"),
                                None => format!(
                                    "`blocked_by` lists subjects of tasks of the same team: {}",
                                    suggest::known("subject", subjects.iter().copied())
                                ),
                            };
                            error(
                                at(&[Step::Key("blocked_by"), Step::Index(i)]),
                                format!(
                                    "task `{}` is blocked by `{subject}`, which no task of team \
                                     `{}` has as its subject: {hint}",
                                    task.subject, team.name
                                ),
                            );
                            Text::Owned(subject.clone())
                        }
                    };
                    TaskRef::new(team_id.clone(), task_id)
                })
                .collect();
            tasks.push(Task {
                id: id.clone(),
                subject: task.subject.clone().into(),
                description: task.description.clone().into(),
                assignee,
                after,
                kind: Text::Borrowed(crate::spec::DEFAULT_TASK_TYPE),
            });
        }
        workflow.teams.push(Team {
            id: team_id,
            name: team.name.into(),
            agents: members,
            tasks,
        });
    }
    findings.extend(warnings);
    (workflow, findings)
}

/// The place in the file of the element at `path` (a path into the model, as the rules
/// give it): the workflow's name and description under `metadata`, an identifier at the
/// name (or subject) it derives from, and the Python tool's words for the fields.
pub(crate) fn steps(path: &[Segment]) -> Vec<Step<'static>> {
    let mut steps = Vec::with_capacity(path.len() + 1);
    let (first, rest) = match path {
        [Field(field::NAME | field::ID), ..] => {
            return vec![Step::Key("metadata"), Step::Key("name")];
        }
        [Field("description"), ..] => return vec![Step::Key("metadata"), Step::Key("description")],
        [Field(field::TIMEOUT), ..] => return vec![Step::Key("timeout_seconds")],
        [
            Field(list @ (field::AGENTS | field::TEAMS)),
            Index(at),
            rest @ ..,
        ] => {
            steps.extend([Step::Key(list), Step::Index(*at)]);
            (*list, rest)
        }
        [Field(other), ..] => return vec![Step::Key(other)],
        _ => return steps,
    };
    match (first, rest) {
        (_, [Field(field::ID | field::NAME), ..]) => steps.push(Step::Key("name")),
        (field::AGENTS, [Field(field::IMAGE), ..]) => steps.push(Step::Key("docker_image")),
        (field::AGENTS, [Field(other), ..]) => steps.push(Step::Key(other)),
        (_, [Field(field::MEMBERS), tail @ ..]) => {
            steps.push(Step::Key("agents"));
            steps.extend(tail.first().and_then(index).map(Step::Index));
        }
        (_, [Field(field::TASKS), Index(task), tail @ ..]) => {
            steps.extend([Step::Key("tasks"), Step::Index(*task)]);
            match tail {
                [Field(field::ID | field::SUBJECT), ..] => steps.push(Step::Key("subject")),
                [Field(field::ASSIGNEE), ..] => steps.push(Step::Key("assign_to")),
                [Field(field::AFTER), tail @ ..] => {
                    steps.push(Step::Key("blocked_by"));
                    steps.extend(tail.first().and_then(index).map(Step::Index));
                }
                [Field(other), ..] => steps.push(Step::Key(other)),
                _ => {}
            }
        }
        (_, [Field(other), ..]) => steps.push(Step::Key(other)),
        _ => {}
    }
    steps
}

fn index(segment: &Segment) -> Option<usize> {
    match segment {
        Index(at) => Some(*at),
        Field(_) => None,
    }
}

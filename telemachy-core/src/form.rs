//! The file form of the model: `Serialize` and `Deserialize` for [`Workflow`] and its parts
//! (feature `serde`).
//!
//! The form uses the words of the `workflow!` language, so that a file and a macro
//! invocation read alike:
//!
//! ```yaml
//! name: codebase-audit            # required: every key derives from it
//! description: Audit a codebase.  # default: empty
//! teardown: on_completion         # on_completion (default), on_failure or never
//! timeout: 7200                   # seconds, whole or decimal; default: no limit
//! agents:
//!   - id: architect               # required: what teams and tasks refer to
//!     name: architect             # default: the id; the key derives from it
//!     program: claude-code        # default: claude-code
//!     model: claude-opus-4-5      # default: none
//!     working_dir: /workspace     # default: /tmp
//!     runtime: docker             # local (default) or docker
//!     image: alpine:3             # docker only, and required there
//!     cpus: 2                     # docker only; default 2
//!     memory: 4g                  # docker only; default 4g
//! teams:
//!   - id: audit_team              # required
//!     name: audit-team            # default: the id
//!     members: [architect]        # required: agent ids
//!     tasks:                      # default: none
//!       - id: analyse             # required
//!         subject: Analyse it     # required
//!         description: ...        # default: empty
//!         assignee: architect     # required: an agent id
//!         after: [other_team.x]   # default: none; `task` in this team, `team.task` in any
//!         type: general           # default: general
//! ```
//!
//! Every struct refuses unknown fields. Serialising leaves out every field that holds its
//! default, so a round trip gives back an equal [`Workflow`].
//!
//! ```
//! use telemachy_core::spec::{Agent, Task, Team, Workflow};
//!
//! let mut workflow = Workflow::new("hello");
//! workflow.agents.push(Agent::new("worker"));
//! let mut team = Team::new("crew", ["worker"]);
//! team.tasks.push(Task::new("greet", "Say hello", "worker"));
//! workflow.teams.push(team);
//!
//! let json = serde_json::to_string(&workflow)?;
//! assert_eq!(
//!     json,
//!     r#"{"name":"hello","agents":[{"id":"worker"}],"teams":[{"id":"crew","members":["worker"],"tasks":[{"id":"greet","subject":"Say hello","assignee":"worker"}]}]}"#,
//! );
//! let back: Workflow = serde_json::from_str(&json)?;
//! assert_eq!(back, workflow);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::spec::{
    Agent, DEFAULT_CPUS, DEFAULT_MEMORY, DEFAULT_PROGRAM, DEFAULT_TASK_TYPE, DEFAULT_WORKING_DIR,
    Docker, Runtime, Task, TaskRef, Team, Teardown, Text, Workflow,
};

/// The fields of a workflow in its file form, in the order it writes them.
pub const WORKFLOW_FIELDS: &[&str] = &[
    "name",
    "description",
    "teardown",
    "timeout",
    "agents",
    "teams",
];
/// The fields of an agent in its file form.
pub const AGENT_FIELDS: &[&str] = &[
    "id",
    "name",
    "program",
    "model",
    "working_dir",
    "runtime",
    "image",
    "cpus",
    "memory",
];
/// The fields of a team in its file form.
pub const TEAM_FIELDS: &[&str] = &["id", "name", "members", "tasks"];
/// The fields of a task in its file form.
pub const TASK_FIELDS: &[&str] = &["id", "subject", "description", "assignee", "after", "type"];

#[derive(Serialize, Deserialize)]
#[serde(rename = "workflow", deny_unknown_fields)]
struct WorkflowForm {
    name: Text,
    #[serde(default, skip_serializing_if = "is_empty")]
    description: Text,
    #[serde(default, skip_serializing_if = "is_default_teardown")]
    teardown: Teardown,
    #[serde(default, with = "seconds", skip_serializing_if = "Option::is_none")]
    timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    agents: Vec<Agent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    teams: Vec<TeamForm>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "agent", deny_unknown_fields)]
struct AgentForm {
    id: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Text>,
    #[serde(
        default = "default_program",
        skip_serializing_if = "is_default_program"
    )]
    program: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<Text>,
    #[serde(
        default = "default_working_dir",
        skip_serializing_if = "is_default_working_dir"
    )]
    working_dir: Text,
    #[serde(default, skip_serializing_if = "RuntimeKind::is_local")]
    runtime: RuntimeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cpus: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    memory: Option<Text>,
}

/// `runtime:` in the file form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "runtime", rename_all = "snake_case")]
enum RuntimeKind {
    #[default]
    Local,
    Docker,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "team", deny_unknown_fields)]
struct TeamForm {
    id: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Text>,
    members: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tasks: Vec<TaskForm>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "task", deny_unknown_fields)]
struct TaskForm {
    id: Text,
    subject: Text,
    #[serde(default, skip_serializing_if = "is_empty")]
    description: Text,
    assignee: Text,
    /// `task` (same team) or `team.task`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    after: Vec<Text>,
    #[serde(
        rename = "type",
        default = "default_task_type",
        skip_serializing_if = "is_default_task_type"
    )]
    kind: Text,
}

fn is_empty(text: &Text) -> bool {
    text.is_empty()
}
fn is_default_teardown(teardown: &Teardown) -> bool {
    *teardown == Teardown::default()
}
fn default_program() -> Text {
    Text::Borrowed(DEFAULT_PROGRAM)
}
fn is_default_program(text: &Text) -> bool {
    text == DEFAULT_PROGRAM
}
fn default_working_dir() -> Text {
    Text::Borrowed(DEFAULT_WORKING_DIR)
}
fn is_default_working_dir(text: &Text) -> bool {
    text == DEFAULT_WORKING_DIR
}
fn default_task_type() -> Text {
    Text::Borrowed(DEFAULT_TASK_TYPE)
}
fn is_default_task_type(text: &Text) -> bool {
    text == DEFAULT_TASK_TYPE
}

impl RuntimeKind {
    fn is_local(&self) -> bool {
        *self == RuntimeKind::Local
    }
}

impl Serialize for Workflow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WorkflowForm {
            name: self.name.clone(),
            description: self.description.clone(),
            teardown: self.teardown,
            timeout: self.timeout,
            agents: self.agents.clone(),
            teams: self.teams.iter().map(TeamForm::from).collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Workflow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = WorkflowForm::deserialize(deserializer)?;
        Ok(Workflow {
            name: form.name,
            description: form.description,
            teardown: form.teardown,
            timeout: form.timeout,
            agents: form.agents,
            teams: form.teams.into_iter().map(Team::from).collect(),
        })
    }
}

impl From<&Agent> for AgentForm {
    fn from(agent: &Agent) -> Self {
        let (runtime, image, cpus, memory) = match &agent.runtime {
            Runtime::Local => (RuntimeKind::Local, None, None, None),
            Runtime::Docker(docker) => (
                RuntimeKind::Docker,
                Some(docker.image.clone()),
                Some(docker.cpus).filter(|cpus| *cpus != DEFAULT_CPUS),
                Some(docker.memory.clone()).filter(|memory| memory != DEFAULT_MEMORY),
            ),
        };
        AgentForm {
            id: agent.id.clone(),
            name: Some(agent.name.clone()).filter(|name| *name != agent.id),
            program: agent.program.clone(),
            model: agent.model.clone(),
            working_dir: agent.working_dir.clone(),
            runtime,
            image,
            cpus,
            memory,
        }
    }
}

impl TryFrom<AgentForm> for Agent {
    type Error = String;

    /// Puts the docker settings into the runtime, refusing them on a local agent (the same
    /// message as `workflow!`), where the model has no place for them.
    fn try_from(form: AgentForm) -> Result<Self, String> {
        let runtime = match form.runtime {
            RuntimeKind::Local => {
                let set = [
                    ("image", form.image.is_some()),
                    ("cpus", form.cpus.is_some()),
                    ("memory", form.memory.is_some()),
                ];
                if let Some((field, _)) = set.into_iter().find(|(_, set)| *set) {
                    return Err(format!(
                        "agent `{}` runs locally, so `{field}` does not apply: add `runtime: \
                         docker`, or remove `{field}`",
                        form.id
                    ));
                }
                Runtime::Local
            }
            RuntimeKind::Docker => {
                // No image is the rules' to report (`rules::Rule::NoImage`), as for a
                // workflow built in code.
                let image = form.image.unwrap_or_default();
                Runtime::Docker(Docker {
                    image,
                    cpus: form.cpus.unwrap_or(DEFAULT_CPUS),
                    memory: form.memory.unwrap_or(Text::Borrowed(DEFAULT_MEMORY)),
                })
            }
        };
        Ok(Agent {
            name: form.name.unwrap_or_else(|| form.id.clone()),
            id: form.id,
            program: form.program,
            model: form.model,
            working_dir: form.working_dir,
            runtime,
        })
    }
}

impl Serialize for Agent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        AgentForm::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Agent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Agent::try_from(AgentForm::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

impl From<&Team> for TeamForm {
    fn from(team: &Team) -> Self {
        TeamForm {
            id: team.id.clone(),
            name: Some(team.name.clone()).filter(|name| *name != team.id),
            members: team.agents.clone(),
            tasks: team
                .tasks
                .iter()
                .map(|task| TaskForm::new(task, Some(&team.id)))
                .collect(),
        }
    }
}

impl From<TeamForm> for Team {
    /// Resolves the tasks' unqualified dependencies to this team.
    fn from(form: TeamForm) -> Self {
        let tasks = form
            .tasks
            .into_iter()
            .map(|task| task.into_task(&form.id))
            .collect();
        Team {
            name: form.name.unwrap_or_else(|| form.id.clone()),
            id: form.id,
            agents: form.members,
            tasks,
        }
    }
}

impl Serialize for Team {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TeamForm::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Team {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TeamForm::deserialize(deserializer).map(Team::from)
    }
}

impl TaskForm {
    /// The form of `task`; dependencies within `team` are written without the team.
    fn new(task: &Task, team: Option<&Text>) -> Self {
        TaskForm {
            id: task.id.clone(),
            subject: task.subject.clone(),
            description: task.description.clone(),
            assignee: task.assignee.clone(),
            after: task
                .after
                .iter()
                .map(|reference| match team {
                    Some(team) if *team == reference.team => reference.task.clone(),
                    _ => Text::Owned(reference.to_string()),
                })
                .collect(),
            kind: task.kind.clone(),
        }
    }

    /// The task, its unqualified dependencies taken as tasks of `team`.
    fn into_task(self, team: &str) -> Task {
        Task {
            after: self
                .after
                .iter()
                .map(|reference| TaskRef::parse(reference, team))
                .collect(),
            id: self.id,
            subject: self.subject,
            description: self.description,
            assignee: self.assignee,
            kind: self.kind,
        }
    }
}

impl Serialize for Task {
    /// A task on its own writes every dependency as `team.task`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TaskForm::new(self, None).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Task {
    /// A task on its own does not know its team: every dependency must be `team.task`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let form = TaskForm::deserialize(deserializer)?;
        if let Some(reference) = form.after.iter().find(|reference| !reference.contains('.')) {
            return Err(de::Error::custom(unqualified(reference)));
        }
        Ok(form.into_task(""))
    }
}

impl TaskRef {
    /// `team.task`, or `task` in `team`: the reference as the file form and `after:` write
    /// it. The team is what stands before the first `.`.
    fn parse(reference: &str, team: &str) -> TaskRef {
        match reference.split_once('.') {
            Some((team, task)) => TaskRef::new(team.to_owned(), task.to_owned()),
            None => TaskRef::new(team.to_owned(), reference.to_owned()),
        }
    }
}

fn unqualified(reference: &str) -> String {
    format!("dependency `{reference}` names no team: write `<team>.{reference}`")
}

impl Serialize for TaskRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaskRef {
    /// `team.task`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if !text.contains('.') {
            return Err(de::Error::custom(unqualified(&text)));
        }
        Ok(TaskRef::parse(&text, ""))
    }
}

impl Serialize for Teardown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The teardown policies' names, for "expected one of".
const TEARDOWN_NAMES: &[&str] = &["on_completion", "on_failure", "never"];

impl<'de> Deserialize<'de> for Teardown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Policy;
        impl Visitor<'_> for Policy {
            type Value = Teardown;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a teardown policy (`on_completion`, `on_failure` or `never`)")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Teardown, E> {
                text.parse()
                    .map_err(|_| E::unknown_variant(text, TEARDOWN_NAMES))
            }
        }
        deserializer.deserialize_str(Policy)
    }
}

/// A duration as a number of seconds, whole or decimal: how files write `timeout`.
pub mod seconds {
    use std::fmt;
    use std::time::Duration;

    use serde::Deserializer;
    use serde::de::{self, Visitor};
    use serde::ser::Serializer;

    /// Writes whole seconds as an integer, others as a decimal number.
    pub fn serialize<S: Serializer>(
        timeout: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match timeout {
            None => serializer.serialize_none(),
            Some(timeout) if timeout.subsec_nanos() == 0 => {
                serializer.serialize_u64(timeout.as_secs())
            }
            Some(timeout) => serializer.serialize_f64(timeout.as_secs_f64()),
        }
    }

    /// Reads a number of seconds (or null: no timeout).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        deserializer.deserialize_option(Seconds)
    }

    struct Seconds;

    impl<'de> Visitor<'de> for Seconds {
        type Value = Option<Duration>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number of seconds")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_f64(Seconds)
        }

        fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Self::Value, E> {
            Ok(Some(Duration::from_secs(seconds)))
        }

        fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Self::Value, E> {
            u64::try_from(seconds)
                .map(|seconds| Some(Duration::from_secs(seconds)))
                .map_err(|_| {
                    E::custom(format!(
                        "`{seconds}` seconds is negative: give a number of seconds, e.g. `7200`"
                    ))
                })
        }

        /// A number of seconds too large for a `Duration` is the longest one: the rules
        /// report it out of range, as they do for `workflow!`.
        fn visit_f64<E: de::Error>(self, seconds: f64) -> Result<Self::Value, E> {
            if seconds.is_nan() || seconds < 0.0 {
                return Err(E::custom(format!(
                    "`{seconds}` is not a number of seconds a timeout can be: give e.g. `7200`"
                )));
            }
            Ok(Some(
                Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Agent, Docker, Runtime, Task, TaskRef, Team, Workflow};

    fn sample() -> Workflow {
        let mut workflow = Workflow::new("fleet");
        workflow.description = "Survey, then report.".into();
        workflow.teardown = Teardown::Never;
        workflow.timeout = Some(Duration::from_millis(1500));
        let mut scout = Agent::new("scout");
        scout.name = "scout-alpha".into();
        scout.runtime = Runtime::Docker(Docker {
            cpus: 4,
            ..Docker::new("alpine:3")
        });
        workflow.agents.push(scout);
        workflow.agents.push(Agent::new("lead"));
        let mut scouts = Team::new("scouts", ["scout"]);
        scouts.tasks.push(Task::new("survey", "Survey", "scout"));
        let mut leads = Team::new("leads", ["lead"]);
        let mut report = Task::new("report", "Report", "lead");
        report.after = vec![TaskRef::new("scouts", "survey")];
        report.kind = "review".into();
        leads.tasks.push(report);
        let mut check = Task::new("check", "Check", "lead");
        check.after = vec![TaskRef::new("leads", "report")];
        leads.tasks.push(check);
        workflow.teams = vec![scouts, leads];
        workflow
    }

    #[test]
    fn round_trips_and_leaves_out_defaults() {
        let workflow = sample();
        let json = serde_json::to_value(&workflow).expect("serialises");
        assert_eq!(json["timeout"], 1.5);
        assert_eq!(json["teardown"], "never");
        assert_eq!(
            json["agents"][0],
            serde_json::json!({"id": "scout", "name": "scout-alpha", "runtime": "docker", "image": "alpine:3", "cpus": 4})
        );
        assert_eq!(json["agents"][1], serde_json::json!({"id": "lead"}));
        assert_eq!(
            json["teams"][1]["tasks"][0]["after"],
            serde_json::json!(["scouts.survey"])
        );
        assert_eq!(
            json["teams"][1]["tasks"][1]["after"],
            serde_json::json!(["report"])
        );
        let back: Workflow = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, workflow);
    }

    #[test]
    fn refuses_unknown_fields_and_impossible_agents() {
        let error = serde_json::from_str::<Agent>(r#"{"id": "a", "modle": "m"}"#)
            .expect_err("unknown field");
        assert!(
            error.to_string().contains("unknown field `modle`"),
            "{error}"
        );
        let error = serde_json::from_str::<Agent>(r#"{"id": "a", "cpus": 2}"#)
            .expect_err("cpus on a local agent");
        assert!(
            error
                .to_string()
                .starts_with("agent `a` runs locally, so `cpus` does not apply"),
            "{error}"
        );
        let agent = serde_json::from_str::<Agent>(r#"{"id": "a", "runtime": "docker"}"#)
            .expect("the rules, not the form, refuse a docker agent without an image");
        assert_eq!(agent.runtime, Runtime::Docker(Docker::new("")));
    }

    #[test]
    fn a_task_on_its_own_needs_qualified_dependencies() {
        let task = Task {
            after: vec![TaskRef::new("t", "x")],
            ..Task::new("y", "Y", "a")
        };
        let json = serde_json::to_string(&task).expect("serialises");
        assert!(json.contains(r#""after":["t.x"]"#), "{json}");
        assert_eq!(serde_json::from_str::<Task>(&json).expect("reads"), task);
        let error = serde_json::from_str::<Task>(
            r#"{"id":"y","subject":"Y","assignee":"a","after":["x"]}"#,
        )
        .expect_err("unqualified");
        assert!(error.to_string().contains("write `<team>.x`"), "{error}");
    }

    #[test]
    fn timeouts_are_seconds() {
        let read = |text: &str| serde_json::from_str::<Workflow>(text).map(|w| w.timeout);
        assert_eq!(
            read(r#"{"name":"w","timeout":7200}"#).ok(),
            Some(Some(Duration::from_secs(7200)))
        );
        assert_eq!(read(r#"{"name":"w","timeout":null}"#).ok(), Some(None));
        assert!(read(r#"{"name":"w","timeout":-1}"#).is_err());
        assert!(read(r#"{"name":"w","timeout":"soon"}"#).is_err());
    }
}

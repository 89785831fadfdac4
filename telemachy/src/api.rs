//! Agamemnon's wire types, as its published contract (`openapi.yaml`) names them.
//!
//! The client sends and decodes these; the simulator serves them. Decoding is lenient where
//! the real server is: optional fields default, unknown fields are ignored, and a status the
//! contract does not list decodes as `Other` instead of failing. A text or list field that
//! comes as `null` (as many servers write an absent value) reads as empty, like a missing
//! one; fields without a default (`id`, `status`) must be there.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Reads a field whose `null` means the same as its absence: the type's default (an empty
/// string or list). Every such field of the response types uses it, with `#[serde(default)]`
/// for the absent case.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An agent as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// The server's id (a UUID).
    pub id: String,
    /// The agent's name; Telemachy stores the idempotency key here.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// A human label; Telemachy stores the readable name here.
    #[serde(default, deserialize_with = "null_as_default")]
    pub label: String,
    /// The program the agent runs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub program: String,
    /// The directory the agent works in.
    #[serde(default, deserialize_with = "null_as_default")]
    pub working_directory: String,
    /// Arguments for the program.
    #[serde(default, deserialize_with = "null_as_default")]
    pub program_args: Vec<String>,
    /// A free-form description of the agent's work.
    #[serde(default, deserialize_with = "null_as_default")]
    pub task_description: String,
    /// Tags; Telemachy records the owning workflow here.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// The owner.
    #[serde(default, deserialize_with = "null_as_default")]
    pub owner: String,
    /// The role (`worker` by default).
    #[serde(default, deserialize_with = "null_as_default")]
    pub role: String,
    /// The host: `local`, or `docker` for docker agents.
    #[serde(default, deserialize_with = "null_as_default")]
    pub host: String,
    /// The container image of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The CPUs of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<u32>,
    /// The memory of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Whether the agent runs.
    pub status: AgentStatus,
    /// When the agent was created (RFC 3339).
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_at: String,
    /// When the agent last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// The body of `POST /v1/agents`.
///
/// Text fields left empty are not sent, so the server applies its defaults (`role`
/// `worker`, `host` `local`) instead of storing an empty string. Lists are always sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAgent {
    /// The name (the idempotency key, for Telemachy's agents); always sent.
    pub name: String,
    /// A human label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The program the agent runs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub program: String,
    /// The directory the agent works in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_directory: String,
    /// Arguments for the program.
    #[serde(default)]
    pub program_args: Vec<String>,
    /// A free-form description of the agent's work.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task_description: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The owner.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// The role; empty leaves the server's default, `worker`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// The host: `local` or `docker`; empty leaves the server's default, `local`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// The container image of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The CPUs of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<u32>,
    /// The memory of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// The body of `PATCH /v1/agents/{id}`: the fields to merge into the stored agent; those
/// left `None` are not sent and stay as they are.
///
/// The server stores every field a `PATCH` names, also those a create drops (`image`, `cpus`
/// and `memory` of a docker agent): a docker agent's settings reach the server this way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentPatch {
    /// A human label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The program the agent runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The directory the agent works in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    /// Arguments for the program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_args: Option<Vec<String>>,
    /// Tags (the whole list: the server replaces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The host: `local` or `docker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The container image of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The CPUs of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<u32>,
    /// The memory of a docker agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

impl AgentPatch {
    /// A patch that changes nothing; set the fields to change.
    ///
    /// ```
    /// let mut patch = telemachy::api::AgentPatch::new();
    /// patch.cpus = Some(4);
    /// assert_eq!(serde_json::to_string(&patch).expect("serialises"), r#"{"cpus":4}"#);
    /// ```
    pub fn new() -> AgentPatch {
        AgentPatch::default()
    }

    /// Whether the patch names no field.
    pub fn is_empty(&self) -> bool {
        *self == AgentPatch::default()
    }
}

/// A team as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    /// The server's id.
    pub id: String,
    /// The team's name; Telemachy stores the idempotency key here.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The members' agent ids.
    #[serde(default, deserialize_with = "null_as_default")]
    pub agent_ids: Vec<String>,
    /// When the team was created (RFC 3339).
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_at: String,
    /// When the team last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// The body of `POST /v1/teams`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTeam {
    /// The name (the idempotency key, for Telemachy's teams).
    pub name: String,
    /// The members' agent ids.
    #[serde(default)]
    pub agent_ids: Vec<String>,
}

/// The body of `PUT /v1/teams/{id}` that replaces a team's members.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMembers {
    /// The members' agent ids.
    pub agent_ids: Vec<String>,
}

/// A task as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The server's id.
    pub id: String,
    /// The team the task belongs to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub team_id: String,
    /// The subject; Telemachy identifies a task by its team and subject.
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    /// What to do.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
    /// The assigned agent's id (empty when unassigned).
    #[serde(default, deserialize_with = "null_as_default")]
    pub assignee_agent_id: String,
    /// The ids of the tasks this one waits for (recorded, never enforced by the server).
    #[serde(default, deserialize_with = "null_as_default")]
    pub blocked_by: Vec<String>,
    /// The task type.
    #[serde(default, deserialize_with = "null_as_default", rename = "type")]
    pub kind: String,
    /// Where the task is in its life.
    pub status: TaskStatus,
    /// When the task was created (RFC 3339).
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_at: String,
    /// When the task last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When the task completed (RFC 3339), if it did.
    #[serde(default)]
    pub completed_at: Option<String>,
}

/// The body of `POST /v1/teams/{team_id}/tasks`.
///
/// Text fields left empty are not sent, so the server applies its default (`type`
/// `general`) instead of storing an empty string. `blockedBy` is always sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    /// The subject (Telemachy finds a task by it within its team); always sent.
    pub subject: String,
    /// What to do.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The assigned agent's id; empty leaves the task unassigned.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assignee_agent_id: String,
    /// The ids of the tasks this one waits for.
    #[serde(default)]
    pub blocked_by: Vec<String>,
    /// The task type; empty leaves the server's default, `general`.
    #[serde(default, rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
}

/// The body of `PUT`/`PATCH /v1/teams/{team_id}/tasks/{task_id}` that changes a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStatusUpdate {
    /// The new status.
    pub status: TaskStatus,
}

/// An agent's status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AgentStatus {
    /// Started.
    Online,
    /// Created or stopped.
    Offline,
    /// The agent reported a fatal failure.
    Error,
    /// A status this version of the contract does not know.
    Other(String),
}

/// A task's status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum TaskStatus {
    /// Submitted, not yet picked up.
    Pending,
    /// A worker is on it.
    Running,
    /// Done.
    Completed,
    /// Given up.
    Failed,
    /// Waiting on something outside the task.
    Blocked,
    /// A status this version of the contract does not know.
    Other(String),
}

impl TaskStatus {
    /// Whether the task has finished, for better or worse.
    pub fn is_terminal(&self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Failed)
    }
}

macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $ty {
            /// The status as the server writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($ty::$variant => $text,)*
                    $ty::Other(other) => other,
                }
            }
        }

        impl From<String> for $ty {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => $ty::$variant,)*
                    _ => $ty::Other(text),
                }
            }
        }

        impl From<$ty> for String {
            fn from(status: $ty) -> Self {
                match status {
                    $ty::Other(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(AgentStatus { Online => "online", Offline => "offline", Error => "error" });
string_enum!(TaskStatus {
    Pending => "pending",
    Running => "running",
    Completed => "completed",
    Failed => "failed",
    Blocked => "blocked",
});

/// `{"agent": ...}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentEnvelope {
    /// The agent.
    pub agent: Agent,
}

/// `{"id": ..., "agent": ...}`, the answer to a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCreated {
    /// The new agent's id.
    pub id: String,
    /// The new agent.
    pub agent: Agent,
}

/// `{"id": ..., "status": ...}`, the answer to start and stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatusChange {
    /// The agent's id.
    pub id: String,
    /// Its status now.
    pub status: AgentStatus,
}

/// `{"team": ...}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEnvelope {
    /// The team.
    pub team: Team,
}

/// `{"task": ...}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEnvelope {
    /// The task.
    pub task: Task,
}

/// `{"deleted": "<id>"}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// The id of what was deleted.
    pub deleted: String,
}

/// `{"error": "..."}`, the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, in the server's words.
    pub error: String,
}

/// One page of a list: `{"<items>": [...], "total": N, "limit": L, "offset": O}`.
///
/// The contract promises only the items; the real server adds the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page (`agents`, `teams` or `tasks` on the wire).
    #[serde(
        alias = "agents",
        alias = "teams",
        alias = "tasks",
        deserialize_with = "null_as_default",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub items: Vec<T>,
    /// How many items there are in all, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The page size the server used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The offset of this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the server is alive.
    pub status: String,
}

/// `GET /v1/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// The server's version, e.g. `0.1.0`.
    pub version: String,
    /// The server's name.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_text_fields_of_new_resources_are_left_to_the_server() {
        let agent = NewAgent {
            name: "tlm-a".into(),
            ..NewAgent::default()
        };
        assert_eq!(
            serde_json::to_value(&agent).expect("encodes"),
            json!({"name": "tlm-a", "programArgs": [], "tags": []})
        );
        let task = NewTask {
            subject: "Review".into(),
            ..NewTask::default()
        };
        assert_eq!(
            serde_json::to_value(&task).expect("encodes"),
            json!({"subject": "Review", "blockedBy": []})
        );
    }

    #[test]
    fn null_text_and_list_fields_read_as_empty() {
        let agent: Agent = serde_json::from_value(json!({
            "id": "a1", "name": null, "label": null, "program": null, "workingDirectory": null,
            "programArgs": null, "taskDescription": null, "tags": null, "owner": null,
            "role": null, "host": null, "image": null, "cpus": null, "memory": null,
            "status": "offline", "createdAt": null, "updatedAt": null
        }))
        .expect("nulls read as defaults");
        assert_eq!(agent.id, "a1");
        assert!(agent.name.is_empty() && agent.tags.is_empty() && agent.program_args.is_empty());
        assert_eq!(
            (agent.image, agent.cpus, agent.updated_at),
            (None, None, None)
        );

        let team: Team = serde_json::from_value(json!({
            "id": "t1", "name": null, "agentIds": null, "createdAt": null
        }))
        .expect("nulls read as defaults");
        assert!(team.name.is_empty() && team.agent_ids.is_empty());

        let task: Task = serde_json::from_value(json!({
            "id": "k1", "teamId": null, "subject": null, "description": null,
            "assigneeAgentId": null, "blockedBy": null, "type": null, "status": "pending",
            "createdAt": null, "completedAt": null
        }))
        .expect("nulls read as defaults");
        assert!(task.description.is_empty() && task.blocked_by.is_empty() && task.kind.is_empty());
        assert_eq!(task.completed_at, None);

        let page: Page<Agent> =
            serde_json::from_value(json!({"agents": null, "total": 0})).expect("an empty page");
        assert!(page.items.is_empty());
    }

    #[test]
    fn fields_without_a_default_must_be_there() {
        let null_id = json!({"id": null, "status": "offline"});
        assert!(serde_json::from_value::<Agent>(null_id).is_err());
        let null_status = json!({"id": "a1", "status": null});
        assert!(serde_json::from_value::<Agent>(null_status).is_err());
        let wrong_type = json!({"id": "a1", "status": "offline", "tags": "x"});
        assert!(serde_json::from_value::<Agent>(wrong_type).is_err());
        let no_items = json!({"total": 0});
        assert!(serde_json::from_value::<Page<Team>>(no_items).is_err());
    }

    #[test]
    fn text_fields_that_are_set_are_sent() {
        let agent = NewAgent {
            name: "tlm-a".into(),
            role: "reviewer".into(),
            owner: "ops".into(),
            task_description: "reads diffs".into(),
            host: "docker".into(),
            ..NewAgent::default()
        };
        let sent = serde_json::to_value(&agent).expect("encodes");
        assert_eq!(sent["role"], "reviewer");
        assert_eq!(sent["owner"], "ops");
        assert_eq!(sent["taskDescription"], "reads diffs");
        assert_eq!(sent["host"], "docker");
        let back: NewAgent = serde_json::from_value(sent).expect("decodes");
        assert_eq!(back, agent);

        let task = NewTask {
            subject: "Review".into(),
            kind: "review".into(),
            assignee_agent_id: "a1".into(),
            ..NewTask::default()
        };
        let sent = serde_json::to_value(&task).expect("encodes");
        assert_eq!(sent["type"], "review");
        assert_eq!(sent["assigneeAgentId"], "a1");
        assert_eq!(
            serde_json::from_value::<NewTask>(sent).expect("decodes"),
            task
        );
    }
}

//! The in-memory store: agents, teams and tasks, each kept in id order like the real server.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::clock::now_rfc3339;
use super::fields::{AgentFields, TaskFields, TeamFields, strip_owned};
use super::rng::SplitMix64;
use crate::api::{Agent, AgentStatus, Task, TaskStatus, Team};

/// The seed of the id generator: ids are the same from run to run.
const ID_SEED: u64 = 0x7e1e_3ac4_a6a3_e3a0;

/// An agent and what the server keeps beside it.
#[derive(Debug, Clone)]
pub(crate) struct AgentRecord {
    /// The agent as the contract describes it (`image`, `cpus`, `memory` read from `extra`).
    pub(crate) agent: Agent,
    /// Fields the contract does not describe, stored as they came.
    pub(crate) extra: Map<String, Value>,
    /// When the agent was last started, while it is online.
    pub(crate) online_since: Option<Instant>,
}

/// A team and what the server keeps beside it.
#[derive(Debug, Clone)]
pub(crate) struct TeamRecord {
    pub(crate) team: Team,
    pub(crate) extra: Map<String, Value>,
}

/// A task and what the server keeps beside it.
#[derive(Debug, Clone)]
pub(crate) struct TaskRecord {
    pub(crate) task: Task,
    pub(crate) extra: Map<String, Value>,
    /// When the status last changed.
    pub(crate) since: Instant,
    /// When it was created.
    pub(crate) created: Instant,
    /// When it first completed or failed.
    pub(crate) finished: Option<Instant>,
}

/// Every resource of one simulator.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) agents: BTreeMap<String, AgentRecord>,
    pub(crate) teams: BTreeMap<String, TeamRecord>,
    pub(crate) tasks: BTreeMap<String, TaskRecord>,
    /// Ids of the tasks not finished yet (pending, running, blocked...): what workers look at.
    in_progress: BTreeSet<String>,
    /// Task ids by team, in id order: what a team's list reads.
    by_team: HashMap<String, BTreeSet<String>>,
    /// Where task changes are announced, when something listens.
    changes: Option<ChangeSink>,
    ids: SplitMix64,
}

/// A change to a task, as the real server announces it on NATS.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TaskChange {
    /// Created; the task as the create answered it.
    Created(Value),
    /// Updated (status or fields); the task afterwards.
    Updated {
        /// Its team.
        team_id: String,
        /// Its id.
        task_id: String,
        /// The task as the server writes it.
        task: Value,
    },
}

/// Receives every [`TaskChange`] of a store.
pub(crate) type ChangeSink = tokio::sync::mpsc::UnboundedSender<TaskChange>;

impl Default for Store {
    fn default() -> Self {
        Store {
            agents: BTreeMap::new(),
            teams: BTreeMap::new(),
            tasks: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            by_team: HashMap::new(),
            changes: None,
            ids: SplitMix64::new(ID_SEED),
        }
    }
}

impl Store {
    /// A fresh id, unique among all resources of this store.
    fn new_id(&mut self) -> String {
        loop {
            let id = self.ids.uuid_v4();
            let taken = self.agents.contains_key(&id)
                || self.teams.contains_key(&id)
                || self.tasks.contains_key(&id);
            if !taken {
                return id;
            }
        }
    }

    /// Creates an agent; it starts `offline` whatever the body says. Like the real server,
    /// a create stores only the contract's fields: anything else in the body (`image`,
    /// `cpus`, `memory` of a docker agent) is dropped; a `PATCH` can store it.
    pub(crate) fn create_agent(&mut self, mut fields: AgentFields) -> &AgentRecord {
        let id = self.new_id();
        let now = now_rfc3339();
        fields.extra.clear();
        let mut record = AgentRecord {
            agent: Agent {
                id: id.clone(),
                name: fields.name.take().unwrap_or_else(|| "unnamed".to_owned()),
                label: String::new(),
                program: String::new(),
                working_directory: String::new(),
                program_args: Vec::new(),
                task_description: String::new(),
                tags: Vec::new(),
                owner: String::new(),
                role: "worker".to_owned(),
                host: "local".to_owned(),
                image: None,
                cpus: None,
                memory: None,
                status: AgentStatus::Offline,
                created_at: now,
                updated_at: None,
            },
            extra: Map::new(),
            online_since: None,
        };
        record.merge(fields);
        self.agents.entry(id).or_insert(record)
    }

    /// The agent with this id.
    pub(crate) fn agent(&self, id: &str) -> Option<&AgentRecord> {
        self.agents.get(id)
    }

    /// An agent with this name: with duplicates, the first in id order (which is not the
    /// first created, so callers cannot rely on which one they get, as with the real server).
    pub(crate) fn agent_by_name(&self, name: &str) -> Option<&AgentRecord> {
        self.agents
            .values()
            .find(|record| record.agent.name == name)
    }

    /// Merges fields into an agent.
    pub(crate) fn update_agent(
        &mut self,
        id: &str,
        fields: AgentFields,
        status: Option<AgentStatus>,
    ) -> Option<&AgentRecord> {
        let record = self.agents.get_mut(id)?;
        record.merge(fields);
        if let Some(status) = status {
            record.set_status(status);
        }
        Some(record)
    }

    /// Starts (`online`) or stops (`offline`) an agent; starting a started agent is fine.
    pub(crate) fn set_agent_status(&mut self, id: &str, status: AgentStatus) -> Option<&Agent> {
        let record = self.agents.get_mut(id)?;
        record.set_status(status);
        Some(&record.agent)
    }

    /// Removes an agent; whether it existed.
    pub(crate) fn delete_agent(&mut self, id: &str) -> bool {
        self.agents.remove(id).is_some()
    }

    /// Creates a team; member ids are not checked, as on the real server. Fields the
    /// contract does not name are dropped, as on the real server.
    pub(crate) fn create_team(&mut self, mut fields: TeamFields) -> &TeamRecord {
        let id = self.new_id();
        let agent_ids = fields.members().unwrap_or_default();
        let record = TeamRecord {
            team: Team {
                id: id.clone(),
                name: fields.name.unwrap_or_else(|| "unnamed-team".to_owned()),
                agent_ids,
                created_at: now_rfc3339(),
                updated_at: None,
            },
            extra: Map::new(),
        };
        self.teams.entry(id).or_insert(record)
    }

    /// The team with this id.
    pub(crate) fn team(&self, id: &str) -> Option<&TeamRecord> {
        self.teams.get(id)
    }

    /// Replaces a team's name and/or members; other fields are stored as they came, as the
    /// real server stores unknown fields of an update.
    pub(crate) fn update_team(&mut self, id: &str, mut fields: TeamFields) -> Option<&TeamRecord> {
        let record = self.teams.get_mut(id)?;
        if let Some(members) = fields.members() {
            record.team.agent_ids = members;
        }
        if let Some(name) = fields.name {
            record.team.name = name;
        }
        let mut extra = fields.extra;
        strip_owned(&mut extra, &[]);
        record.extra.extend(extra);
        Some(record)
    }

    /// Removes a team (its tasks stay, like tasks of a team that never existed); whether it
    /// existed.
    pub(crate) fn delete_team(&mut self, id: &str) -> bool {
        self.teams.remove(id).is_some()
    }

    /// Creates a task `pending` on a team, known or not (the real server does not check).
    /// Fields the contract does not name are dropped, as on the real server.
    pub(crate) fn create_task(&mut self, team_id: &str, mut fields: TaskFields) -> &TaskRecord {
        let id = self.new_id();
        fields.extra.clear();
        let mut record = TaskRecord {
            task: Task {
                id: id.clone(),
                team_id: team_id.to_owned(),
                subject: String::new(),
                description: String::new(),
                assignee_agent_id: String::new(),
                blocked_by: Vec::new(),
                kind: "general".to_owned(),
                status: TaskStatus::Pending,
                created_at: now_rfc3339(),
                updated_at: None,
                completed_at: None,
            },
            extra: Map::new(),
            since: Instant::now(),
            created: Instant::now(),
            finished: None,
        };
        record.merge(fields, None);
        self.by_team
            .entry(team_id.to_owned())
            .or_default()
            .insert(id.clone());
        if let Some(changes) = &self.changes {
            // Nobody listening any more is no error: the events are a courtesy.
            let _ = changes.send(TaskChange::Created(record.to_json()));
        }
        self.tasks.insert(id.clone(), record);
        self.track(&id);
        &self.tasks[&id]
    }

    /// How long tasks waited after their dependencies finished: for every task whose
    /// `blockedBy` names only tasks that finished, the time from the last of them finishing
    /// to its creation. Answers the count, the mean and the longest.
    pub(crate) fn handoffs(&self) -> (usize, Duration, Duration) {
        let mut count = 0u32;
        let mut total = Duration::ZERO;
        let mut longest = Duration::ZERO;
        for record in self.tasks.values() {
            if record.task.blocked_by.is_empty() {
                continue;
            }
            let finished: Option<Vec<Instant>> = record
                .task
                .blocked_by
                .iter()
                .map(|id| self.tasks.get(id).and_then(|dep| dep.finished))
                .collect();
            let Some(last) = finished.and_then(|times| times.into_iter().max()) else {
                continue;
            };
            let waited = record.created.saturating_duration_since(last);
            count += 1;
            total += waited;
            longest = longest.max(waited);
        }
        let mean = if count == 0 {
            Duration::ZERO
        } else {
            total / count
        };
        (count as usize, mean, longest)
    }

    /// Announces task changes to `sink` from now on.
    pub(crate) fn announce_to(&mut self, sink: ChangeSink) {
        self.changes = Some(sink);
    }

    /// The ids of tasks not finished yet, in id order.
    pub(crate) fn in_progress(&self) -> Vec<String> {
        self.in_progress.iter().cloned().collect()
    }

    /// Sets a task's status (a worker's report); announces the change.
    pub(crate) fn set_task_status(&mut self, id: &str, status: TaskStatus) {
        if let Some(record) = self.tasks.get_mut(id) {
            record.set_status(status);
            self.track(id);
            self.announce_update(id);
        }
    }

    /// Files a task as in progress or finished after a change, and announces it.
    fn track(&mut self, id: &str) {
        let Some(record) = self.tasks.get(id) else {
            self.in_progress.remove(id);
            return;
        };
        if matches!(
            record.task.status,
            TaskStatus::Completed | TaskStatus::Failed
        ) {
            self.in_progress.remove(id);
        } else {
            self.in_progress.insert(id.to_owned());
        }
    }

    /// Announces that a task changed.
    fn announce_update(&self, id: &str) {
        if let (Some(changes), Some(record)) = (&self.changes, self.tasks.get(id)) {
            let _ = changes.send(TaskChange::Updated {
                team_id: record.task.team_id.clone(),
                task_id: id.to_owned(),
                task: record.to_json(),
            });
        }
    }

    /// The task with this id on this team.
    pub(crate) fn task(&self, team_id: &str, id: &str) -> Option<&TaskRecord> {
        self.tasks
            .get(id)
            .filter(|record| record.task.team_id == team_id)
    }

    /// A team's tasks, in id order.
    pub(crate) fn team_tasks<'a>(
        &'a self,
        team_id: &'a str,
    ) -> impl Iterator<Item = &'a TaskRecord> {
        self.by_team
            .get(team_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.tasks.get(id))
    }

    /// Merges fields into a task of this team.
    pub(crate) fn update_task(
        &mut self,
        team_id: &str,
        id: &str,
        fields: TaskFields,
        status: Option<TaskStatus>,
    ) -> Option<&TaskRecord> {
        let record = self
            .tasks
            .get_mut(id)
            .filter(|record| record.task.team_id == team_id)?;
        record.merge(fields, status);
        self.track(id);
        self.announce_update(id);
        self.tasks.get(id)
    }

    /// Marks a task completed, whatever its team (`POST /v1/tasks/{id}/complete`).
    pub(crate) fn complete_task(&mut self, id: &str) -> Option<&TaskRecord> {
        self.tasks.get_mut(id)?.set_status(TaskStatus::Completed);
        self.track(id);
        self.announce_update(id);
        self.tasks.get(id)
    }
}

impl AgentRecord {
    /// Merges the fields a body sets (not the status: callers validate and set it).
    fn merge(&mut self, fields: AgentFields) {
        let agent = &mut self.agent;
        set(&mut agent.name, fields.name);
        set(&mut agent.label, fields.label);
        set(&mut agent.program, fields.program);
        set(&mut agent.working_directory, fields.working_directory);
        set(&mut agent.program_args, fields.program_args);
        set(&mut agent.task_description, fields.task_description);
        set(&mut agent.tags, fields.tags);
        set(&mut agent.owner, fields.owner);
        set(&mut agent.role, fields.role);
        set(&mut agent.host, fields.host);
        let mut extra = fields.extra;
        strip_owned(&mut extra, &[]);
        self.extra.extend(extra);
        // Docker settings are fields the contract does not know: stored as they came, and
        // shown in the typed view when they have the type it expects.
        agent.image = self
            .extra
            .get("image")
            .and_then(Value::as_str)
            .map(str::to_owned);
        agent.cpus = self
            .extra
            .get("cpus")
            .and_then(Value::as_u64)
            .and_then(|cpus| u32::try_from(cpus).ok());
        agent.memory = self
            .extra
            .get("memory")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }

    fn set_status(&mut self, status: AgentStatus) {
        match status {
            AgentStatus::Online => {
                self.online_since.get_or_insert_with(Instant::now);
            }
            _ => self.online_since = None,
        }
        self.agent.status = status;
    }

    /// The agent as the server writes it: the contract's fields over the stored unknown ones.
    pub(crate) fn to_json(&self) -> Value {
        let agent = &self.agent;
        let known = json!({
            "id": agent.id,
            "name": agent.name,
            "label": agent.label,
            "program": agent.program,
            "workingDirectory": agent.working_directory,
            "programArgs": agent.program_args,
            "taskDescription": agent.task_description,
            "tags": agent.tags,
            "owner": agent.owner,
            "role": agent.role,
            "host": agent.host,
            "status": agent.status.as_str(),
            "createdAt": agent.created_at,
        });
        over(&self.extra, known)
    }
}

impl TeamRecord {
    /// The team as the server writes it.
    pub(crate) fn to_json(&self) -> Value {
        let team = &self.team;
        let known = json!({
            "id": team.id,
            "name": team.name,
            "agentIds": team.agent_ids,
            "createdAt": team.created_at,
        });
        over(&self.extra, known)
    }
}

impl TaskRecord {
    /// Merges the fields a body sets, then the (validated) status.
    fn merge(&mut self, fields: TaskFields, status: Option<TaskStatus>) {
        let task = &mut self.task;
        set(&mut task.subject, fields.subject);
        set(&mut task.description, fields.description);
        set(&mut task.assignee_agent_id, fields.assignee_agent_id);
        set(&mut task.blocked_by, fields.blocked_by);
        set(&mut task.kind, fields.kind);
        let mut extra = fields.extra;
        strip_owned(&mut extra, &["status", "teamId", "completedAt"]);
        self.extra.extend(extra);
        if let Some(status) = status {
            self.set_status(status);
        }
    }

    /// Changes the status; the first completion stamps `completedAt`.
    fn set_status(&mut self, status: TaskStatus) {
        if status == TaskStatus::Completed && self.task.completed_at.is_none() {
            self.task.completed_at = Some(now_rfc3339());
        }
        if status != self.task.status {
            self.since = Instant::now();
        }
        if matches!(status, TaskStatus::Completed | TaskStatus::Failed) && self.finished.is_none() {
            self.finished = Some(Instant::now());
        }
        self.task.status = status;
    }

    /// The task as the server writes it.
    pub(crate) fn to_json(&self) -> Value {
        let task = &self.task;
        let known = json!({
            "id": task.id,
            "teamId": task.team_id,
            "subject": task.subject,
            "description": task.description,
            "assigneeAgentId": task.assignee_agent_id,
            "blockedBy": task.blocked_by,
            "type": task.kind,
            "status": task.status.as_str(),
            "createdAt": task.created_at,
            "completedAt": task.completed_at,
        });
        over(&self.extra, known)
    }
}

/// Replaces `slot` when a value was given.
fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// `known` laid over a copy of `extra`.
fn over(extra: &Map<String, Value>, known: Value) -> Value {
    let mut object = extra.clone();
    if let Value::Object(known) = known {
        object.extend(known);
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent_named(name: &str) -> AgentFields {
        AgentFields {
            name: Some(name.to_owned()),
            ..AgentFields::default()
        }
    }

    #[test]
    fn agents_list_in_id_order_and_names_may_repeat() {
        let mut store = Store::default();
        let first = store.create_agent(agent_named("same")).agent.id.clone();
        let second = store.create_agent(agent_named("same")).agent.id.clone();
        assert_ne!(first, second);
        let ids: Vec<&String> = store.agents.keys().collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(store.agent_by_name("same").is_some());
    }

    #[test]
    fn completion_stamps_once() {
        let mut store = Store::default();
        let id = store
            .create_task("t", TaskFields::default())
            .task
            .id
            .clone();
        let record = store
            .update_task("t", &id, TaskFields::default(), Some(TaskStatus::Completed))
            .expect("task exists");
        let stamped = record.task.completed_at.clone();
        assert!(stamped.is_some());
        let record = store.complete_task(&id).expect("task exists");
        assert_eq!(record.task.completed_at, stamped);
        assert!(store.task("other-team", &id).is_none());
    }

    fn fields(json: &str) -> AgentFields {
        serde_json::from_str(json).expect("valid fields")
    }

    #[test]
    fn a_create_drops_docker_fields_and_a_patch_stores_them() {
        let mut store = Store::default();
        let record = store.create_agent(fields(
            r#"{"name":"d","host":"docker","image":"img","cpus":2,"memory":"4g","status":"online"}"#,
        ));
        assert_eq!(record.agent.host, "docker");
        assert_eq!(record.agent.image, None);
        assert_eq!(record.agent.status, AgentStatus::Offline);
        let json = record.to_json();
        assert!(json.get("image").is_none() && json.get("cpus").is_none());
        assert!(json.get("updatedAt").is_none());
        let id = record.agent.id.clone();
        let created_at = record.agent.created_at.clone();

        let patched = store
            .update_agent(
                &id,
                fields(r#"{"image":"img","cpus":2,"memory":"4g","note":"x","id":"other","createdAt":"then"}"#),
                None,
            )
            .expect("the agent exists");
        assert_eq!(patched.agent.image.as_deref(), Some("img"));
        assert_eq!(patched.agent.cpus, Some(2));
        assert_eq!(patched.agent.memory.as_deref(), Some("4g"));
        let json = patched.to_json();
        assert_eq!(json["cpus"], 2);
        assert_eq!(json["note"], "x", "unknown fields are merged too");
        assert_eq!(json["id"], id.as_str(), "the id cannot be patched");
        assert_eq!(json["createdAt"], created_at.as_str());
        assert!(json.get("updatedAt").is_none());
    }
}

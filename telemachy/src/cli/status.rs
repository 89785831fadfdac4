//! `status`: the live state of the workflow's resources and tasks, read from the server by
//! key. Nothing is kept locally: the server is the only record.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Serialize;

use crate::api;
use crate::cli::connect::Server;
use crate::cli::document::View;
use crate::cli::output::{Failure, print_view};
use crate::executor::lease::{self, LeaseRecord};
use crate::executor::{Plan, SettingsAction, SettingsChange, Snapshot, chain};
use crate::spec::Workflow;

/// The live state, as `status --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct StatusView {
    workflow: String,
    agents: Vec<AgentState>,
    teams: Vec<TeamState>,
    tasks: Vec<TaskState>,
    /// The run lease's records, oldest first: the first that is not stale is the holder;
    /// none when no run holds or waits for the lease.
    lease: Vec<LeaseState>,
}

/// One record of the run lease.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LeaseState {
    /// The record's (a team's) server id.
    server_id: String,
    /// Who made it, e.g. `host ci-7 pid 4242`.
    holder: String,
    /// When the server created it.
    since: String,
    /// The holder's heartbeat counter.
    heartbeat: u64,
    /// Whether it holds the lease (`false`: it waits behind another, or is stale).
    holds: bool,
    /// Whether it looks stale: its process is gone from this machine, or its last
    /// heartbeat is more than twice its expiry ago.
    stale: bool,
}

impl LeaseState {
    /// The states of `records` (oldest first): the oldest record that does not look
    /// stale holds the lease.
    pub(crate) fn of(records: &[LeaseRecord]) -> Vec<LeaseState> {
        let mut held = false;
        records
            .iter()
            .map(|record| {
                let stale = record.looks_stale();
                let holds = !stale && !held;
                held |= holds;
                LeaseState {
                    server_id: record.server_id.clone(),
                    holder: record.holder.clone(),
                    since: record.created_at.clone(),
                    heartbeat: record.beat,
                    holds,
                    stale,
                }
            })
            .collect()
    }

    /// Whether the record looks stale.
    pub(crate) fn is_stale(&self) -> bool {
        self.stale
    }

    /// The record's server id.
    pub(crate) fn server_id(&self) -> &str {
        &self.server_id
    }

    /// One line for a command's text output.
    pub(crate) fn line(&self) -> String {
        let what = if self.holds {
            "held by"
        } else if self.stale {
            "stale, left by"
        } else {
            "waited for by"
        };
        format!(
            "lease  {what} {} since {} (heartbeat {}, id {})",
            self.holder, self.since, self.heartbeat, self.server_id
        )
    }
}

impl View for StatusView {
    const COMMAND: &'static str = "status";
}

#[derive(Debug, Serialize, JsonSchema)]
struct AgentState {
    id: String,
    key: String,
    exists: bool,
    server_id: Option<String>,
    /// `online`, `offline`, ... or `missing`.
    status: String,
    /// What a run would do to bring its settings in line: `in_line`, `update` or
    /// `replace`; absent when the agent is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<SettingsAction>,
    /// The declared settings that changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    settings_changed: Vec<String>,
    /// Whether the agent records another settings fingerprint than the declared one.
    fingerprint_changed: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
struct TeamState {
    id: String,
    key: String,
    server_id: Option<String>,
    exists: bool,
    /// Whether its members are exactly the declared agents' current ids.
    members_in_line: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct TaskState {
    /// The team's identifier.
    team: String,
    /// The task's identifier within its team.
    task: String,
    subject: String,
    /// The server id of the newest attempt.
    server_id: Option<String>,
    /// The status of the newest attempt, or `not submitted`.
    status: String,
    /// Which attempt of the subject the newest is, from 1 (0 when none was submitted):
    /// how many attempts the team holds.
    attempt: usize,
}

/// Prints the live state; exit status 0 unless the server cannot be read.
pub(crate) async fn status(
    workflow: &Workflow,
    json: bool,
    url: Option<&str>,
) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    let server = Server::connect(url).await?;
    let result = read(&plan, &server).await;
    server.close().await;
    let view = result?;
    print_view(&view, json, text)?;
    Ok(ExitCode::SUCCESS)
}

async fn read(plan: &Plan, server: &Server) -> Result<StatusView, Failure> {
    let unreadable = |error: crate::client::Error| {
        Failure::runtime(format!("could not read the server: {}", chain(&error)))
    };
    let snapshot = Snapshot::take(&server.client).await.map_err(unreadable)?;

    let agents: Vec<AgentState> = plan
        .agents
        .iter()
        .map(|agent| {
            let existing = snapshot.agent(&agent.key);
            let change =
                existing.map(|existing| SettingsChange::compare(&agent.definition, existing));
            AgentState {
                id: agent.id.clone(),
                key: agent.key.clone(),
                exists: existing.is_some(),
                server_id: existing.map(|agent| agent.id.clone()),
                status: existing.map_or_else(|| "missing".to_owned(), |a| a.status.to_string()),
                settings: change.as_ref().map(|change| change.action),
                fingerprint_changed: change
                    .as_ref()
                    .is_some_and(SettingsChange::fingerprint_changed),
                settings_changed: change.map(|change| change.settings).unwrap_or_default(),
            }
        })
        .collect();

    let mut teams = Vec::with_capacity(plan.teams.len());
    let mut tasks = Vec::with_capacity(plan.tasks.len());
    for team in &plan.teams {
        let existing = snapshot.team(&team.key);
        let members_in_line = existing.map(|existing| {
            let wanted: Option<BTreeSet<&str>> = team
                .members
                .iter()
                .map(|&member| agents[member].server_id.as_deref())
                .collect();
            let present: BTreeSet<&str> = existing.agent_ids.iter().map(String::as_str).collect();
            wanted.is_some_and(|wanted| wanted == present)
        });
        teams.push(TeamState {
            id: team.id.clone(),
            key: team.key.clone(),
            server_id: existing.map(|team| team.id.clone()),
            exists: existing.is_some(),
            members_in_line,
        });

        let listed = match existing {
            Some(existing) => server
                .client
                .list_tasks(&existing.id)
                .await
                .map_err(unreadable)?,
            None => Vec::new(),
        };
        for &index in &team.tasks {
            let planned = &plan.tasks[index];
            let attempts: Vec<&api::Task> = listed
                .iter()
                .filter(|task| task.subject == planned.subject)
                .collect();
            let newest = crate::executor::newest_attempt(&attempts);
            tasks.push(TaskState {
                team: team.id.clone(),
                task: planned.id.clone(),
                subject: planned.subject.clone(),
                server_id: newest.map(|task| task.id.clone()),
                status: newest.map_or_else(|| "not submitted".to_owned(), |t| t.status.to_string()),
                attempt: attempts.len(),
            });
        }
    }
    Ok(StatusView {
        workflow: plan.workflow.clone(),
        agents,
        teams,
        tasks,
        lease: LeaseState::of(&lease::records_in(snapshot.teams(), &plan.workflow)),
    })
}

fn text(view: &StatusView) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "workflow {}:", view.workflow);
    for agent in &view.agents {
        let id = agent
            .server_id
            .as_deref()
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        let settings = match agent.settings {
            Some(SettingsAction::InLine) | None => String::new(),
            Some(action) => {
                let fingerprint = if agent.fingerprint_changed {
                    "settings fingerprint changed"
                } else {
                    "settings differ"
                };
                let changed = if agent.settings_changed.is_empty() {
                    "not all recorded on the server".to_owned()
                } else {
                    agent.settings_changed.join(", ")
                };
                format!(
                    ", {fingerprint} ({changed}): a run will {}",
                    action.as_str()
                )
            }
        };
        let _ = writeln!(
            text,
            "  agent {}  {}  {}{id}{settings}",
            agent.id, agent.key, agent.status
        );
    }
    for team in &view.teams {
        let state = match (&team.server_id, team.members_in_line) {
            (Some(id), Some(true)) => format!("exists (id {id}), members in line"),
            (Some(id), _) => format!("exists (id {id}), members differ from the definition"),
            _ => "missing".to_owned(),
        };
        let _ = writeln!(text, "  team {}  {}  {state}", team.id, team.key);
    }
    if view.lease.is_empty() {
        let _ = writeln!(text, "  lease  free: no run holds it");
    }
    for lease in &view.lease {
        let _ = writeln!(text, "  {}", lease.line());
    }
    for task in &view.tasks {
        let attempt = if task.attempt > 1 {
            format!(" (attempt {})", task.attempt)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  task {}.{}  \"{}\"  {}{attempt}",
            task.team, task.task, task.subject, task.status
        );
    }
    text.trim_end().to_owned()
}

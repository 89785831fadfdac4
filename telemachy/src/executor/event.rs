//! What a run reports while it happens; the command line's progress display is built on
//! these.

use std::fmt;

use serde::Serialize;

use crate::executor::report::{ResourceKind, RunStatus};

/// Something that happened during a run. Resources are named by their identifier in the
/// workflow, with their key (their name on the server) and server id where they have one;
/// tasks by their reference `team.task`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The existing agents and teams were read.
    SnapshotTaken {
        /// How many agents the server has.
        agents: usize,
        /// How many teams the server has.
        teams: usize,
    },
    /// `--force`: existing resources of this workflow stay as they are and are not reused.
    LeftBehind {
        /// How many agents are left behind.
        agents: usize,
        /// How many teams are left behind.
        teams: usize,
    },
    /// An agent was created.
    AgentCreated {
        /// The agent.
        agent: String,
        /// Its key.
        key: String,
        /// Its server id.
        id: String,
    },
    /// An existing agent with the agent's key is used.
    AgentReused {
        /// The agent.
        agent: String,
        /// Its key.
        key: String,
        /// Its server id.
        id: String,
        /// Settings (`cpus`, `memory`) in which the server's agent differs from the
        /// definition; an [`Event::AgentUpdated`] follows once they are corrected. (An agent
        /// whose program, model, working directory, runtime or image changed is replaced
        /// instead: [`Event::AgentReplaced`].)
        differs: Vec<String>,
    },
    /// A reused agent was brought in line with a `PATCH`: changed settings, or what the
    /// server had not stored (the settings fingerprint, docker settings after a create).
    AgentUpdated {
        /// The agent.
        agent: String,
        /// Its server id.
        id: String,
        /// The declared settings that changed (empty when only unrecorded ones were stored).
        settings: Vec<String>,
    },
    /// An agent whose settings changed was replaced by a new one under the same key; the
    /// old one is deleted once every team of the workflow has moved to the new one
    /// ([`Event::AgentRetired`]).
    AgentReplaced {
        /// The agent.
        agent: String,
        /// Its key.
        key: String,
        /// The new agent's server id.
        id: String,
        /// The old agent's server id.
        replaced: String,
        /// The declared settings that changed.
        settings: Vec<String>,
    },
    /// An agent that a replacement superseded was stopped and deleted, after the teams had
    /// moved to its replacement.
    AgentRetired {
        /// The agent.
        agent: String,
        /// The superseded agent's server id.
        id: String,
    },
    /// Deleting a superseded agent failed. It is in no team of the workflow and marked as
    /// superseded, so the next run (or `check --prune`) deletes it; the run's outcome stands.
    RetireFailed {
        /// The agent.
        agent: String,
        /// The superseded agent's server id.
        id: String,
        /// What went wrong.
        error: String,
    },
    /// An agent was started.
    AgentStarted {
        /// The agent.
        agent: String,
        /// Its server id.
        id: String,
    },
    /// A team was created.
    TeamCreated {
        /// The team.
        team: String,
        /// Its key.
        key: String,
        /// Its server id.
        id: String,
    },
    /// An existing team with the team's key is used.
    TeamReused {
        /// The team.
        team: String,
        /// Its key.
        key: String,
        /// Its server id.
        id: String,
    },
    /// A reused team's members were brought in line with the definition.
    TeamReconciled {
        /// The team.
        team: String,
        /// Its server id.
        id: String,
        /// How many members were added.
        added: usize,
        /// How many stale members were removed.
        removed: usize,
    },
    /// Provisioning an agent or a team failed.
    ProvisionFailed {
        /// An agent or a team.
        kind: ResourceKind,
        /// The resource.
        resource: String,
        /// What went wrong.
        error: String,
    },
    /// A task was submitted (a first attempt, or a new one after a failed attempt).
    TaskSubmitted {
        /// The task.
        task: String,
        /// Its server id.
        id: String,
        /// Which attempt this is, from 1.
        attempt: u32,
    },
    /// A task submitted by an earlier run is still under way; it is watched, not submitted
    /// again.
    TaskAdopted {
        /// The task.
        task: String,
        /// Its server id.
        id: String,
        /// Its status on the server.
        status: String,
    },
    /// A task completed in an earlier run; it is not run again.
    TaskAlreadyCompleted {
        /// The task.
        task: String,
        /// Its server id.
        id: String,
    },
    /// A worker picked a task up.
    TaskRunning {
        /// The task.
        task: String,
        /// Its server id.
        id: String,
    },
    /// A task completed.
    TaskCompleted {
        /// The task.
        task: String,
        /// Its server id.
        id: String,
    },
    /// A task failed, or could not be submitted or followed.
    TaskFailed {
        /// The task.
        task: String,
        /// Its server id, if it was submitted.
        id: Option<String>,
        /// What went wrong, when the executor knows more than the status.
        error: Option<String>,
    },
    /// A task will not run because a dependency failed or was skipped.
    TaskSkipped {
        /// The task.
        task: String,
        /// The dependency that held it back.
        dependency: String,
    },
    /// The run stops early.
    Stopping {
        /// Why: `cancelled` or `timed_out`.
        status: RunStatus,
    },
    /// Teardown begins.
    TeardownStarted {
        /// The policy that applies.
        policy: String,
    },
    /// A team was deleted.
    TeamDeleted {
        /// The team.
        team: String,
        /// Its server id.
        id: String,
    },
    /// An agent was stopped and deleted.
    AgentDeleted {
        /// The agent.
        agent: String,
        /// Its server id.
        id: String,
    },
    /// Deleting a resource failed; the run's outcome stands.
    TeardownFailed {
        /// An agent or a team.
        kind: ResourceKind,
        /// The resource.
        resource: String,
        /// What went wrong.
        error: String,
    },
    /// The run is over.
    RunFinished {
        /// How it ended.
        status: RunStatus,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::SnapshotTaken { agents, teams } => {
                write!(f, "server has {agents} agent(s) and {teams} team(s)")
            }
            Event::LeftBehind { agents, teams } => write!(
                f,
                "--force: leaving {agents} existing agent(s) and {teams} team(s) of this \
                 workflow in place (see `check --prune`)"
            ),
            Event::AgentCreated { agent, key, .. } => write!(f, "agent {agent}: created {key}"),
            Event::AgentReused {
                agent,
                key,
                differs,
                ..
            } => {
                write!(f, "agent {agent}: reused {key}")?;
                if !differs.is_empty() {
                    write!(f, " (changed: {}; updating it)", differs.join(", "))?;
                }
                Ok(())
            }
            Event::AgentUpdated {
                agent, settings, ..
            } => {
                if settings.is_empty() {
                    write!(f, "agent {agent}: settings recorded on the server")
                } else {
                    write!(f, "agent {agent}: updated {}", settings.join(", "))
                }
            }
            Event::AgentReplaced {
                agent,
                key,
                settings,
                ..
            } => write!(
                f,
                "agent {agent}: replaced {key} (changed: {})",
                settings.join(", ")
            ),
            Event::AgentRetired { agent, id } => {
                write!(f, "agent {agent}: deleted the replaced agent {id}")
            }
            Event::RetireFailed { agent, id, error } => write!(
                f,
                "agent {agent}: could not delete the replaced agent {id}: {error}"
            ),
            Event::AgentStarted { agent, .. } => write!(f, "agent {agent}: started"),
            Event::TeamCreated { team, key, .. } => write!(f, "team {team}: created {key}"),
            Event::TeamReused { team, key, .. } => write!(f, "team {team}: reused {key}"),
            Event::TeamReconciled {
                team,
                added,
                removed,
                ..
            } => write!(
                f,
                "team {team}: members brought in line ({added} added, {removed} removed)"
            ),
            Event::ProvisionFailed {
                kind,
                resource,
                error,
            } => write!(f, "{kind} {resource}: failed: {error}"),
            Event::TaskSubmitted { task, attempt, .. } if *attempt > 1 => {
                write!(f, "task {task}: submitted again (attempt {attempt})")
            }
            Event::TaskSubmitted { task, .. } => write!(f, "task {task}: submitted"),
            Event::TaskAdopted { task, status, .. } => {
                write!(f, "task {task}: already {status}, watching it")
            }
            Event::TaskAlreadyCompleted { task, .. } => {
                write!(f, "task {task}: completed earlier, not run again")
            }
            Event::TaskRunning { task, .. } => write!(f, "task {task}: running"),
            Event::TaskCompleted { task, .. } => write!(f, "task {task}: completed"),
            Event::TaskFailed { task, error, .. } => match error {
                Some(error) => write!(f, "task {task}: failed: {error}"),
                None => write!(f, "task {task}: failed"),
            },
            Event::TaskSkipped { task, dependency } => {
                write!(
                    f,
                    "task {task}: skipped, because {dependency} did not complete"
                )
            }
            Event::Stopping { status } => write!(f, "stopping: {status}"),
            Event::TeardownStarted { policy } => write!(f, "teardown ({policy})"),
            Event::TeamDeleted { team, .. } => write!(f, "team {team}: deleted"),
            Event::AgentDeleted { agent, .. } => write!(f, "agent {agent}: deleted"),
            Event::TeardownFailed {
                kind,
                resource,
                error,
            } => write!(f, "{kind} {resource}: could not delete: {error}"),
            Event::RunFinished { status } => write!(f, "run {status}"),
        }
    }
}

//! What a run did: the [`Report`] that [`run`](crate::executor::run) returns.

use std::fmt;

use serde::Serialize;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every task completed.
    Succeeded,
    /// Provisioning failed, or a task failed or was skipped.
    Failed,
    /// The run was cancelled before it finished.
    Cancelled,
    /// The workflow's timeout ran out before it finished.
    TimedOut,
}

impl RunStatus {
    /// The status as reports write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::TimedOut => "timed_out",
        }
    }

    /// Whether the run succeeded.
    pub const fn is_success(self) -> bool {
        matches!(self, RunStatus::Succeeded)
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of a run. A dry run (see [`dry_run`](Report::dry_run)) reports what a run
/// would do: its actions are intentions and new resources have no server id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct Report {
    /// The workflow's name.
    pub workflow: String,
    /// How the run ended.
    pub status: RunStatus,
    /// Whether this was a dry run that changed nothing.
    pub dry_run: bool,
    /// Whether reuse was skipped (`--force`).
    pub forced: bool,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// How long each phase took.
    pub timings: Timings,
    /// Every agent of the workflow, in declaration order.
    pub agents: Vec<ResourceReport>,
    /// Every team of the workflow, in declaration order.
    pub teams: Vec<ResourceReport>,
    /// Every task of the workflow: teams in declaration order, then tasks.
    pub tasks: Vec<TaskReport>,
    /// `--force`: the existing resources of this workflow that the run did not reuse and
    /// left in place.
    pub left_behind: Vec<LeftBehind>,
    /// The workflow's orphans on the server when the run started; the run leaves them in
    /// place (`check --prune` and `destroy` remove them).
    pub orphans: Vec<Orphan>,
    /// The teardown that followed the run.
    pub teardown: TeardownReport,
    /// Why the run failed, one line each; empty on success.
    pub errors: Vec<String>,
}

impl Report {
    /// The agents and teams this run created (including replacements of agents whose
    /// settings changed).
    pub fn created(&self) -> impl Iterator<Item = &ResourceReport> {
        self.resources().filter(|resource| {
            matches!(
                resource.action,
                ResourceAction::Created | ResourceAction::Replaced
            )
        })
    }

    /// The agents and teams this run reused (including reconciled teams and updated
    /// agents).
    pub fn reused(&self) -> impl Iterator<Item = &ResourceReport> {
        self.resources().filter(|resource| {
            matches!(
                resource.action,
                ResourceAction::Reused | ResourceAction::Reconciled | ResourceAction::Updated
            )
        })
    }

    /// The agents and teams the teardown deleted.
    pub fn deleted(&self) -> impl Iterator<Item = &ResourceReport> {
        self.resources().filter(|resource| resource.deleted)
    }

    /// The task `task` of team `team` (identifiers in the workflow).
    pub fn task(&self, team: &str, task: &str) -> Option<&TaskReport> {
        self.tasks
            .iter()
            .find(|report| report.team == team && report.task == task)
    }

    fn resources(&self) -> impl Iterator<Item = &ResourceReport> {
        self.agents.iter().chain(&self.teams)
    }
}

/// How long each phase of a run took, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct Timings {
    /// Reading the server and provisioning agents and teams.
    pub provision_ms: u64,
    /// Submitting and watching tasks.
    pub tasks_ms: u64,
    /// Teardown.
    pub teardown_ms: u64,
    /// The whole run.
    pub total_ms: u64,
}

/// What a run did with one agent or team (for a dry run: what it would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResourceAction {
    /// Created by this run.
    Created,
    /// Found by key and used as it was.
    Reused,
    /// Found by key; its members were brought in line with the definition.
    Reconciled,
    /// An agent found by key whose settings were brought in line with a `PATCH` (changed
    /// CPUs or memory, or what the server had not stored: the settings fingerprint, docker
    /// settings).
    Updated,
    /// An agent found by key whose program, model, working directory, runtime or image
    /// changed: a new agent was made under the key, the teams moved to it and the old one
    /// was deleted.
    Replaced,
    /// Provisioning it failed.
    Failed,
    /// The run ended before it was provisioned.
    NotProvisioned,
}

impl ResourceAction {
    /// The action as reports write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceAction::Created => "created",
            ResourceAction::Reused => "reused",
            ResourceAction::Reconciled => "reconciled",
            ResourceAction::Updated => "updated",
            ResourceAction::Replaced => "replaced",
            ResourceAction::Failed => "failed",
            ResourceAction::NotProvisioned => "not provisioned",
        }
    }
}

/// The change a run makes (or, for a dry run, would make) to one resource: what plans
/// list for each agent and team, and each orphan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Created anew.
    Create,
    /// Found by key and used as it is.
    Reuse,
    /// Found by key; its members are set to the declared agents.
    ReconcileMembers,
    /// Found by key; its settings are brought in line in place.
    UpdateSettings,
    /// Found by key; replaced by a new resource with the declared settings.
    Replace,
    /// A resource of this workflow that nothing declared accounts for; a run leaves it in
    /// place (`check --prune` and `destroy` remove it).
    Orphan,
    /// Nothing can be said: provisioning failed, or the run ended before it.
    Unknown,
}

impl Change {
    /// The change as plans write it (`create`, `reconcile members`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Reuse => "reuse",
            Change::ReconcileMembers => "reconcile members",
            Change::UpdateSettings => "update settings",
            Change::Replace => "replace",
            Change::Orphan => "orphan",
            Change::Unknown => "unknown",
        }
    }

    /// Whether a run makes this change on the server. Reusing changes nothing; an orphan is
    /// left alone.
    pub const fn is_pending(self) -> bool {
        matches!(
            self,
            Change::Create | Change::ReconcileMembers | Change::UpdateSettings | Change::Replace
        )
    }
}

impl From<ResourceAction> for Change {
    fn from(action: ResourceAction) -> Self {
        match action {
            ResourceAction::Created => Change::Create,
            ResourceAction::Reused => Change::Reuse,
            ResourceAction::Reconciled => Change::ReconcileMembers,
            ResourceAction::Updated => Change::UpdateSettings,
            ResourceAction::Replaced => Change::Replace,
            ResourceAction::Failed | ResourceAction::NotProvisioned => Change::Unknown,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One agent or team of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct ResourceReport {
    /// The identifier in the workflow.
    pub id: String,
    /// The key: its name on the server.
    pub key: String,
    /// Its server id, once it exists.
    pub server_id: Option<String>,
    /// What the run did with it.
    pub action: ResourceAction,
    /// The settings of an updated or replaced agent that had changed (for a dry run, that
    /// differ).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differs: Vec<String>,
    /// The server ids of the agents a replacement superseded: the one replaced and any left
    /// by an earlier, interrupted replacement. Deleted after the teams moved, unless the
    /// run stopped first (the next run then deletes them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<String>,
    /// Whether the teardown deleted it.
    pub deleted: bool,
    /// What went wrong, when provisioning failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The two kinds of resource a workflow provisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// An agent.
    Agent,
    /// A team.
    Team,
}

impl ResourceKind {
    /// `agent` or `team`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Agent => "agent",
            ResourceKind::Team => "team",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a task ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    /// Completed during this run.
    Completed,
    /// Completed before this run; not run again.
    AlreadyCompleted,
    /// Failed, or could not be submitted or followed.
    Failed,
    /// Not submitted because a dependency failed or was skipped.
    Skipped,
    /// Submitted, but not finished when the run stopped (cancelled or timed out).
    Unfinished,
    /// Not submitted: the run stopped first, or this is a dry run.
    NotSubmitted,
}

impl TaskOutcome {
    /// The outcome as reports write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskOutcome::Completed => "completed",
            TaskOutcome::AlreadyCompleted => "already completed",
            TaskOutcome::Failed => "failed",
            TaskOutcome::Skipped => "skipped",
            TaskOutcome::Unfinished => "unfinished",
            TaskOutcome::NotSubmitted => "not submitted",
        }
    }

    /// Whether the task's work is done.
    pub const fn is_complete(self) -> bool {
        matches!(self, TaskOutcome::Completed | TaskOutcome::AlreadyCompleted)
    }
}

/// Where the task the run followed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskOrigin {
    /// Submitted by this run, the subject's first attempt.
    Submitted,
    /// Submitted by this run as a new attempt after an earlier one failed.
    Retried,
    /// Submitted by an earlier run and still under way; watched, not submitted again.
    Adopted,
    /// Completed by an earlier run.
    Existing,
}

/// One task of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct TaskReport {
    /// The team's identifier in the workflow.
    pub team: String,
    /// The task's identifier within its team.
    pub task: String,
    /// The subject.
    pub subject: String,
    /// The server id of the attempt that counts, once there is one.
    pub server_id: Option<String>,
    /// Which attempt of the subject that is, from 1 (0 when none was submitted).
    pub attempt: u32,
    /// Where that attempt came from; for a dry run, what the run would do.
    pub origin: Option<TaskOrigin>,
    /// How it ended up.
    pub outcome: TaskOutcome,
    /// The last status the server reported.
    pub status: Option<String>,
    /// The dependency (`team.task`) that held a skipped task back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_because: Option<String>,
    /// What went wrong beyond the status: a submission or watching error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// From submission (or adoption) to the end, in milliseconds.
    pub elapsed_ms: Option<u64>,
}

/// An existing resource of the workflow that a `--force` run left in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct LeftBehind {
    /// An agent or a team.
    pub kind: ResourceKind,
    /// Its name on the server (a `tlm-*` key).
    pub key: String,
    /// Its server id.
    pub server_id: String,
}

/// A resource of the workflow on the server that no declared resource accounts for, as the
/// run found it (see [`Inventory`](crate::executor::Inventory)). A run leaves it in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct Orphan {
    /// An agent or a team.
    pub kind: ResourceKind,
    /// Its name on the server (a `tlm-*` key).
    pub key: String,
    /// Its server id.
    pub server_id: String,
    /// Why it belongs to the workflow.
    pub relation: crate::executor::Relation,
}

/// What the teardown did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct TeardownReport {
    /// The policy that applied (`on_completion`, `on_failure`, `never`).
    pub policy: String,
    /// Whether the policy called for deleting this run's resources.
    pub applied: bool,
    /// What could not be deleted, one line each; never changes the run's status.
    pub errors: Vec<String>,
}

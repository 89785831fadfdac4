//! The idempotent executor: provisions a workflow on an Agamemnon server, runs its tasks in
//! dependency order, watches them to the end and tears down by policy.
//!
//! Every agent and team is named on the server by its idempotency key, so a second run
//! finds and reuses what the first one made instead of duplicating it:
//!
//! 1. One [`Snapshot`] of the server's agents and teams (every page), indexed by key.
//! 2. Agents: reused by key, else created (name = key, label = readable name, tags
//!    `telemachy` and `telemachy-workflow=<name>`); started unless the snapshot says they
//!    are online (409, or 400 saying it is running, is fine; any other error fails the run).
//! 3. Teams: reused by key, else created with their members; a reused team's members are
//!    brought in line with the definition.
//! 4. Tasks, identified by team and subject: in a reused team the newest attempt of each
//!    subject counts. Completed tasks are not run again, tasks under way are watched, and
//!    failed ones get a new attempt; new tasks are submitted once their dependencies (in any
//!    team) completed. A task whose dependency failed is skipped.
//! 5. One list request per team per poll interval (sooner after submitting a task that
//!    others wait for) until every task is terminal, within the workflow's timeout; a
//!    [`Cancellation`] stops the run within a poll.
//! 6. Teardown by policy: agents first, then teams (the record of the work done goes last,
//!    so a run killed during its teardown is resumed without redoing any task).
//!
//! Provisioning, task submissions and reads run concurrently, at most
//! [`RunOptions::concurrency`] requests at once.
//!
//! ```no_run
//! use telemachy::executor::{self, RunOptions};
//! use telemachy::spec::{Agent, Task, Team, Workflow};
//! use telemachy::{Client, Config};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let mut workflow = Workflow::new("greetings");
//! workflow.agents.push(Agent::new("greeter"));
//! let mut team = Team::new("desk", ["greeter"]);
//! team.tasks.push(Task::new("hello", "Say hello", "greeter"));
//! workflow.teams.push(team);
//!
//! let client = Client::new(Config::from_env()?)?;
//! let report = executor::run(&workflow, &client, RunOptions::new()).await?;
//! println!("{}: {} created", report.status, report.created().count());
//! # Ok(())
//! # }
//! ```

mod bounded;
mod error;
mod event;
#[cfg(test)]
mod fixtures;
mod inventory;
pub mod lease;
mod nats;
mod options;
mod plan;
mod provision;
mod reads;
mod ready;
mod report;
mod settings;
mod snapshot;
mod stop;
mod tasks;
mod teardown;

use std::time::{Instant, SystemTime};

pub use error::Error;
pub use event::Event;
pub use inventory::{Inventory, InventoryEntry, Relation};
pub use options::{Cancellation, DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL, RunOptions};
pub use plan::{
    OWNER_TAG, Plan, PlanError, PlannedAgent, PlannedTask, PlannedTeam, WORKFLOW_TAG_PREFIX,
};
pub use report::{
    Change, LeftBehind, Orphan, Report, ResourceAction, ResourceKind, ResourceReport, RunStatus,
    TaskOrigin, TaskOutcome, TaskReport, TeardownReport, Timings,
};
pub use settings::{
    SETTINGS_TAG_PREFIX, SUPERSEDED_TAG, SettingsAction, SettingsChange, settings_fingerprint,
};
pub use snapshot::Snapshot;

// For the command line.
pub(crate) use crate::timestamp::format_rfc3339;
#[cfg_attr(not(feature = "cli"), allow(unused_imports))]
pub(crate) use error::chain;
#[cfg_attr(not(feature = "cli"), allow(unused_imports))]
pub(crate) use tasks::newest_attempt;
#[cfg_attr(not(feature = "cli"), allow(unused_imports))]
pub(crate) use teardown::delete_each;
// The executor's modules name it `crate::executor::timestamp`, where it lived before.
use crate::timestamp;

use crate::client::Client;
use crate::spec::Workflow;
use provision::Provisioning;
use stop::Stop;
use tasks::TeamSlot;

/// Runs `workflow` on the server behind `client`; see the [module documentation](self).
///
/// Returns an [`Error`] only when nothing on the server was changed: the workflow is
/// invalid, or the server's agents and teams could not be read. Everything that goes wrong
/// later is in the [`Report`], whose [`status`](Report::status) says how the run ended.
pub async fn run(
    workflow: &Workflow,
    client: &Client,
    options: RunOptions,
) -> Result<Report, Error> {
    let plan = Plan::new(workflow)?;
    run_plan(&plan, client, options).await
}

/// Runs an already resolved `plan`; see [`run`].
pub async fn run_plan(plan: &Plan, client: &Client, options: RunOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let started_at = format_rfc3339(SystemTime::now());
    // A timeout too long for the clock (only a hand-built plan can hold one: the rules
    // bound it) is no deadline at all, never a panic.
    let deadline = plan
        .timeout
        .and_then(|timeout| tokio::time::Instant::now().checked_add(timeout));
    let stop = Stop::new(options.cancellation.clone(), deadline);

    let snapshot = match stop.interrupt(Snapshot::take(client)).await {
        Ok(Ok(snapshot)) => snapshot,
        Ok(Err(error)) => return Err(Error::Snapshot(error)),
        Err(reason) => {
            let provisioning = provision::unprovisioned(plan);
            let tasks = tasks::not_submitted(plan);
            let mut report = assemble(plan, &options, started_at, provisioning, tasks);
            report.status = reason;
            report.timings.total_ms = millis(started.elapsed());
            options.emit(Event::RunFinished { status: reason });
            return Ok(report);
        }
    };
    options.emit(Event::SnapshotTaken {
        agents: snapshot.agents().len(),
        teams: snapshot.teams().len(),
    });

    let inventory = Inventory::new(plan, &snapshot);
    let orphans: Vec<Orphan> = inventory
        .orphans()
        .map(|entry| Orphan {
            kind: entry.kind,
            key: entry.name.clone(),
            server_id: entry.server_id.clone(),
            relation: entry.relation,
        })
        .collect();
    let left_behind = if options.force {
        let left_behind: Vec<LeftBehind> = inventory
            .owned()
            .map(|entry| LeftBehind {
                kind: entry.kind,
                key: entry.name.clone(),
                server_id: entry.server_id.clone(),
            })
            .collect();
        let count = |kind| left_behind.iter().filter(|left| left.kind == kind).count();
        options.emit(Event::LeftBehind {
            agents: count(ResourceKind::Agent),
            teams: count(ResourceKind::Team),
        });
        left_behind
    } else {
        Vec::new()
    };

    let provisioning = provision::provision(plan, &snapshot, client, &options, &stop).await;
    let provision_elapsed = started.elapsed();

    let tasks_started = Instant::now();
    let mut errors = provisioning.errors.clone();
    let (status, task_reports) = if options.dry_run {
        preview(plan, client, &provisioning, &mut errors).await
    } else if let Some(reason) = provisioning.stopped {
        (reason, tasks::not_submitted(plan))
    } else if !provisioning.is_complete() {
        (RunStatus::Failed, tasks::not_submitted(plan))
    } else {
        let teams: Vec<TeamSlot> = provisioning
            .teams
            .iter()
            .map(|team| TeamSlot {
                server_id: team.server_id.clone().unwrap_or_default(),
                reused: matches!(
                    team.action,
                    ResourceAction::Reused | ResourceAction::Reconciled
                ),
            })
            .collect();
        let agent_ids: Vec<String> = provisioning
            .agents
            .iter()
            .map(|agent| agent.server_id.clone().unwrap_or_default())
            .collect();
        let team_ids: Vec<String> = teams.iter().map(|team| team.server_id.clone()).collect();
        let feed = options
            .nats_url
            .as_deref()
            .and_then(|url| nats::Feed::start(url, &team_ids));
        let run = tasks::run_tasks(plan, client, &options, &stop, &teams, &agent_ids, feed).await;
        errors.extend(run.errors);
        (run.status, run.reports)
    };
    let tasks_elapsed = tasks_started.elapsed();
    if matches!(status, RunStatus::Cancelled | RunStatus::TimedOut) {
        options.emit(Event::Stopping { status });
        match status {
            RunStatus::TimedOut => errors.push(format!(
                "the workflow's timeout of {} s ran out",
                plan.timeout.unwrap_or_default().as_secs_f64()
            )),
            _ => errors.push("the run was cancelled".to_owned()),
        }
    }

    let mut report = assemble(plan, &options, started_at, provisioning, task_reports);
    report.status = status;
    report.left_behind = left_behind;
    report.orphans = orphans;
    report.errors = errors;

    let teardown_started = Instant::now();
    let policy = options.teardown_policy(plan.teardown);
    report.teardown.applied = !options.dry_run && policy.applies(status.is_success());
    if report.teardown.applied {
        options.emit(Event::TeardownStarted {
            policy: policy.to_string(),
        });
        report.teardown.errors =
            teardown::tear_down(client, &options, &mut report.teams, &mut report.agents).await;
    }
    report.timings.provision_ms = millis(provision_elapsed);
    report.timings.tasks_ms = millis(tasks_elapsed);
    report.timings.teardown_ms = millis(teardown_started.elapsed());
    report.timings.total_ms = millis(started.elapsed());
    options.emit(Event::RunFinished { status });
    Ok(report)
}

async fn preview(
    plan: &Plan,
    client: &Client,
    provisioning: &Provisioning,
    errors: &mut Vec<String>,
) -> (RunStatus, Vec<TaskReport>) {
    let team_ids: Vec<Option<String>> = provisioning
        .teams
        .iter()
        .map(|team| team.server_id.clone())
        .collect();
    let agent_ids: Vec<Option<String>> = provisioning
        .agents
        .iter()
        .map(|agent| agent.server_id.clone())
        .collect();
    match tasks::preview_tasks(plan, client, &team_ids, &agent_ids).await {
        Ok(reports) => (RunStatus::Succeeded, reports),
        Err(error) => {
            errors.push(error);
            (RunStatus::Failed, tasks::not_submitted(plan))
        }
    }
}

fn assemble(
    plan: &Plan,
    options: &RunOptions,
    started_at: String,
    provisioning: Provisioning,
    tasks: Vec<TaskReport>,
) -> Report {
    Report {
        workflow: plan.workflow.clone(),
        status: RunStatus::Failed,
        dry_run: options.dry_run,
        forced: options.force,
        started_at,
        timings: Timings::default(),
        agents: provisioning.agents,
        teams: provisioning.teams,
        tasks,
        left_behind: Vec::new(),
        orphans: Vec::new(),
        teardown: TeardownReport {
            policy: options.teardown_policy(plan.teardown).to_string(),
            applied: false,
            errors: Vec::new(),
        },
        errors: Vec::new(),
    }
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

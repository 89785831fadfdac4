//! `run`: execute the workflow, show progress, print the report.

use std::fmt::Write as _;
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cli::args::RunArgs;
use crate::cli::connect::{Server, ServerView};
use crate::cli::document::View;
use crate::cli::exit;
use crate::cli::lease::{give_back, take_lease};
use crate::cli::output::{Failure, exit_status, print_json, print_text};
use crate::cli::progress::Progress;
use crate::cli::signals;
use crate::executor::{
    self, Cancellation, Change, Plan, Report, ResourceAction, ResourceKind, ResourceReport,
    RunOptions, TaskOrigin, TaskOutcome, chain,
};
use crate::spec::Workflow;

/// Runs the workflow; exit status 0 when it succeeded, 1 otherwise.
pub(crate) async fn run(
    workflow: &Workflow,
    args: &RunArgs,
    json: bool,
    url: Option<&str>,
) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    let server = Server::connect(url).await?;
    // A dry run's summary lists every intention; progress lines would only repeat it.
    let progress = Progress::new(json || args.dry_run, plan.tasks.len());
    let cancellation = Cancellation::new();
    let signals = tokio::spawn(signals::watch(cancellation.clone(), progress.clone()));

    let mut options = RunOptions::new()
        .force(args.force)
        .dry_run(args.dry_run)
        .poll_interval(
            args.poll_interval
                .unwrap_or_else(|| server.default_poll_interval()),
        )
        .concurrency(args.concurrency)
        .nats_url(std::env::var("NATS_URL").unwrap_or_default())
        .cancellation(cancellation.clone());
    if let Some(policy) = args.teardown {
        options = options.teardown(policy.into());
    }
    let observer = progress.clone();
    options = options.on_event(move |event| observer.show(event));

    // Only a run that changes the server takes the lease; a dry run reads.
    let lease = if args.dry_run {
        None
    } else {
        Some(
            take_lease(
                &server,
                &plan.workflow,
                &args.lease,
                &cancellation,
                &progress,
            )
            .await?,
        )
    };
    let run = executor::run_plan(&plan, &server.client, options);
    let result = match &lease {
        Some(lease) => {
            tokio::pin!(run);
            tokio::select! {
                result = &mut run => result,
                () = lease.lost() => {
                    cancellation.cancel();
                    progress.note(
                        "the run lease was lost (its record is gone from the server: another \
                         run judged this one stale, or it was pruned); stopping",
                    );
                    run.await
                }
            }
        }
        None => run.await,
    };
    if let Some(lease) = lease {
        give_back(lease, &cancellation, &progress).await;
    }
    progress.finish();
    signals.abort();
    let server_view = server.view();
    server.close().await;
    let report = result.map_err(|error| Failure::runtime(chain(&error)))?;

    let changes = report.dry_run.then(|| Changes::of(&report));
    if json {
        print_json(&RunView {
            report: &report,
            server: server_view,
            changes: changes.as_ref(),
        })?;
    } else {
        print_text(&with_server_line(&summary(&report), &server_view));
    }
    match changes {
        Some(changes) if args.detailed_exitcode && report.status.is_success() => {
            Ok(ExitCode::from(if changes.pending {
                exit::CHANGES_PENDING
            } else {
                exit::OK
            }))
        }
        _ => Ok(exit_status(report.status.is_success())),
    }
}

/// What `run --json` prints: the report, and for a dry run the changes it found.
#[derive(Serialize, JsonSchema)]
pub(crate) struct RunView<'r> {
    #[serde(flatten)]
    report: &'r Report,
    /// The server the run used, and whether it was the embedded simulator.
    server: ServerView,
    /// A dry run's changes: every agent and team, and every orphan, with what a run would
    /// do with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'r Changes>,
}

impl View for RunView<'_> {
    const COMMAND: &'static str = "run";
}

/// What a run would change, as a dry run found it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Changes {
    /// Whether a run would change anything on the server: create, reconcile, update or
    /// replace a resource, or submit a task.
    pub(crate) pending: bool,
    /// Every agent and team (declared order), then every orphan.
    pub(crate) resources: Vec<ResourceChange>,
    /// How many tasks a run would submit (new ones, and new attempts of failed ones).
    pub(crate) tasks_to_submit: usize,
}

/// One resource of [`Changes`].
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ResourceChange {
    kind: ResourceKind,
    /// The identifier in the workflow; none for an orphan.
    id: Option<String>,
    key: String,
    /// None for a resource that a run would create.
    server_id: Option<String>,
    change: Change,
    /// The settings that differ from the definition (update settings, replace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    differs: Vec<String>,
}

impl Changes {
    /// The changes of a dry run's `report`.
    pub(crate) fn of(report: &Report) -> Changes {
        let declared = |kind: ResourceKind, resource: &ResourceReport| ResourceChange {
            kind,
            id: Some(resource.id.clone()),
            key: resource.key.clone(),
            server_id: resource.server_id.clone(),
            change: resource.action.into(),
            differs: resource.differs.clone(),
        };
        let mut resources: Vec<ResourceChange> = report
            .agents
            .iter()
            .map(|agent| declared(ResourceKind::Agent, agent))
            .chain(
                report
                    .teams
                    .iter()
                    .map(|team| declared(ResourceKind::Team, team)),
            )
            .collect();
        resources.extend(report.orphans.iter().map(|orphan| ResourceChange {
            kind: orphan.kind,
            id: None,
            key: orphan.key.clone(),
            server_id: Some(orphan.server_id.clone()),
            change: Change::Orphan,
            differs: Vec::new(),
        }));
        let tasks_to_submit = report
            .tasks
            .iter()
            .filter(|task| {
                matches!(
                    task.origin,
                    Some(TaskOrigin::Submitted | TaskOrigin::Retried)
                ) && task.outcome == TaskOutcome::NotSubmitted
            })
            .count();
        let pending = tasks_to_submit > 0
            || resources
                .iter()
                .any(|resource| resource.change.is_pending());
        Changes {
            pending,
            resources,
            tasks_to_submit,
        }
    }
}

/// `summary` with the server's line after its first line.
fn with_server_line(summary: &str, server: &ServerView) -> String {
    match summary.split_once('\n') {
        Some((first, rest)) => format!("{first}\n  {}\n{rest}", server.line()),
        None => format!("{summary}\n  {}", server.line()),
    }
}

/// The report as text.
pub(crate) fn summary(report: &Report) -> String {
    let mut text = String::new();
    if report.dry_run {
        let _ = writeln!(
            text,
            "dry run of workflow {}: nothing was changed",
            report.workflow
        );
        for resource in &report.agents {
            let _ = writeln!(text, "  agent {}", intention(resource));
        }
        for resource in &report.teams {
            let _ = writeln!(text, "  team {}", intention(resource));
        }
        for orphan in &report.orphans {
            let _ = writeln!(
                text,
                "  {} {}: orphan ({}), id {}; left in place (`check --prune` or `destroy` \
                 removes it)",
                orphan.kind,
                orphan.key,
                orphan.relation.describe(),
                orphan.server_id
            );
        }
        for task in &report.tasks {
            let what = match (task.origin, task.outcome) {
                (_, TaskOutcome::AlreadyCompleted) => "completed earlier, would not run again",
                (Some(TaskOrigin::Adopted), _) => "under way, would be watched",
                (Some(TaskOrigin::Retried), _) => "failed earlier, would be submitted again",
                _ => "would be submitted",
            };
            let _ = writeln!(text, "  task {}.{}: {what}", task.team, task.task);
        }
        for error in &report.errors {
            let _ = writeln!(text, "  error: {error}");
        }
        let changes = Changes::of(report);
        let _ = writeln!(
            text,
            "{}",
            if changes.pending {
                "changes pending"
            } else {
                "no changes: a run would change nothing on the server"
            }
        );
        return text.trim_end().to_owned();
    }

    let _ = writeln!(
        text,
        "workflow {}: {} in {:.1} s",
        report.workflow,
        report.status,
        report.timings.total_ms as f64 / 1000.0
    );
    let count = |resources: &[ResourceReport], action: ResourceAction| {
        resources.iter().filter(|r| r.action == action).count()
    };
    let _ = writeln!(
        text,
        "  agents: {} created, {} reused, {} updated, {} replaced",
        count(&report.agents, ResourceAction::Created),
        count(&report.agents, ResourceAction::Reused),
        count(&report.agents, ResourceAction::Updated),
        count(&report.agents, ResourceAction::Replaced),
    );
    let _ = writeln!(
        text,
        "  teams: {} created, {} reused, {} reconciled",
        count(&report.teams, ResourceAction::Created),
        count(&report.teams, ResourceAction::Reused),
        count(&report.teams, ResourceAction::Reconciled),
    );
    let outcomes =
        |outcome: TaskOutcome| report.tasks.iter().filter(|t| t.outcome == outcome).count();
    let _ = writeln!(
        text,
        "  tasks: {} completed, {} completed earlier, {} failed, {} skipped, {} unfinished, {} not submitted",
        outcomes(TaskOutcome::Completed),
        outcomes(TaskOutcome::AlreadyCompleted),
        outcomes(TaskOutcome::Failed),
        outcomes(TaskOutcome::Skipped),
        outcomes(TaskOutcome::Unfinished),
        outcomes(TaskOutcome::NotSubmitted),
    );
    if report.forced {
        let _ = writeln!(
            text,
            "  --force left {} existing resource(s) of this workflow in place; `check --prune` removes them",
            report.left_behind.len()
        );
    }
    if report.teardown.applied {
        let _ = writeln!(
            text,
            "  teardown ({}): {} deleted, {} could not be deleted",
            report.teardown.policy,
            report.deleted().count(),
            report.teardown.errors.len()
        );
    } else {
        let _ = writeln!(
            text,
            "  teardown ({}): nothing deleted",
            report.teardown.policy
        );
    }
    for error in report.errors.iter().chain(&report.teardown.errors) {
        let _ = writeln!(text, "  error: {error}");
    }
    text.trim_end().to_owned()
}

/// A dry run's line for one resource: the change, then what it means.
fn intention(resource: &ResourceReport) -> String {
    let change = Change::from(resource.action);
    let differs = resource.differs.join(", ");
    let what = match change {
        Change::Create => format!("would be created as {}", resource.key),
        Change::Reuse if differs.is_empty() => format!("would reuse {}", resource.key),
        Change::Reuse => format!(
            "would reuse {} (its settings differ: {differs})",
            resource.key
        ),
        Change::ReconcileMembers => {
            format!("would reuse {} and bring its members in line", resource.key)
        }
        Change::UpdateSettings if differs.is_empty() => format!(
            "would record on {} what the server does not hold (settings fingerprint, docker settings)",
            resource.key
        ),
        Change::UpdateSettings => format!(
            "would bring the settings of {} in line ({differs})",
            resource.key
        ),
        Change::Replace => format!("would replace {} with a new one ({differs})", resource.key),
        _ => resource.action.as_str().to_owned(),
    };
    format!("{}: {change}: {what}", resource.id)
}

//! `run`: execute the workflow, show progress, print the report.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::args::RunArgs;
use crate::cli::connect::Server;
use crate::cli::output::{Failure, exit_status, print_json, print_text};
use crate::cli::progress::Progress;
use crate::executor::{
    self, Cancellation, Plan, Report, ResourceAction, ResourceReport, RunOptions, TaskOrigin,
    TaskOutcome, chain,
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
    let signals = tokio::spawn(watch_ctrl_c(cancellation.clone(), progress.clone()));

    let mut options = RunOptions::new()
        .force(args.force)
        .dry_run(args.dry_run)
        .poll_interval(
            args.poll_interval
                .unwrap_or_else(|| server.default_poll_interval()),
        )
        .concurrency(args.concurrency)
        .cancellation(cancellation);
    if let Some(policy) = args.teardown {
        options = options.teardown(policy.into());
    }
    let observer = progress.clone();
    options = options.on_event(move |event| observer.show(event));

    let result = executor::run_plan(&plan, &server.client, options).await;
    progress.finish();
    signals.abort();
    server.close().await;
    let report = result.map_err(|error| Failure::runtime(chain(&error)))?;

    if json {
        print_json(&report)?;
    } else {
        print_text(&summary(&report));
    }
    Ok(exit_status(report.status.is_success()))
}

/// On the first Ctrl-C, cancel the run (it stops submitting and tears down by policy); on
/// the second, quit at once.
async fn watch_ctrl_c(cancellation: Cancellation, progress: Progress) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    cancellation.cancel();
    progress.note(
        "cancelling: no new tasks will be submitted; tearing down by policy \
         (press Ctrl-C again to quit at once)",
    );
    if tokio::signal::ctrl_c().await.is_ok() {
        progress.note("quitting without teardown");
        std::process::exit(130);
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
        "  agents: {} created, {} reused",
        count(&report.agents, ResourceAction::Created),
        count(&report.agents, ResourceAction::Reused),
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

fn intention(resource: &ResourceReport) -> String {
    match resource.action {
        ResourceAction::Created => format!("{}: would be created as {}", resource.id, resource.key),
        ResourceAction::Reused => format!("{}: would reuse {}", resource.id, resource.key),
        ResourceAction::Reconciled => format!(
            "{}: would reuse {} and bring its members in line",
            resource.id, resource.key
        ),
        other => format!("{}: {}", resource.id, other.as_str()),
    }
}

//! Agents and teams that vanish mid-run (deleted, or the server lost its state) are noticed
//! within a few polls: the watched tasks fail with a line that says what happened, the run
//! fails and tears down by policy, and nothing waits for ever. The next run provisions what
//! is missing and completes.

use std::sync::Arc;
use std::time::Duration;

use telemachy::executor::{RunOptions, RunStatus, TaskOutcome};
use telemachy::sim::SimConfig;
use telemachy::spec::Teardown;

use crate::fleet_security;
use crate::support::{Holdings, fleet_plan, quick_client, shut_down, simulator};

/// Tasks that never finish by themselves within a test.
const SLOW_WORK: Duration = Duration::from_secs(120);
/// The longest a run may take to notice.
const LIMIT: Duration = Duration::from_secs(20);

async fn vanish_while_watching(delete_agents: bool) {
    let sim = Arc::new(simulator(SimConfig::default().worker_delay(SLOW_WORK)).await);
    let client = quick_client(&sim.url());
    let options = RunOptions::new()
        .poll_interval(Duration::from_millis(20))
        .teardown(Teardown::Never);
    let run = tokio::spawn({
        let client = client.clone();
        async move { fleet_security::run(&client, options).await }
    });
    let started = std::time::Instant::now();
    while sim.tasks().is_empty() {
        assert!(started.elapsed() < LIMIT, "no task was submitted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if delete_agents {
        for agent in sim.agents() {
            client.delete_agent(&agent.id).await.expect("deleted");
        }
    } else {
        for team in sim.teams() {
            client.delete_team(&team.id).await.expect("deleted");
        }
    }
    let report = tokio::time::timeout(LIMIT, run)
        .await
        .expect("the run notices within a few polls, never waits for ever")
        .expect("no panic")
        .expect("the run started");
    assert_eq!(report.status, RunStatus::Failed, "{report:?}");
    let failed: Vec<_> = report
        .tasks
        .iter()
        .filter(|task| task.outcome == TaskOutcome::Failed)
        .collect();
    assert!(!failed.is_empty(), "{report:?}");
    let why = "is gone from the server (it was deleted, or the server lost its state)";
    for task in failed {
        let error = task.error.as_deref().unwrap_or_default();
        assert!(error.contains(why), "{error}");
        let what = if delete_agents {
            "its assignee agent `"
        } else {
            "its team `"
        };
        assert!(error.contains(what), "{error}");
        assert!(error.contains("run again"), "{error}");
    }
    shut_down(sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_agents_fail_their_tasks_within_a_few_polls() {
    vanish_while_watching(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_team_fails_its_tasks_within_a_few_polls() {
    vanish_while_watching(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_agents_vanished_the_next_run_completes() {
    let sim =
        Arc::new(simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await);
    let client = quick_client(&sim.url());
    let options = || {
        RunOptions::new()
            .poll_interval(Duration::from_millis(20))
            .teardown(Teardown::Never)
    };
    let first = fleet_security::run(&client, options())
        .await
        .expect("started");
    assert!(first.status.is_success(), "{first:?}");
    for agent in sim.agents() {
        client.delete_agent(&agent.id).await.expect("deleted");
    }
    let next = fleet_security::run(&client, options())
        .await
        .expect("started");
    assert!(next.status.is_success(), "{next:?}");
    Holdings::of(&sim)
        .holds_exactly(&fleet_plan())
        .unwrap_or_else(|problem| panic!("{problem}"));
    shut_down(sim).await;
}

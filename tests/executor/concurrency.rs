//! How the scheduler uses its requests: ready tasks go out together within the shared
//! bound, never before their dependencies, and a quick task hands over to its dependent
//! well before a full poll interval has passed.

use std::time::Duration;

use telemachy::executor::{RunStatus, TaskOutcome};
use telemachy::sim::{Faults, SimConfig};
use telemachy::spec::{Agent, Task, TaskRef, Team, Workflow};

use super::{TASKS_ROUTE, chain, client, options, run, simulator, watching_order};

/// One agent, `teams` teams of `per_team` independent tasks each, plus one task per team
/// that waits for all of that team's others.
fn wide(teams: usize, per_team: usize) -> Workflow {
    let mut workflow = Workflow::new("wide");
    workflow.agents = vec![Agent::new("worker")];
    for team_number in 0..teams {
        let team_id = format!("crew{team_number}");
        let mut team = Team::new(team_id.clone(), ["worker"]);
        for number in 0..per_team {
            team.tasks.push(Task::new(
                format!("t{number}"),
                format!("Task {number}"),
                "worker",
            ));
        }
        let mut last = Task::new("last", "Last", "worker");
        last.after = (0..per_team)
            .map(|number| TaskRef::new(team_id.clone(), format!("t{number}")))
            .collect();
        team.tasks.push(last);
        workflow.teams.push(team);
    }
    workflow
}

#[tokio::test]
async fn ready_tasks_go_out_together_within_the_shared_bound() {
    let faults = Faults {
        latency: Duration::from_millis(15)..Duration::from_millis(25),
        ..Faults::default()
    };
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(10))
            .faults(faults),
    )
    .await;
    let client = client(&sim);
    let workflow = wide(3, 12);
    let (report, early) =
        watching_order(&sim, run(&workflow, &client, options().concurrency(4))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(early.is_empty(), "{early:?}");
    let peak = sim.peak_requests();
    assert!(peak <= 4, "at most 4 requests at once, saw {peak}");
    assert!(
        peak >= 3,
        "creates and reads overlap, saw at most {peak} at once"
    );
    // Each planned task exactly once.
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 3 * 13);
    let mut subjects: Vec<(String, String)> = tasks
        .iter()
        .map(|task| (task.team_id.clone(), task.subject.clone()))
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 3 * 13, "no task was submitted twice");
    assert_eq!(sim.requests().count("POST", TASKS_ROUTE), 3 * 13);
}

#[tokio::test]
async fn a_quick_task_hands_over_long_before_a_poll_interval() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await;
    let client = client(&sim);
    let interval = Duration::from_secs(2);
    let workflow = chain("handover", &["One", "Two", "Three"]);
    let report = run(&workflow, &client, options().poll_interval(interval)).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(
        report
            .tasks
            .iter()
            .all(|task| task.outcome == TaskOutcome::Completed)
    );
    // Waiting a full interval per hand-off would take at least 3 intervals; a read a
    // quarter of an interval after each submission finds each quick task done.
    let tasks = Duration::from_millis(report.timings.tasks_ms);
    assert!(
        tasks < interval * 2,
        "three quick tasks in a chain took {tasks:?} at a {interval:?} poll interval"
    );
}

//! Connections: a run never holds more than its concurrency needs, so a server that serves
//! only 8 connections at once (the real server's threads) never makes it wait.

use std::time::Duration;

use telemachy::executor::{RunOptions, RunStatus};
use telemachy::sim::{Faults, SimConfig};
use telemachy::spec::{Agent, Task, Team, Teardown, Workflow};

use super::{client, run, simulator};

/// `agents` agents over `teams` teams with `per_team` independent tasks each.
fn fleet(agents: usize, teams: usize, per_team: usize) -> Workflow {
    let mut workflow = Workflow::new("fleet");
    workflow.agents = (0..agents).map(|a| Agent::new(format!("a{a}"))).collect();
    for t in 0..teams {
        let members: Vec<String> = (0..agents)
            .filter(|a| a % teams == t)
            .map(|a| format!("a{a}"))
            .collect();
        let mut team = Team::new(format!("team{t}"), members.clone());
        for k in 0..per_team {
            team.tasks.push(Task::new(
                format!("k{k}"),
                format!("Task {k}"),
                members[k % members.len()].clone(),
            ));
        }
        workflow.teams.push(team);
    }
    workflow
}

#[tokio::test]
async fn a_default_run_is_never_stalled_by_a_server_of_8_connections() {
    let faults = Faults {
        latency: Duration::from_millis(0)..Duration::from_millis(3),
        ..Faults::default()
    };
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(10))
            .max_connections(8)
            .faults(faults),
    )
    .await;
    let client = client(&sim);
    let workflow = fleet(24, 4, 100);
    let options = RunOptions::new()
        .poll_interval(Duration::from_millis(50))
        .teardown(Teardown::OnCompletion);
    let report = run(&workflow, &client, options).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    let (waited, longest) = sim.connection_waits();
    assert_eq!(
        waited,
        0,
        "{waited} connections waited for a free slot, the longest {longest:?}; at most {} served at once",
        sim.peak_connections()
    );
    assert!(sim.peak_connections() <= 8);
    // Idle connections are closed soon, though the client lives on.
    let mut open = sim.open_connections();
    for _ in 0..40 {
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        open = sim.open_connections();
    }
    assert_eq!(open, 0, "idle connections still open 4 s after the run");
    drop(client);
}

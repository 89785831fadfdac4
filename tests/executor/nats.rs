//! Task events through a real `nats-server`: the simulator publishes them as the real
//! server does, and a run reads a team as soon as one comes, instead of at its next poll.
//! NATS that is down from the start, or dies during a run, changes nothing but speed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use telemachy::executor::{Event, RunStatus, TaskOutcome};
use telemachy::sim::SimConfig;

#[path = "../shared/nats_server.rs"]
mod nats_server;

use nats_server::{NatsServer, free_port};

use super::{chain, client, options, run, simulator};

const SUBJECTS: [&str; 6] = ["One", "Two", "Three", "Four", "Five", "Six"];

fn all_completed(report: &telemachy::executor::Report) -> bool {
    report
        .tasks
        .iter()
        .all(|task| task.outcome == TaskOutcome::Completed)
}

#[tokio::test]
async fn events_hand_over_long_before_a_poll() {
    let nats = NatsServer::start();
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(5))
            .nats_url(nats.url()),
    )
    .await;
    let client = client(&sim);
    let interval = Duration::from_secs(3);
    let workflow = chain("events", &SUBJECTS);
    let report = run(
        &workflow,
        &client,
        options().poll_interval(interval).nats_url(nats.url()),
    )
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(all_completed(&report));
    // Polling alone reads a quarter interval after each submission: 6 × 0.75 s at least.
    let tasks = Duration::from_millis(report.timings.tasks_ms);
    assert!(
        tasks < interval,
        "six quick tasks in a chain took {tasks:?} with events (poll interval {interval:?})"
    );
}

#[tokio::test]
async fn nats_down_from_the_start_leaves_polling_to_do_the_work() {
    let nowhere = format!("nats://user:secret@127.0.0.1:{}", free_port());
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(5))
            .nats_url(nowhere.clone()),
    )
    .await;
    let client = client(&sim);
    let workflow = chain("no-events", &SUBJECTS[..3]);
    let report = run(&workflow, &client, options().nats_url(nowhere)).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(all_completed(&report));
}

#[tokio::test]
async fn nats_dying_mid_run_leaves_polling_to_finish() {
    let nats = Arc::new(Mutex::new(NatsServer::start()));
    let url = nats.lock().expect("the server").url();
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(60))
            .nats_url(url.clone()),
    )
    .await;
    let client = client(&sim);
    let workflow = chain("dying", &SUBJECTS);
    let killer = Arc::clone(&nats);
    let completed = Arc::new(Mutex::new(0));
    let options = options()
        .poll_interval(Duration::from_millis(200))
        .nats_url(url)
        .on_event(move |event| {
            if let Event::TaskCompleted { .. } = event {
                let mut count = completed.lock().expect("the count");
                *count += 1;
                if *count == 2 {
                    killer.lock().expect("the server").kill();
                }
            }
        });
    let report = run(&workflow, &client, options).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(all_completed(&report));
}

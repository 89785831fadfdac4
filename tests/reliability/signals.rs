//! Signals, through the `fleet_security` binary: SIGTERM and SIGHUP stop a run the way
//! Ctrl-C (SIGINT) does (no new task submitted, teardown by policy, the summary, exit
//! status 1), a second signal quits at once (128 + the signal's number), and a stop is
//! never held up by a create waiting on a stalled server: the binary ends within a second,
//! and the next run finds what the abandoned create made by its key.

use std::time::{Duration, Instant};

use telemachy::sim::SimConfig;

use crate::support::{Holdings, command, ended, fleet_plan, invoke, send, simulator, start, until};

/// Tasks that take far longer than any test: a run is watching them when the signal comes.
const SLOW_WORK: Duration = Duration::from_secs(120);
/// The longest a test waits for a binary.
const LIMIT: Duration = Duration::from_secs(30);

/// The number of unfinished tasks in a summary's `tasks:` line.
fn unfinished(summary: &str) -> usize {
    let line = summary
        .lines()
        .find(|line| line.trim_start().starts_with("tasks:"))
        .unwrap_or_else(|| panic!("a tasks line: {summary}"));
    let before = line
        .split(" unfinished")
        .next()
        .and_then(|start| start.rsplit(' ').next())
        .and_then(|count| count.parse().ok());
    before.unwrap_or_else(|| panic!("a count of unfinished tasks: {line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_sighup_and_sigint_stop_a_run_with_teardown_and_summary() {
    for (signal, name) in [("TERM", "SIGTERM"), ("HUP", "SIGHUP"), ("INT", "SIGINT")] {
        let sim = simulator(SimConfig::default().worker_delay(SLOW_WORK)).await;
        let child = start(
            &sim,
            &["--teardown", "on_failure", "--poll-interval", "0.02"],
        );
        until(&sim, "a task to be submitted", |sim| {
            !sim.tasks().is_empty()
        })
        .await;
        let signalled = Instant::now();
        send(&child, signal);
        let (outcome, took) = ended(child, signalled).await;

        assert_eq!(outcome.code, Some(1), "{name}: {outcome:?}");
        assert!(
            outcome.stderr.contains(&format!("{name}: cancelling")),
            "{name}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stdout.contains("cancelled"),
            "{name}: the summary: {}",
            outcome.stdout
        );
        assert!(
            outcome.stdout.contains("teardown (on_failure)"),
            "{name}: {}",
            outcome.stdout
        );
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
        let after = Holdings::of(&sim);
        assert!(after.is_torn_down(), "{name}: torn down: {after:?}");
        // Every task on the server is one the summary counts as submitted and unfinished:
        // none was submitted behind its back after the signal.
        assert_eq!(
            after.tasks.len(),
            unfinished(&outcome.stdout),
            "{name}: {}",
            outcome.stdout
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            sim.tasks().len(),
            after.tasks.len(),
            "{name}: nothing later"
        );
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_quits_at_once() {
    let sim = simulator(SimConfig::default().worker_delay(SLOW_WORK)).await;
    let child = start(
        &sim,
        &["--teardown", "on_failure", "--poll-interval", "0.02"],
    );
    until(&sim, "a task to be submitted", |sim| {
        !sim.tasks().is_empty()
    })
    .await;
    // The teardown's first request stalls: only a second signal ends the binary.
    let pause = sim.pause_after_matching(1, |method, _| method == "POST" || method == "DELETE");
    send(&child, "TERM");
    tokio::time::timeout(LIMIT, pause.reached())
        .await
        .expect("the teardown starts");
    let signalled = Instant::now();
    send(&child, "TERM");
    let (outcome, took) = ended(child, signalled).await;
    assert_eq!(outcome.code, Some(143), "{outcome:?}");
    assert!(
        outcome
            .stderr
            .contains("SIGTERM: quitting without teardown"),
        "{}",
        outcome.stderr
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
    drop(pause);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_create_does_not_hold_up_a_signal_and_is_found_by_key_next_time() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await;
    // The first agent's create is applied and its answer held, like a stalled server; the
    // default timeout (30 s) and retries would hold the binary for minutes.
    let pause =
        sim.pause_after_matching(1, |method, route| method == "POST" && route == "/v1/agents");
    let child = start(&sim, &["--teardown", "never", "--poll-interval", "0.02"]);
    tokio::time::timeout(LIMIT, pause.reached())
        .await
        .expect("the create reaches the server");
    let signalled = Instant::now();
    send(&child, "TERM");
    let (outcome, took) = ended(child, signalled).await;
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert!(outcome.stdout.contains("cancelled"), "{}", outcome.stdout);
    assert!(
        took < Duration::from_secs(1),
        "the signal took {took:?} to take effect"
    );
    pause.resume().await;
    // The held create and those that came after it, applied once the server went on.
    let made = sim.agents();
    assert!(!made.is_empty(), "the abandoned create was applied");

    // The next run finds it by its key: no duplicate, and it completes.
    let next = command(
        "fleet_security",
        &["--teardown", "never", "--poll-interval", "0.02"],
        Some(&sim.url()),
    );
    let outcome = invoke(next, LIMIT).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let holdings = Holdings::of(&sim);
    holdings
        .holds_exactly(&fleet_plan())
        .unwrap_or_else(|problem| panic!("{problem}: {holdings:?}"));
    for agent in &made {
        assert!(
            holdings.agents.iter().any(|held| held.id == agent.id),
            "`{}`, made by an abandoned create, is reused",
            agent.name
        );
    }
    sim.shutdown().await;
}

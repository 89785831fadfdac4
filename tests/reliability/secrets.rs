//! Secrets: the API key never appears in anything a workflow binary prints, even at `trace`
//! level and when the server echoes it; task subjects and descriptions, which can hold
//! sensitive text, are not logged above `debug`.

use std::time::Duration;

use telemachy::sim::{Faults, SimConfig};

use crate::proxy::{Proxy, Rule, Spoil, Target};
use crate::support::{KEY, Outcome, command, fleet_plan, invoke, simulator};

const LIMIT: Duration = Duration::from_secs(60);

/// A flaky simulator: 500s and answers dropped after the change was applied, rare enough
/// that the binary's default five retries always outlast them.
fn flaky(seed: u64) -> SimConfig {
    SimConfig::default()
        .worker_delay(Duration::from_millis(5))
        .faults(Faults {
            error_rate: 0.05,
            drop_after_apply_rate: 0.1,
            seed,
            ..Faults::default()
        })
}

async fn run_at(level: &str, url: &str, args: &[&str], key: &str) -> Outcome {
    let mut command = command("fleet_security", args, Some(url));
    command.env("RUST_LOG", level).env("AGAMEMNON_API_KEY", key);
    invoke(command, LIMIT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_appears_in_output_even_at_trace_level() {
    let sim = simulator(flaky(11)).await;
    // The first answers after the health check repeat the caller's `Authorization` header.
    let proxy = Proxy::start(
        &sim.url(),
        vec![Rule {
            target: Target::Any,
            spoil: Spoil::EchoKey,
            after: 0,
            times: 3,
        }],
    )
    .await;
    let commands: [&[&str]; 7] = [
        &["--poll-interval", "0.01", "--teardown", "never"],
        &["--poll-interval", "0.01", "--teardown", "never", "--json"],
        &["status"],
        &["status", "--json"],
        &["check", "--json"],
        &["--dry-run", "--json"],
        &["--poll-interval", "0.01", "--json"],
    ];
    let mut printed = String::new();
    for args in commands {
        let outcome = run_at("trace", proxy.url(), args, KEY).await;
        assert_eq!(outcome.code, Some(0), "{args:?}: {outcome:?}");
        for stream in [&outcome.stdout, &outcome.stderr] {
            assert!(!stream.contains(KEY), "{args:?} printed the key:\n{stream}");
            printed.push_str(stream);
        }
    }
    // The search covered trace-level logs of requests that failed and were retried, and
    // the server's echo of the key, scrubbed.
    assert!(
        printed.contains("TRACE") || printed.contains("DEBUG"),
        "no debug logs"
    );
    assert!(
        printed.contains("request failed; retrying"),
        "no retry was logged"
    );
    assert!(
        printed.contains("Bearer <redacted>"),
        "the echo was not seen"
    );
    assert_eq!(proxy.spoiled(), 3);

    // A rejected key, and the right one, are both absent from the refusal.
    let wrong = "wrong-key-b81f44e0";
    let refused = run_at("trace", &sim.url(), &[], wrong).await;
    assert_eq!(refused.code, Some(2), "{refused:?}");
    for stream in [&refused.stdout, &refused.stderr] {
        assert!(!stream.contains(wrong) && !stream.contains(KEY), "{stream}");
    }
    drop(proxy);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_text_is_logged_at_debug_level_only() {
    let plan = fleet_plan();
    let mut needles: Vec<String> = vec!["\"subject\"".to_owned(), "\"description\"".to_owned()];
    for task in &plan.tasks {
        needles.push(task.subject.clone());
        needles.push(task.description.chars().take(30).collect());
    }
    for (level, logged) in [("info", false), ("debug", true)] {
        // No random faults: the spoiled answers below must meet the requests they are for.
        let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await;
        // Unusable answers about tasks: their errors are logged, and would quote them.
        let proxy = Proxy::start(
            &sim.url(),
            vec![
                Rule {
                    target: Target::CreateTask,
                    spoil: Spoil::MalformedJson,
                    after: 0,
                    times: 1,
                },
                // The first list of tasks is the lookup after the spoiled create; the
                // second is a poll.
                Rule {
                    target: Target::ListTasks,
                    spoil: Spoil::MissingField,
                    after: 1,
                    times: 1,
                },
            ],
        )
        .await;
        let outcome = run_at(level, proxy.url(), &["--poll-interval", "0.01"], KEY).await;
        assert_eq!(outcome.code, Some(0), "{outcome:?}");
        assert_eq!(proxy.spoiled(), 2, "{outcome:?}");
        assert!(
            outcome.stderr.contains(" WARN "),
            "the unusable answers were logged: {}",
            outcome.stderr
        );
        let printed = format!("{}\n{}", outcome.stdout, outcome.stderr);
        let found: Vec<&String> = needles
            .iter()
            .filter(|needle| printed.contains(needle.as_str()))
            .collect();
        if logged {
            assert!(
                found.contains(&&needles[1]),
                "at debug the withheld excerpts are logged: {printed}"
            );
        } else {
            assert!(
                found.is_empty(),
                "at {level}, {found:?} appear in:\n{printed}"
            );
        }
        drop(proxy);
        sim.shutdown().await;
    }
}

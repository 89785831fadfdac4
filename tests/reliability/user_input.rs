//! Bad input from the user, through the `fleet_security` binary: a malformed URL, a URL that
//! is not an Agamemnon server, an unreachable server, a server that never answers, a
//! rejected key, `REQUIRE_TLS` with an `http://` URL. Each is one clear line on stderr and
//! exit status 2, before anything is created.

use std::time::{Duration, Instant};

use telemachy::sim::SimConfig;
use tokio::net::TcpListener;

use crate::support::{Outcome, command, invoke, simulator};

const LIMIT: Duration = Duration::from_secs(30);

/// Runs `fleet_security` with `url` and the extra variables `env`.
async fn run_with(args: &[&str], url: &str, env: &[(&str, &str)]) -> Outcome {
    let mut command = command("fleet_security", args, Some(url));
    // One retry: the point is the message, not the patience.
    command.env("AGAMEMNON_MAX_RETRIES", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    invoke(command, LIMIT).await
}

/// Checks for exit status 2, nothing on stdout and one line on stderr that contains each of
/// `words`; returns that line.
fn refused(outcome: &Outcome, words: &[&str]) -> String {
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert!(outcome.stdout.is_empty(), "{outcome:?}");
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", outcome.stderr);
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    for word in words {
        assert!(line.contains(word), "`{word}` is not in: {line}");
    }
    assert!(!line.contains("panicked"), "{line}");
    line.to_owned()
}

#[tokio::test]
async fn a_malformed_url() {
    for url in [
        "not a url",
        "ftp://127.0.0.1:9",
        "http://user:secret@127.0.0.1:9",
    ] {
        let outcome = run_with(&[], url, &[]).await;
        let line = refused(&outcome, &["`AGAMEMNON_URL`"]);
        assert!(!line.contains("secret"), "{line}");
    }
}

#[tokio::test]
async fn a_url_that_is_not_an_agamemnon_server() {
    let sim = simulator(SimConfig::default()).await;
    // The simulator answers 404 under any other path.
    let url = format!("{}/not-agamemnon", sim.url());
    for args in [&[][..], &["status"], &["check"]] {
        let outcome = run_with(args, &url, &[]).await;
        refused(
            &outcome,
            &[&url, "not a reachable Agamemnon server", "found nothing"],
        );
    }
    assert_eq!(sim.requests().posts(), 0);
    assert!(sim.agents().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    drop(listener);
    let outcome = run_with(&[], &url, &[]).await;
    refused(
        &outcome,
        &[
            &url,
            "the connection to the server failed",
            "`AGAMEMNON_URL`",
        ],
    );
}

#[tokio::test]
async fn a_server_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    // Accepts every connection and keeps it open without a word.
    let silent = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let started = Instant::now();
    let outcome = run_with(&[], &url, &[("AGAMEMNON_TIMEOUT", "0.3")]).await;
    refused(&outcome, &["got no answer within", "`AGAMEMNON_TIMEOUT`"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    silent.abort();
}

#[tokio::test]
async fn a_rejected_key() {
    let sim = simulator(SimConfig::default()).await;
    let url = sim.url();
    let wrong = "not-the-key-0d5e1b";
    for args in [&[][..], &["--dry-run"], &["status"], &["check", "--prune"]] {
        let outcome = run_with(args, &url, &[("AGAMEMNON_API_KEY", wrong)]).await;
        let line = refused(
            &outcome,
            &["refused the API key", "`AGAMEMNON_API_KEY`", "401"],
        );
        assert!(!line.contains(wrong), "{line}");
    }
    let log = sim.requests();
    assert_eq!(log.posts(), 0, "nothing was created: {log:?}");
    assert!(
        log.iter()
            .all(|request| request.route() == "/v1/health" || request.route() == "/v1/version"),
        "nothing was read before the key was checked: {log:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn require_tls_with_a_plain_http_url() {
    let sim = simulator(SimConfig::default()).await;
    let url = sim.url();
    for value in ["1", "true"] {
        let outcome = run_with(&[], &url, &[("REQUIRE_TLS", value)]).await;
        refused(&outcome, &["`REQUIRE_TLS`", "https://"]);
    }
    assert_eq!(sim.requests().total(), 0, "not a single request went out");
    sim.shutdown().await;
}

/// Every setting has a bounded range: a value outside it is one line and exit status 2,
/// at once and before any request, against a server, an unreachable one, or the embedded
/// simulator.
#[tokio::test]
async fn settings_out_of_range() {
    let sim = simulator(SimConfig::default()).await;
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        format!("http://{}", listener.local_addr().expect("bound"))
    };
    let variables = [
        ("AGAMEMNON_RATE_LIMIT", "0.0001"),
        ("AGAMEMNON_MAX_RETRIES", "1000000000"),
        ("AGAMEMNON_TIMEOUT", "1e-9"),
        ("AGAMEMNON_TIMEOUT", "100000"),
        ("AGAMEMNON_RATE_BURST", "0"),
    ];
    for (var, value) in variables {
        for url in [Some(sim.url()), Some(unreachable.clone()), None] {
            let mut command = command("fleet_security", &[], url.as_deref());
            command.env(var, value);
            let started = Instant::now();
            let outcome = invoke(command, LIMIT).await;
            refused(&outcome, &[var, value, "must be"]);
            assert!(started.elapsed() < Duration::from_secs(5), "{var}={value}");
        }
    }
    for args in [
        &["--concurrency", "0"][..],
        &["--concurrency", "100000"],
        &["--poll-interval", "0"],
        &["--poll-interval", "1e9"],
    ] {
        let outcome = run_with(args, &sim.url(), &[]).await;
        refused(&outcome, &[args[0]]);
    }
    assert_eq!(sim.requests().total(), 0, "nothing was sent");
    sim.shutdown().await;
}

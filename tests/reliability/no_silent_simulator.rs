//! The embedded simulator never stands in silently: the summary and `--json` say which
//! server a run used, and with `CI` set a run without `AGAMEMNON_URL` refuses unless the
//! simulator is asked for (`--sim`, `TELEMACHY_SIM=1`). Without `CI`, the README's first
//! command still runs on the simulator.

use std::time::Duration;

use telemachy::sim::SimConfig;

use crate::support::{command, invoke, simulator};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn with_ci_set_a_run_without_a_server_refuses() {
    for ci in ["true", "1", "yes"] {
        for args in [&[][..], &["status"], &["check"]] {
            let mut run = command("hello_world", args, None);
            run.env("CI", ci);
            let outcome = invoke(run, LIMIT).await;
            assert_eq!(outcome.code, Some(2), "CI={ci} {args:?}: {outcome:?}");
            assert!(outcome.stdout.is_empty(), "{outcome:?}");
            let lines: Vec<&str> = outcome.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{}", outcome.stderr);
            for word in ["`CI` is set", "`AGAMEMNON_URL`", "--sim", "TELEMACHY_SIM"] {
                assert!(lines[0].contains(word), "`{word}` in: {}", lines[0]);
            }
        }
    }
}

#[tokio::test]
async fn the_simulator_asked_for_runs_and_says_so() {
    let mut flag = command("hello_world", &["--sim"], None);
    flag.env("CI", "true");
    let mut variable = command("hello_world", &["--json"], None);
    variable.env("CI", "true").env("TELEMACHY_SIM", "1");
    // Not asked for and not in CI: the README's first command, on a fresh machine.
    let plain = command("hello_world", &[], None);
    let mut ci_off = command("hello_world", &[], None);
    ci_off.env("CI", "false");

    for text in [flag, plain, ci_off] {
        let outcome = invoke(text, LIMIT).await;
        assert_eq!(outcome.code, Some(0), "{outcome:?}");
        assert!(
            outcome
                .stdout
                .contains("server: the embedded simulator at http://127.0.0.1:"),
            "{}",
            outcome.stdout
        );
        assert!(
            outcome.stderr.contains("embedded Agamemnon simulator"),
            "{outcome:?}"
        );
    }

    let outcome = invoke(variable, LIMIT).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let json = outcome.json();
    assert_eq!(json["server"]["simulator"], true, "{json}");
    assert!(
        json["server"]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://127.0.0.1:")),
        "{json}"
    );
}

#[tokio::test]
async fn a_run_on_a_server_names_it() {
    let sim = simulator(SimConfig::default()).await;
    let url = sim.url();
    let mut text = command("hello_world", &[], Some(&url));
    text.env("CI", "true");
    let outcome = invoke(text, LIMIT).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(
        outcome.stdout.contains(&format!("server: {url}\n")),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains("simulator"), "{}", outcome.stdout);

    let outcome = invoke(command("hello_world", &["--json"], Some(&url)), LIMIT).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let json = outcome.json();
    assert_eq!(json["server"]["simulator"], false, "{json}");
    assert_eq!(json["server"]["url"], url.as_str(), "{json}");
    sim.shutdown().await;
}

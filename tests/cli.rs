//! The command line, by running the example workflow binaries that `cargo test` builds:
//! the embedded simulator when no server is configured, `plan`, `run --json`, `status`,
//! `check` and `--prune` against a simulator this test starts, exit statuses, one-line
//! errors, and Ctrl-C.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use telemachy::api::{self, TaskStatus};
use telemachy::key::make_key;
use telemachy::sim::{SimConfig, Simulator};
use telemachy::{Client, Config};

#[path = "shared/examples.rs"]
mod examples;

use examples::{Outcome, command};

const FLEET: &str = "fleet-security-analysis";

/// Runs `name args...` to the end, off the runtime's threads so that a simulator served
/// by this test keeps answering.
async fn invoke(name: &str, args: &[&str], url: Option<&str>) -> Outcome {
    let mut command = command(name, args, url);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the blocking task does not panic")
        .expect("the example binary runs");
    Outcome::from(output)
}

async fn simulator(config: SimConfig) -> Simulator {
    Simulator::start(config)
        .await
        .expect("the simulator starts on 127.0.0.1")
}

fn client(sim: &Simulator) -> Client {
    Client::new(Config::new(&sim.url()).expect("the simulator's URL is valid"))
        .expect("a plain HTTP client builds")
}

/// Options that keep a run against the test's simulator quick and its resources in place.
const KEEP: [&str; 4] = ["--teardown", "never", "--poll-interval", "0.02"];

#[tokio::test]
async fn hello_world_with_no_server_configured_completes_on_the_embedded_simulator() {
    let started = Instant::now();
    let outcome = invoke("hello_world", &[], None).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let notices: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|line| line.contains("simulator"))
        .collect();
    assert_eq!(notices.len(), 1, "one line says so: {}", outcome.stderr);
    assert!(notices[0].contains("http://127.0.0.1:"), "{}", notices[0]);
    assert!(
        outcome
            .stdout
            .contains("workflow hello-world-e2e: succeeded"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stdout
            .contains("teardown (on_completion): 2 deleted"),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stderr.contains("WARN"), "{}", outcome.stderr);
}

#[tokio::test]
async fn plan_needs_no_server_and_lists_keys_in_dependency_order() {
    // An address nothing listens on: `plan` must not try it.
    let unreachable = Some("http://127.0.0.1:9");
    let text = invoke("fleet_security", &["plan"], unreachable).await;
    assert_eq!(text.code, Some(0), "{text:?}");
    assert!(
        text.stdout.contains(&make_key(FLEET, "scout-alpha")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&make_key(FLEET, "security-fleet")),
        "{}",
        text.stdout
    );

    let json = invoke("fleet_security", &["plan", "--json"], unreachable).await;
    assert_eq!(json.code, Some(0), "{json:?}");
    let plan = json.json();
    assert_eq!(plan["workflow"], FLEET);
    let tasks = plan["tasks"].as_array().expect("tasks is a list");
    assert_eq!(tasks.len(), 4);
    let last = &tasks[3];
    assert_eq!(last["after"].as_array().map(Vec::len), Some(3), "{last}");
    for earlier in &tasks[..3] {
        assert_eq!(
            earlier["after"].as_array().map(Vec::len),
            Some(0),
            "{earlier}"
        );
    }
    let keys: Vec<&str> = plan["agents"]
        .as_array()
        .expect("agents is a list")
        .iter()
        .filter_map(|agent| agent["key"].as_str())
        .collect();
    assert!(
        keys.contains(&make_key(FLEET, "lead-analyst").as_str()),
        "{keys:?}"
    );
}

#[tokio::test]
async fn run_status_check_and_prune_against_a_server() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
    let url = sim.url();
    let url = Some(url.as_str());

    let mut args = vec!["--json"];
    args.extend(KEEP);
    let run = invoke("fleet_security", &args, url).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["agents"].as_array().map(Vec::len), Some(4));
    assert!(
        report["agents"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|agent| agent["action"] == "created"),
        "{report}"
    );
    assert!(
        !run.stderr.contains("simulator"),
        "a configured server is used: {}",
        run.stderr
    );
    assert_eq!(sim.agents().len(), 4);

    // `status` reads the server by key.
    let status = invoke("fleet_security", &["status", "--json"], url).await;
    assert_eq!(status.code, Some(0), "{status:?}");
    let state = status.json();
    assert!(
        state["agents"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|agent| agent["status"] == "online"),
        "{state}"
    );
    assert!(
        state["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|task| task["status"] == "completed"),
        "{state}"
    );
    // ... and reflects a change made behind its back.
    let client = client(&sim);
    let aggregate = sim
        .tasks()
        .into_iter()
        .find(|task| task.subject.starts_with("Aggregate"))
        .expect("the aggregate task exists");
    client
        .set_task_status(&aggregate.team_id, &aggregate.id, TaskStatus::Failed)
        .await
        .expect("the status is set");
    let status = invoke("fleet_security", &["status"], url).await;
    assert_eq!(status.code, Some(0), "{status:?}");
    let line = status
        .stdout
        .lines()
        .find(|line| line.contains("Aggregate"))
        .expect("the aggregate task is listed");
    assert!(line.ends_with("failed"), "{line}");

    // Everything declared exists, nothing else: no orphans.
    let check = invoke("fleet_security", &["check"], url).await;
    assert_eq!(check.code, Some(0), "{check:?}");
    assert!(check.stdout.contains("no orphans"), "{}", check.stdout);

    // An agent renamed in the workflow leaves its old self behind on the server.
    let renamed = client
        .create_agent(&api::NewAgent {
            name: make_key(FLEET, "scout-delta"),
            label: "scout-delta".to_owned(),
            tags: vec![
                "telemachy".to_owned(),
                format!("telemachy-workflow={FLEET}"),
            ],
            ..api::NewAgent::default()
        })
        .await
        .expect("the agent is created");
    // Another workflow's agent is none of this workflow's business.
    client
        .create_agent(&api::NewAgent {
            name: make_key("another-workflow", "scout"),
            tags: vec![
                "telemachy".to_owned(),
                "telemachy-workflow=another-workflow".to_owned(),
            ],
            ..api::NewAgent::default()
        })
        .await
        .expect("the agent is created");

    let check = invoke("fleet_security", &["check"], url).await;
    assert_eq!(check.code, Some(1), "an orphan fails the check: {check:?}");
    assert!(check.stdout.contains(&renamed.name), "{}", check.stdout);
    let check = invoke("fleet_security", &["check", "--json"], url).await;
    assert_eq!(check.code, Some(1), "{check:?}");
    let found = check.json();
    let orphans = found["orphans"].as_array().expect("orphans is a list");
    assert_eq!(orphans.len(), 1, "{found}");
    assert_eq!(orphans[0]["server_id"], renamed.id.as_str());
    assert_eq!(
        found["foreign"].as_array().map(Vec::len),
        Some(1),
        "{found}"
    );

    let prune = invoke("fleet_security", &["check", "--prune"], url).await;
    assert_eq!(prune.code, Some(0), "{prune:?}");
    assert!(prune.stdout.contains("deleted"), "{}", prune.stdout);
    let agents = sim.agents();
    assert!(agents.iter().all(|agent| agent.id != renamed.id));
    assert_eq!(
        agents.len(),
        5,
        "the declared agents and the foreign one remain"
    );
    let check = invoke("fleet_security", &["check"], url).await;
    assert_eq!(check.code, Some(0), "{check:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_second_run_reuses_everything_and_a_dry_run_changes_nothing() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
    let url = sim.url();
    let url = Some(url.as_str());
    let first = invoke("hello_world", &KEEP, url).await;
    assert_eq!(first.code, Some(0), "{first:?}");
    let posts = sim.requests().posts();

    let dry = invoke("hello_world", &["--dry-run"], url).await;
    assert_eq!(dry.code, Some(0), "{dry:?}");
    assert!(dry.stdout.contains("would reuse"), "{}", dry.stdout);
    assert!(dry.stdout.contains("completed earlier"), "{}", dry.stdout);
    assert_eq!(sim.requests().posts(), posts);

    let second = invoke("hello_world", &KEEP, url).await;
    assert_eq!(second.code, Some(0), "{second:?}");
    assert!(
        second.stdout.contains("1 completed earlier"),
        "{}",
        second.stdout
    );
    assert_eq!(sim.requests().posts(), posts, "a second run sends no POST");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_workflow_exits_1() {
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(20))
            .fail_subject("Say hello world"),
    )
    .await;
    let url = sim.url();
    let outcome = invoke("hello_world", &["--poll-interval", "0.02"], Some(&url)).await;
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert!(outcome.stdout.contains("failed"), "{}", outcome.stdout);
    // `on_completion` keeps a failed run's resources for inspection.
    assert_eq!(sim.agents().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn usage_and_configuration_errors_exit_2_with_one_line() {
    for args in [
        &["--teardown", "sometimes"][..],
        &["launch"],
        &["--force", "plan"],
        &["--url", "not a url", "status"],
        &["--url", "ftp://127.0.0.1:9", "check"],
    ] {
        let outcome = invoke("hello_world", args, None).await;
        assert_eq!(outcome.code, Some(2), "{args:?}: {outcome:?}");
        assert_eq!(
            outcome.stderr.lines().count(),
            1,
            "{args:?}: {}",
            outcome.stderr
        );
        assert!(outcome.stderr.starts_with("error: "), "{}", outcome.stderr);
        assert!(outcome.stdout.is_empty(), "{args:?}: {}", outcome.stdout);
    }
    let help = invoke("hello_world", &["--help"], None).await;
    assert_eq!(help.code, Some(0));
    assert!(help.stdout.contains("plan"), "{}", help.stdout);
}

#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_cancels_within_a_second_tears_down_and_exits_1() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_secs(60))).await;
    let url = sim.url();
    let mut child = command("hello_world", &["--teardown", "on_failure"], Some(&url))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example binary starts");

    let waiting_since = Instant::now();
    while sim.tasks().is_empty() {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(20),
            "the task is never submitted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let interrupted = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("`kill` runs");
    assert!(status.success());
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("the child can be waited for") {
            break exit;
        }
        assert!(
            interrupted.elapsed() < Duration::from_secs(5),
            "Ctrl-C did not stop the run"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        interrupted.elapsed() < Duration::from_secs(1),
        "{:?}",
        interrupted.elapsed()
    );
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("the blocking task does not panic")
        .expect("the output can be read");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(exit.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("cancelled"), "{stdout}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert!(sim.agents().is_empty(), "the teardown deleted the agent");
    assert!(sim.teams().is_empty(), "the teardown deleted the team");
    sim.shutdown().await;
}

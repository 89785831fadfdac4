//! The command line, by running the example workflow binaries that `cargo test` builds:
//! the embedded simulator when no server is configured, `plan`, `run --json`, `status`,
//! `check` and `--prune`, `destroy` and dry runs against a simulator this test starts,
//! every `--json` document against its schema, `graph` rendered by Graphviz, `--version`,
//! completions, `--help`, colours and JSON logs, exit statuses, one-line errors, and Ctrl-C.

use std::io::Write as _;
use std::path::Path;
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

/// Checks that `outcome`'s stdout is a JSON document of `command` whose first field is
/// `schema_version`, valid against `telemachy/schemas/<command>.schema.json` with every
/// object closed to fields the schema does not list; returns the document.
fn assert_matches_schema(command: &str, outcome: &Outcome) -> serde_json::Value {
    let second_line = outcome.stdout.lines().nth(1).unwrap_or_default();
    assert_eq!(
        second_line.trim(),
        "\"schema_version\": 1,",
        "schema_version comes first: {}",
        outcome.stdout
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{command}.schema.json"));
    let text = std::fs::read_to_string(&path).expect("the schema file exists");
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    forbid_unlisted_fields(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let document = outcome.json();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{error} (at {})", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "`{command} --json` does not match {}:\n{}\n{document:#}",
        path.display(),
        errors.join("\n")
    );
    assert_eq!(document["command"], command);
    document
}

/// Closes every object schema to fields it does not list, so that a field the output has
/// but the schema lacks fails the test.
fn forbid_unlisted_fields(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(object) => {
            if object.contains_key("properties") && !object.contains_key("additionalProperties") {
                object.insert("additionalProperties".to_owned(), false.into());
            }
            object.values_mut().for_each(forbid_unlisted_fields);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(forbid_unlisted_fields),
        _ => {}
    }
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

    // A stray whose key matches no workflow at all.
    let stray = client
        .create_agent(&api::NewAgent {
            name: "tlm-0000000000000000-old-agent".to_owned(),
            ..api::NewAgent::default()
        })
        .await
        .expect("the agent is created");

    let check = invoke("fleet_security", &["check"], url).await;
    assert_eq!(check.code, Some(1), "an orphan fails the check: {check:?}");
    assert!(check.stdout.contains(&renamed.name), "{}", check.stdout);
    // The text names every tlm-* resource it cannot account for, foreign ones too.
    for foreign in [make_key("another-workflow", "scout"), stray.name.clone()] {
        assert!(
            check.stdout.contains(&foreign),
            "{foreign}: {}",
            check.stdout
        );
    }
    let check = invoke("fleet_security", &["check", "--json"], url).await;
    assert_eq!(check.code, Some(1), "{check:?}");
    let found = check.json();
    let orphans = found["orphans"].as_array().expect("orphans is a list");
    assert_eq!(orphans.len(), 1, "{found}");
    assert_eq!(orphans[0]["server_id"], renamed.id.as_str());
    assert_eq!(
        found["foreign"].as_array().map(Vec::len),
        Some(2),
        "{found}"
    );

    let prune = invoke("fleet_security", &["check", "--prune"], url).await;
    assert_eq!(prune.code, Some(0), "{prune:?}");
    assert!(prune.stdout.contains("deleted"), "{}", prune.stdout);
    let agents = sim.agents();
    assert!(agents.iter().all(|agent| agent.id != renamed.id));
    assert_eq!(
        agents.len(),
        6,
        "the declared agents and the two foreign ones remain"
    );
    let check = invoke("fleet_security", &["check"], url).await;
    assert_eq!(
        check.code,
        Some(0),
        "foreign resources do not fail the check: {check:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn every_json_document_matches_its_schema_and_destroy_removes_everything_of_its_workflow() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
    let url = sim.url();
    let url = Some(url.as_str());

    let plan = invoke("fleet_security", &["plan", "--json"], url).await;
    assert_matches_schema("plan", &plan);
    let dry = invoke("fleet_security", &["--dry-run", "--json"], url).await;
    let document = assert_matches_schema("run", &dry);
    assert_eq!(document["changes"]["pending"], true, "{document}");
    let mut args = vec!["--json"];
    args.extend(KEEP);
    let run = invoke("fleet_security", &args, url).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = assert_matches_schema("run", &run);
    assert!(
        report.get("changes").is_none(),
        "only a dry run lists changes"
    );
    let status = invoke("fleet_security", &["status", "--json"], url).await;
    let state = assert_matches_schema("status", &status);
    // The same names as the run's report: `team`, `task`, `attempt`.
    assert_eq!(state["tasks"][0]["team"], report["tasks"][0]["team"]);
    assert_eq!(state["tasks"][0]["task"], report["tasks"][0]["task"]);
    assert_eq!(state["tasks"][0]["attempt"], 1);

    // An orphan of this workflow (a team renamed in it) and a resource of another one.
    let client = client(&sim);
    let scout = sim
        .agents()
        .into_iter()
        .find(|agent| agent.name == make_key(FLEET, "scout-alpha"))
        .expect("the scout exists");
    let renamed_team = client
        .create_team(&api::NewTeam {
            name: make_key(FLEET, "old-fleet"),
            agent_ids: vec![scout.id.clone()],
        })
        .await
        .expect("the team is created");
    let foreign = client
        .create_agent(&api::NewAgent {
            name: make_key("another-workflow", "scout"),
            ..api::NewAgent::default()
        })
        .await
        .expect("the agent is created");
    let check = invoke("fleet_security", &["check", "--json"], url).await;
    assert_eq!(check.code, Some(1), "{check:?}");
    let found = assert_matches_schema("check", &check);
    assert_eq!(found["orphans"][0]["key"], renamed_team.name.as_str());
    let dry = invoke("fleet_security", &["--dry-run", "--json"], url).await;
    let document = assert_matches_schema("run", &dry);
    let orphan = document["changes"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|resource| resource["change"] == "orphan")
        .expect("the dry run lists the orphan");
    assert_eq!(orphan["key"], renamed_team.name.as_str());

    // Without --yes and without a terminal to ask on, `destroy` refuses and deletes nothing.
    let refused = invoke("fleet_security", &["destroy"], url).await;
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(sim.agents().len(), 5);

    let destroy = invoke("fleet_security", &["destroy", "--yes", "--json"], url).await;
    assert_eq!(destroy.code, Some(0), "{destroy:?}");
    let gone = assert_matches_schema("destroy", &destroy);
    assert_eq!(
        gone["deleted"], 6,
        "4 agents, the team and the orphan team: {gone}"
    );
    assert_eq!(gone["remaining"], 0, "{gone}");
    assert_eq!(gone["foreign_left_alone"], 1, "{gone}");
    let agents = sim.agents();
    assert_eq!(agents.len(), 1, "only the other workflow's agent is left");
    assert_eq!(agents[0].id, foreign.id);
    assert!(sim.teams().is_empty());

    let again = invoke("fleet_security", &["destroy", "--yes"], url).await;
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(
        again.stdout.contains("nothing to destroy"),
        "{}",
        again.stdout
    );
    sim.shutdown().await;
}

/// Starts `hello_world` with `args` against `sim` (whose workers hold tasks for a minute)
/// and returns once its task is submitted, so that the run is under way and holds its lease.
#[cfg(unix)]
async fn spawn_until_submitted(sim: &Simulator, args: &[&str]) -> std::process::Child {
    let child = command("hello_world", args, Some(&sim.url()))
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
    child
}

#[cfg(unix)]
#[tokio::test]
async fn destroy_and_check_prune_respect_the_run_lease_of_a_run_under_way() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_secs(60))).await;
    let url = sim.url();
    let mut run = spawn_until_submitted(&sim, &["--teardown", "never"]).await;

    // The run holds the lease: `destroy --no-wait` gives up, deleting nothing.
    let refused = invoke(
        "hello_world",
        &["destroy", "--yes", "--no-wait"],
        Some(&url),
    )
    .await;
    assert_eq!(refused.code, Some(4), "{refused:?}");
    let errors: Vec<&str> = refused
        .stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", refused.stderr);
    assert!(errors[0].contains("holds its lease"), "{}", errors[0]);
    assert_eq!(sim.agents().len(), 1, "nothing was deleted");

    // `check --prune` deletes too, so it gives up the same way; a plain `check` only reads,
    // and needs no lease.
    let prune = invoke(
        "hello_world",
        &["check", "--prune", "--no-wait"],
        Some(&url),
    )
    .await;
    assert_eq!(prune.code, Some(4), "{prune:?}");
    assert_eq!(sim.agents().len(), 1, "nothing was pruned");
    let check = invoke("hello_world", &["check"], Some(&url)).await;
    assert_eq!(check.code, Some(0), "{check:?}");

    // Once the run has stopped and given the lease back, `destroy` goes ahead.
    let status = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("`kill` runs");
    assert!(status.success());
    let stopped = tokio::task::spawn_blocking(move || run.wait())
        .await
        .expect("the blocking task does not panic")
        .expect("the run can be waited for");
    assert_eq!(stopped.code(), Some(1), "a cancelled run");
    let destroy = invoke(
        "hello_world",
        &["destroy", "--yes", "--wait", "10"],
        Some(&url),
    )
    .await;
    assert_eq!(destroy.code, Some(0), "{destroy:?}");
    assert!(sim.agents().is_empty());
    assert!(
        sim.teams().is_empty(),
        "the team and every lease record are gone: {:?}",
        sim.teams()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_dry_run_lists_each_change_and_its_detailed_exit_status_says_whether_any_is_pending() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
    let url = sim.url();
    let url = Some(url.as_str());

    let fresh = invoke("hello_world", &["--dry-run", "--detailed-exitcode"], url).await;
    assert_eq!(fresh.code, Some(3), "changes pending: {fresh:?}");
    assert!(
        fresh
            .stdout
            .contains("hello_worker: create: would be created"),
        "{}",
        fresh.stdout
    );
    assert!(fresh.stdout.contains("changes pending"), "{}", fresh.stdout);
    let without = invoke("hello_world", &["--dry-run"], url).await;
    assert_eq!(
        without.code,
        Some(0),
        "the plain dry run succeeds: {without:?}"
    );

    let run = invoke("hello_world", &KEEP, url).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let done = invoke("hello_world", &["--dry-run", "--detailed-exitcode"], url).await;
    assert_eq!(done.code, Some(0), "nothing to change: {done:?}");
    assert!(
        done.stdout.contains("hello_worker: reuse"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("no changes"), "{}", done.stdout);

    // A team whose members drifted is reconciled.
    let team = sim.teams().into_iter().next().expect("the team exists");
    client(&sim)
        .set_team_members(&team.id, &[])
        .await
        .expect("the members are replaced");
    let drifted = invoke(
        "hello_world",
        &["--dry-run", "--detailed-exitcode", "--json"],
        url,
    )
    .await;
    assert_eq!(drifted.code, Some(3), "{drifted:?}");
    let document = assert_matches_schema("run", &drifted);
    let changes: Vec<&str> = document["changes"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|resource| resource["change"].as_str())
        .collect();
    assert_eq!(changes, ["reuse", "reconcile_members"], "{document}");

    let misplaced = invoke("hello_world", &["--detailed-exitcode"], url).await;
    assert_eq!(misplaced.code, Some(2), "it needs --dry-run: {misplaced:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_dry_run_says_which_agents_a_run_would_update_or_replace() {
    let sim = simulator(SimConfig::default()).await;
    let url = sim.url();
    let url = Some(url.as_str());
    let client = client(&sim);
    let worker = |working_directory: &str| api::NewAgent {
        name: make_key("hello-world-e2e", "hello-worker"),
        label: "hello-worker".to_owned(),
        program: "none".to_owned(),
        working_directory: working_directory.to_owned(),
        // No settings fingerprint, as an older version made it.
        tags: vec![
            "telemachy".to_owned(),
            "telemachy-workflow=hello-world-e2e".to_owned(),
        ],
        ..api::NewAgent::default()
    };

    // The declared settings, but no fingerprint: a run records it with a PATCH.
    let agent = client
        .create_agent(&worker("/tmp"))
        .await
        .expect("the agent is created");
    let dry = invoke(
        "hello_world",
        &["--dry-run", "--detailed-exitcode", "--json"],
        url,
    )
    .await;
    assert_eq!(dry.code, Some(3), "{dry:?}");
    let document = assert_matches_schema("run", &dry);
    assert_eq!(
        document["changes"]["resources"][0]["change"], "update_settings",
        "{document}"
    );
    let text = invoke("hello_world", &["--dry-run"], url).await;
    assert!(
        text.stdout.contains("hello_worker: update settings"),
        "{}",
        text.stdout
    );

    // Another working directory: the agent is replaced.
    client
        .delete_agent(&agent.id)
        .await
        .expect("the agent is deleted");
    client
        .create_agent(&worker("/srv/elsewhere"))
        .await
        .expect("the agent is created");
    let dry = invoke(
        "hello_world",
        &["--dry-run", "--detailed-exitcode", "--json"],
        url,
    )
    .await;
    assert_eq!(dry.code, Some(3), "{dry:?}");
    let document = assert_matches_schema("run", &dry);
    let agent = &document["changes"]["resources"][0];
    assert_eq!(agent["change"], "replace", "{document}");
    assert!(
        agent["differs"]
            .as_array()
            .is_some_and(|differs| !differs.is_empty()),
        "{document}"
    );
    let text = invoke("hello_world", &["--dry-run"], url).await;
    assert!(
        text.stdout.contains("hello_worker: replace"),
        "{}",
        text.stdout
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn graph_is_dot_that_graphviz_renders_or_mermaid() {
    let dot = invoke("codebase_audit", &["graph"], None).await;
    assert_eq!(dot.code, Some(0), "{dot:?}");
    assert!(dot.stdout.contains("subgraph cluster_0"), "{}", dot.stdout);
    assert!(
        dot.stdout
            .contains("\"audit_team.analyse\" -> \"audit_team.refactor\";"),
        "{}",
        dot.stdout
    );
    let mut graphviz = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz's `dot` is installed (Debian's package `graphviz`)");
    graphviz
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(dot.stdout.as_bytes())
        .expect("dot reads the graph");
    let rendered = graphviz.wait_with_output().expect("dot runs");
    let svg = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(svg.contains("<svg"), "{svg}");
    assert!(
        svg.contains("team audit_team (architect, implementer)"),
        "{svg}"
    );
    assert!(
        svg.contains("Write unit tests for refactored module"),
        "{svg}"
    );

    let mermaid = invoke("codebase_audit", &["graph", "--format", "mermaid"], None).await;
    assert_eq!(mermaid.code, Some(0), "{mermaid:?}");
    assert!(
        mermaid.stdout.starts_with("flowchart LR"),
        "{}",
        mermaid.stdout
    );
    assert_eq!(
        mermaid.stdout.matches("subgraph").count(),
        1,
        "{}",
        mermaid.stdout
    );
    assert!(
        mermaid.stdout.contains("task0 --> task1"),
        "{}",
        mermaid.stdout
    );
    let json = invoke("codebase_audit", &["graph", "--json"], None).await;
    assert_eq!(json.code, Some(2), "{json:?}");
}

#[tokio::test]
async fn version_completions_and_help_with_environment_and_every_exit_status() {
    let version = invoke("hello_world", &["--version"], None).await;
    assert_eq!(version.code, Some(0), "{version:?}");
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION"))
            && version.stdout.contains("hello-world-e2e"),
        "{}",
        version.stdout
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = invoke("hello_world", &["completions", shell], None).await;
        assert_eq!(script.code, Some(0), "{shell}: {script:?}");
        assert!(
            script.stdout.contains("hello_world"),
            "{shell}: {}",
            script.stdout
        );
        assert!(
            script.stdout.contains("destroy"),
            "{shell}: {}",
            script.stdout
        );
    }
    let bad = invoke("hello_world", &["completions", "tcsh"], None).await;
    assert_eq!(bad.code, Some(2), "{bad:?}");

    let help = invoke("hello_world", &["--help"], None).await;
    assert_eq!(help.code, Some(0), "{help:?}");
    for variable in [
        "AGAMEMNON_URL",
        "AGAMEMNON_API_KEY",
        "REQUIRE_TLS",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        assert!(
            help.stdout.contains(variable),
            "{variable}: {}",
            help.stdout
        );
    }
    // Every exit status in `--help` is in the README's table, with the same words.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .expect("the README is readable");
    let statuses: Vec<&str> = help
        .stdout
        .split("Exit status:\n")
        .nth(1)
        .expect("--help lists the exit statuses")
        .lines()
        .take_while(|line| line.starts_with("  "))
        .collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    for line in statuses {
        let (code, meaning) = line.trim().split_once(' ').expect("a code and a meaning");
        let row = format!("| `{code}` | {} |", meaning.trim());
        assert!(readme.contains(&row), "the README lacks the row\n{row}");
    }
}

#[tokio::test]
async fn colours_follow_no_color_and_the_flag_and_logs_can_be_json_lines() {
    // The embedded simulator's requests are logged at debug.
    let invoke_with = |extra: Vec<&'static str>, no_color: Option<&'static str>| async move {
        let mut command = command("hello_world", &extra, None);
        command
            .env("RUST_LOG", "telemachy=debug")
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("the blocking task does not panic")
            .expect("the binary runs");
        Outcome::from(output)
    };
    const ESCAPE: char = '\u{1b}';
    let coloured = invoke_with(vec!["check", "--color", "always"], None).await;
    assert_eq!(coloured.code, Some(0), "{coloured:?}");
    assert!(coloured.stderr.contains(ESCAPE), "{}", coloured.stderr);
    let plain = invoke_with(vec!["check"], Some("1")).await;
    assert_eq!(plain.code, Some(0), "{plain:?}");
    assert!(plain.stderr.contains("DEBUG"), "{}", plain.stderr);
    assert!(!plain.stderr.contains(ESCAPE), "{}", plain.stderr);
    let forced = invoke_with(vec!["check", "--color=always"], Some("1")).await;
    assert!(
        forced.stderr.contains(ESCAPE),
        "the flag wins: {}",
        forced.stderr
    );
    let never = invoke_with(vec!["check", "--color", "never"], None).await;
    assert!(!never.stderr.contains(ESCAPE), "{}", never.stderr);

    let json = invoke_with(
        vec!["--log-format", "json", "--poll-interval", "0.02"],
        None,
    )
    .await;
    assert_eq!(json.code, Some(0), "{json:?}");
    let lines: Vec<serde_json::Value> = json
        .stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    assert!(
        lines.iter().any(|line| line["level"] == "DEBUG"),
        "{}",
        json.stderr
    );
    assert!(
        lines.iter().any(|line| line["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("simulator"))),
        "the notice is a JSON line too: {}",
        json.stderr
    );
    assert!(
        lines
            .iter()
            .any(|line| line["target"] == "telemachy::progress"),
        "progress lines too: {}",
        json.stderr
    );
    assert!(!json.stderr.contains(ESCAPE), "{}", json.stderr);
    // Configuration and usage errors are one JSON line too.
    for args in [
        vec!["--log-format", "json", "--url", "not a url", "status"],
        vec!["--log-format=json", "--teardown", "sometimes"],
    ] {
        let failed = invoke_with(args.clone(), None).await;
        assert_eq!(failed.code, Some(2), "{args:?}: {failed:?}");
        let error: serde_json::Value = serde_json::from_str(failed.stderr.trim())
            .unwrap_or_else(|error| panic!("{args:?}: {error}: {}", failed.stderr));
        assert_eq!(error["level"], "ERROR", "{error}");
    }
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
    assert_eq!(
        sim.requests().posts(),
        posts + 1,
        "a second run sends no POST but its run lease's record"
    );
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
    let mut child = spawn_until_submitted(&sim, &["--teardown", "on_failure"]).await;
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

#[tokio::test]
async fn the_python_tools_variables_are_read_and_warned_about_once() {
    let sim = simulator(SimConfig::default()).await;
    let url = sim.url();
    let mut command = command("hello_world", &KEEP, Some(&url));
    command
        .env("AGAMEMNON_RATE_LIMIT_RPS", "500")
        .env("AGAMEMNON_RATE_LIMIT_BURST", "16")
        .env("LOG_LEVEL", "WARNING")
        .env("DEFAULT_WORKFLOW_TIMEOUT", "7200");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the blocking task does not panic")
        .expect("the example binary runs");
    let outcome = Outcome::from(output);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let lines = |name: &str| {
        outcome
            .stderr
            .lines()
            .filter(|line| line.contains(&format!("`{name}`")))
            .count()
    };
    for alias in [
        "AGAMEMNON_RATE_LIMIT_RPS",
        "AGAMEMNON_RATE_LIMIT_BURST",
        "LOG_LEVEL",
    ] {
        assert_eq!(
            lines(alias),
            1,
            "one warning about {alias}: {}",
            outcome.stderr
        );
    }
    assert_eq!(
        lines("DEFAULT_WORKFLOW_TIMEOUT"),
        1,
        "one warning that it is ignored: {}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("as `AGAMEMNON_RATE_LIMIT`"),
        "{}",
        outcome.stderr
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn status_shows_an_agent_whose_settings_changed_and_what_a_run_will_do() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
    let url = sim.url();
    let url = Some(url.as_str());
    let first = invoke("fleet_security", &KEEP, url).await;
    assert_eq!(first.code, Some(0), "{first:?}");

    // As if the workflow had asked for other CPUs and another model for the lead before.
    let lead = sim
        .agents()
        .into_iter()
        .find(|agent| agent.name == make_key(FLEET, "lead-analyst"))
        .expect("the lead exists");
    let mut patch = api::AgentPatch::new();
    patch.cpus = Some(1);
    patch.tags = Some(
        lead.tags
            .iter()
            .map(|tag| {
                if tag.starts_with(telemachy::executor::SETTINGS_TAG_PREFIX) {
                    format!(
                        "{}0123456789abcdef",
                        telemachy::executor::SETTINGS_TAG_PREFIX
                    )
                } else {
                    tag.clone()
                }
            })
            .collect(),
    );
    client(&sim)
        .update_agent(&lead.id, &patch)
        .await
        .expect("patched");

    let status = invoke("fleet_security", &["status", "--json"], url).await;
    let state = assert_matches_schema("status", &status);
    let agents = state["agents"].as_array().expect("agents");
    let lead_state = agents
        .iter()
        .find(|agent| agent["id"] == "lead_analyst")
        .expect("the lead is listed");
    assert_eq!(lead_state["settings"], "update", "{lead_state}");
    assert_eq!(lead_state["fingerprint_changed"], true);
    assert_eq!(lead_state["settings_changed"], serde_json::json!(["cpus"]));
    let scout_state = agents
        .iter()
        .find(|agent| agent["id"] == "scout_alpha")
        .expect("the scout is listed");
    assert_eq!(scout_state["settings"], "in_line", "{scout_state}");
    let text = invoke("fleet_security", &["status"], url).await;
    assert!(
        text.stdout
            .contains("settings fingerprint changed (cpus): a run will update"),
        "{}",
        text.stdout
    );

    // A run patches it back; then status has nothing to say.
    let again = invoke("fleet_security", &KEEP, url).await;
    assert_eq!(again.code, Some(0), "{again:?}");
    let status = invoke("fleet_security", &["status", "--json"], url).await;
    let state = assert_matches_schema("status", &status);
    assert!(
        state["agents"]
            .as_array()
            .expect("agents")
            .iter()
            .all(|agent| agent["settings"] == "in_line"),
        "{state}"
    );
    sim.shutdown().await;
}

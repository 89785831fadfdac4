//! What the reliability tests share: the workflow's plan, simulators and clients, the
//! example binaries as child processes, and the invariants a server must hold afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

use telemachy::api::{self, TaskStatus};
use telemachy::executor::{Event, Plan, RunOptions};
use telemachy::sim::{SimConfig, Simulator};
use telemachy::{Client, Config};

use crate::examples;
pub(crate) use crate::examples::Outcome;
use crate::fleet_security;

/// The key every simulator of these tests requires, as the real server does.
pub(crate) const KEY: &str = "reliability-key-5e2f90d1c4";

/// The plan of the `fleet_security` workflow: its keys, teams and task subjects.
pub(crate) fn fleet_plan() -> Plan {
    Plan::new(&fleet_security::spec()).expect("the example workflow is valid")
}

/// A simulator with `config` plus [`KEY`].
pub(crate) async fn simulator(config: SimConfig) -> Simulator {
    Simulator::start(config.api_key(KEY))
        .await
        .expect("the simulator starts on 127.0.0.1")
}

/// A client for `url` with [`KEY`], a short timeout and tight backoffs: patient enough to
/// outlast a faulty server, quick enough for a test.
pub(crate) fn quick_config(url: &str) -> Config {
    Config::new(url)
        .expect("a valid URL")
        .api_key(KEY)
        .timeout(Duration::from_secs(5))
        .max_retries(10)
        .backoff(Duration::from_millis(2), Duration::from_millis(20))
}

/// A client built from [`quick_config`].
pub(crate) fn quick_client(url: &str) -> Client {
    Client::new(quick_config(url)).expect("a plain HTTP client builds")
}

/// `name args...` as [`examples::command`] makes it, with [`KEY`] as `AGAMEMNON_API_KEY`.
pub(crate) fn command(name: &str, args: &[&str], url: Option<&str>) -> Command {
    let mut command = examples::command(name, args, url);
    command.env("AGAMEMNON_API_KEY", KEY);
    command
}

/// Runs `command` to the end, off the runtime's threads so that a simulator served by this
/// test keeps answering; gives up after `limit`.
pub(crate) async fn invoke(mut command: Command, limit: Duration) -> Outcome {
    command.stdin(std::process::Stdio::null());
    let run = tokio::task::spawn_blocking(move || command.output());
    let output = tokio::time::timeout(limit, run)
        .await
        .unwrap_or_else(|_| panic!("the command did not end within {limit:?}"))
        .expect("the blocking task does not panic")
        .expect("the example binary runs");
    Outcome::from(output)
}

/// The longest a test waits for a spawned binary or a state of the server.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// `fleet_security args...` against `sim`, started with its output captured.
pub(crate) fn start(sim: &Simulator, args: &[&str]) -> Child {
    let mut command = command("fleet_security", args, Some(&sim.url()));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.spawn().expect("the example binary starts")
}

/// Sends `signal` (`TERM`, `HUP`, `INT`) to `child`.
pub(crate) fn send(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("`kill` runs");
    assert!(status.success(), "kill -{signal}");
}

/// Waits for `child` to end, off the runtime's threads; answers what it said and how long
/// it took from `since`.
pub(crate) async fn ended(child: Child, since: Instant) -> (Outcome, Duration) {
    let output = tokio::time::timeout(
        WAIT_LIMIT,
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("the binary ends")
    .expect("no panic")
    .expect("its output is read");
    (Outcome::from(output), since.elapsed())
}

/// Waits until `done` holds for `sim`.
pub(crate) async fn until(sim: &Simulator, what: &str, done: impl Fn(&Simulator) -> bool) {
    let started = Instant::now();
    while !done(sim) {
        assert!(started.elapsed() < WAIT_LIMIT, "waited too long for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What the server held when the teardown started, once it has.
pub(crate) type BeforeTeardown = Arc<Mutex<Option<Holdings>>>;

/// Run options with `poll` as the poll interval that record what `sim` holds when the
/// teardown starts.
pub(crate) fn watching_teardown(
    sim: &Arc<Simulator>,
    poll: Duration,
) -> (RunOptions, BeforeTeardown) {
    let before: BeforeTeardown = Arc::default();
    let options = {
        let sim = Arc::clone(sim);
        let before = Arc::clone(&before);
        RunOptions::new()
            .poll_interval(poll)
            .on_event(move |event| {
                if let Event::TeardownStarted { .. } = event {
                    *before.lock().expect("not poisoned") = Some(Holdings::of(&sim));
                }
            })
    };
    (options, before)
}

/// Stops `sim` if nothing else holds it any more.
pub(crate) async fn shut_down(sim: Arc<Simulator>) {
    match Arc::try_unwrap(sim) {
        Ok(sim) => sim.shutdown().await,
        Err(sim) => drop(sim),
    }
}

/// What a server holds at one moment.
#[derive(Debug, Clone)]
pub(crate) struct Holdings {
    pub(crate) agents: Vec<api::Agent>,
    pub(crate) teams: Vec<api::Team>,
    pub(crate) tasks: Vec<api::Task>,
}

impl Holdings {
    /// What `sim` holds now.
    pub(crate) fn of(sim: &Simulator) -> Holdings {
        Holdings {
            agents: sim.agents(),
            teams: sim.teams(),
            tasks: sim.tasks(),
        }
    }

    /// Whether no agent and no team is left (tasks cannot be deleted through the API; they
    /// stay behind their deleted team).
    pub(crate) fn is_torn_down(&self) -> bool {
        self.agents.is_empty() && self.teams.is_empty()
    }

    /// Checks that the server holds the workflow of `plan` exactly once: one agent per
    /// declared agent and one team per declared team (counted by key) and nothing else; on
    /// each of those teams, one task per declared task of the team (by subject), completed,
    /// and no other task.
    pub(crate) fn holds_exactly(&self, plan: &Plan) -> Result<(), String> {
        let agent_keys: Vec<&str> = plan.agents.iter().map(|a| a.key.as_str()).collect();
        let team_keys: Vec<&str> = plan.teams.iter().map(|t| t.key.as_str()).collect();
        exactly_once(
            "agent",
            &agent_keys,
            self.agents.iter().map(|a| a.name.as_str()),
        )?;
        exactly_once(
            "team",
            &team_keys,
            self.teams.iter().map(|t| t.name.as_str()),
        )?;
        for (index, planned) in plan.teams.iter().enumerate() {
            let Some(team) = self.teams.iter().find(|team| team.name == planned.key) else {
                return Err(format!("team `{}` is missing", planned.key));
            };
            let subjects: Vec<&str> = plan
                .tasks
                .iter()
                .filter(|task| task.team == index)
                .map(|task| task.subject.as_str())
                .collect();
            let on_team: Vec<&api::Task> = self
                .tasks
                .iter()
                .filter(|task| task.team_id == team.id)
                .collect();
            exactly_once(
                &format!("task of team `{}`", planned.id),
                &subjects,
                on_team.iter().map(|task| task.subject.as_str()),
            )?;
            if let Some(unfinished) = on_team
                .iter()
                .find(|task| task.status != TaskStatus::Completed)
            {
                return Err(format!(
                    "task `{}` is {}, not completed",
                    unfinished.subject, unfinished.status
                ));
            }
        }
        Ok(())
    }

    /// The ids of every task, by subject.
    pub(crate) fn task_ids_by_subject(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for task in &self.tasks {
            ids.entry(task.subject.as_str())
                .or_default()
                .insert(task.id.as_str());
        }
        ids
    }
}

/// Checks that `names` holds each of `wanted` exactly once and nothing else.
fn exactly_once<'a>(
    kind: &str,
    wanted: &[&str],
    names: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    for name in wanted {
        match counts.remove(name).unwrap_or(0) {
            1 => {}
            0 => return Err(format!("{kind} `{name}` is missing")),
            n => return Err(format!("{kind} `{name}` exists {n} times")),
        }
    }
    if let Some((name, count)) = counts.into_iter().next() {
        return Err(format!("an undeclared {kind} `{name}` exists ({count}x)"));
    }
    Ok(())
}

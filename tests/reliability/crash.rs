//! Crash and resume: the `fleet_security` binary, killed with SIGKILL at 34 points spread
//! over a whole run (every create among them, between the server applying it and the
//! process seeing the answer), then run again against the same server. The second run must
//! complete with the workflow on the server exactly once and without doing again any work
//! that had completed before the kill; a third run must create nothing and tear everything
//! down.
//!
//! The simulator pauses at a request ([`Simulator::pause_after_matching`]): it applies that
//! request and holds its answer, and holds every later request before applying it, so the
//! kill lands at exactly that point. After the kill the held requests are let through
//! (as a real server would finish what it had received) before anything is inspected.
//!
//! How many polls a run makes depends on timing, so a point is either the `n`th request
//! that is not a poll (the same request in every run) or the `n`th poll. A run of
//! `fleet_security` has 30 requests besides its polls (each docker agent's create is
//! followed by the `PATCH` that stores its settings): each is a point, and 4 polls make 34.
//!
//! `TELEMACHY_CRASH_POINTS` sets the number of kill points (default 34).

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use telemachy::api::NewAgent;
use telemachy::executor::Plan;
use telemachy::sim::{SimConfig, Simulator};
use tokio::task::JoinSet;

use crate::support::{Holdings, Outcome, command, fleet_plan, invoke, quick_client, simulator};

/// Kill points when `TELEMACHY_CRASH_POINTS` is not set.
const DEFAULT_POINTS: usize = 34;
/// How many kill points are worked on at once (each is three or four short processes).
const POINTS_AT_ONCE: usize = 5;
/// Worker steps many poll intervals long: a run polls often enough for the poll points even
/// on a busy machine, whose sleeps stretch.
const WORKER_DELAY: Duration = Duration::from_millis(100);
/// The binary's poll interval, in seconds.
pub(crate) const POLL: &str = "0.01";
/// The longest any one process may take.
pub(crate) const PROCESS_LIMIT: Duration = Duration::from_secs(60);
/// The routes of the requests that create agents, teams and tasks.
pub(crate) const CREATE_ROUTES: [&str; 3] =
    ["/v1/agents", "/v1/teams", "/v1/teams/{team_id}/tasks"];
/// The route of the requests that poll a team's tasks.
const TASKS_ROUTE: &str = "/v1/teams/{team_id}/tasks";
/// The most poll points: a run polls far more often than this.
const MAX_POLL_POINTS: usize = 8;

/// Whether a request's number in a run depends on timing: a poll of a team's tasks, or a
/// check that a watched task's agent or team still exists (`GET` by id, every few polls).
/// (The run lease's heartbeats would be another, but the first comes 5 s after the lease
/// was taken, past the end of these runs.)
pub(crate) fn is_poll(method: &str, route: &str) -> bool {
    method == "GET" && matches!(route, TASKS_ROUTE | "/v1/agents/{id}" | "/v1/teams/{id}")
}

/// Where a run is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KillPoint {
    /// At the `n`th request that is not a poll.
    Step(usize),
    /// At the `n`th poll.
    Poll(usize),
}

impl fmt::Display for KillPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillPoint::Step(n) => write!(f, "killed at request {n} (polls not counted)"),
            KillPoint::Poll(n) => write!(f, "killed at poll {n}"),
        }
    }
}

/// `count` kill points over a run of `steps` requests besides its polls: steps spread
/// evenly (both ends included), and at least two polls; more polls when there are more
/// points than steps.
fn kill_points_over(count: usize, steps: usize) -> Vec<KillPoint> {
    let polls = count.saturating_sub(steps).max(2.min(count));
    assert!(
        polls <= MAX_POLL_POINTS,
        "a run has {steps} requests besides its polls: give at most {} kill points",
        steps + MAX_POLL_POINTS
    );
    let mut points: Vec<KillPoint> = spread(count - polls, steps)
        .into_iter()
        .map(KillPoint::Step)
        .collect();
    points.extend((1..=polls).map(KillPoint::Poll));
    points
}

pub(crate) async fn fresh_simulator() -> Simulator {
    simulator(SimConfig::default().worker_delay(WORKER_DELAY)).await
}

fn kill_points() -> usize {
    std::env::var("TELEMACHY_CRASH_POINTS")
        .ok()
        .map(|value| {
            value
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("`TELEMACHY_CRASH_POINTS` must be a number: {value}"))
        })
        .unwrap_or(DEFAULT_POINTS)
}

/// `count` request numbers spread evenly over `1..=total`, both ends included.
fn spread(count: usize, total: usize) -> Vec<usize> {
    if count <= 1 {
        return vec![total].into_iter().take(count).collect();
    }
    (0..count)
        .map(|i| 1 + i * (total - 1) / (count - 1))
        .collect()
}

/// The pause the kill points rely on: the `n`th request is applied and its answer held,
/// later ones wait unapplied, and `resume` lets everything finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pause_applies_the_nth_request_and_holds_the_rest() {
    let sim = fresh_simulator().await;
    let client = quick_client(&sim.url());
    let agent = |name: &str| NewAgent {
        name: name.to_owned(),
        ..NewAgent::default()
    };
    let pause = sim.pause_after(2);
    client
        .create_agent(&agent("first"))
        .await
        .expect("served as usual");
    let second = tokio::spawn({
        let client = client.clone();
        async move { client.create_agent(&agent("second")).await }
    });
    tokio::time::timeout(Duration::from_secs(5), pause.reached())
        .await
        .expect("the second request is reached");
    let third = tokio::spawn({
        let client = client.clone();
        async move { client.create_agent(&agent("third")).await }
    });
    let third_arrived = async {
        while pause.arrived() < 3 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), third_arrived)
        .await
        .expect("the third request arrives");
    let names = |sim: &Simulator| -> BTreeSet<String> {
        sim.agents().into_iter().map(|agent| agent.name).collect()
    };
    let applied: BTreeSet<String> = ["first", "second"].map(str::to_owned).into();
    assert_eq!(
        names(&sim),
        applied,
        "the second is applied, the third waits"
    );
    assert!(!second.is_finished(), "the answer to the second is held");
    assert_eq!(
        pause.held_request(),
        Some(("POST".to_owned(), "/v1/agents".to_owned()))
    );
    pause.resume().await;
    second
        .await
        .expect("no panic")
        .expect("answered after the resume");
    third
        .await
        .expect("no panic")
        .expect("applied after the resume");
    assert_eq!(names(&sim).len(), 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_anywhere_resumes_without_duplicates_and_tears_down() {
    let plan = fleet_plan();
    // The requests of a whole run besides its polls: the same in every run.
    let mut steps = BTreeSet::new();
    for _ in 0..2 {
        let sim = fresh_simulator().await;
        let outcome = run_to_end(&sim, &["--poll-interval", POLL]).await;
        assert_eq!(outcome.code, Some(0), "a reference run: {outcome:?}");
        assert!(Holdings::of(&sim).is_torn_down());
        let log = sim.requests();
        steps.insert(
            log.iter()
                .filter(|request| !is_poll(request.method(), request.route()))
                .count(),
        );
        sim.shutdown().await;
    }
    assert_eq!(steps.len(), 1, "runs differ besides their polls: {steps:?}");
    let steps = steps.first().copied().unwrap_or_default();
    let points = kill_points_over(kill_points(), steps);
    let distinct: BTreeSet<String> = points.iter().map(ToString::to_string).collect();
    assert_eq!(
        distinct.len(),
        points.len(),
        "a run of {steps} requests besides its polls has too few for {} distinct points",
        points.len()
    );

    let (killed_at, failures) = at_each_point(points, &plan, kill_and_resume).await;
    assert!(
        failures.is_empty(),
        "{} kill points failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The points reach from the first request to the teardown, and kills land between
    // each kind of create and its answer.
    for route in CREATE_ROUTES {
        assert!(
            killed_at.contains(&("POST".to_owned(), route.to_owned())),
            "no kill landed between `POST {route}` and its answer: {killed_at:?}"
        );
    }
    assert!(
        killed_at.iter().any(|(method, _)| method == "DELETE"),
        "no kill landed in the teardown: {killed_at:?}"
    );
}

/// Runs `check(point, plan)` for every point, [`POINTS_AT_ONCE`] at a time; answers the
/// requests held at the kills and the failures, each naming its point.
pub(crate) async fn at_each_point<Check, Checked>(
    points: Vec<KillPoint>,
    plan: &Plan,
    check: Check,
) -> (Vec<(String, String)>, Vec<String>)
where
    Check: Fn(KillPoint, Plan) -> Checked,
    Checked: Future<Output = Result<(String, String), String>> + Send + 'static,
{
    let mut pending = points.into_iter();
    let mut running = JoinSet::new();
    let mut held = Vec::new();
    let mut failures = Vec::new();
    loop {
        while running.len() < POINTS_AT_ONCE {
            let Some(point) = pending.next() else { break };
            let checked = check(point, plan.clone());
            running.spawn(async move { (point, checked.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((_, Ok(request))) => held.push(request),
            Ok((point, Err(failure))) => failures.push(format!("{point}: {failure}")),
            Err(panicked) => failures.push(format!("a kill point panicked: {panicked}")),
        }
    }
    (held, failures)
}

/// Runs the binary on `sim` to its end.
pub(crate) async fn run_to_end(sim: &Simulator, args: &[&str]) -> Outcome {
    let url = sim.url();
    invoke(command("fleet_security", args, Some(&url)), PROCESS_LIMIT).await
}

/// Kills a run at `point`, resumes it and tears it down, on a fresh simulator; answers the
/// method and route of the request whose answer the killed process never got.
async fn kill_and_resume(point: KillPoint, plan: Plan) -> Result<(String, String), String> {
    let sim = fresh_simulator().await;
    let result = match kill_at(&sim, point, &["--poll-interval", POLL]).await {
        Ok(held) => resume(&sim, &plan).await.map(|()| held),
        Err(failure) => Err(failure),
    };
    sim.shutdown().await;
    result
}

/// Starts the binary with `args`, kills it once the simulator holds the request at `point`,
/// and lets the held requests through.
pub(crate) async fn kill_at(
    sim: &Simulator,
    point: KillPoint,
    args: &[&str],
) -> Result<(String, String), String> {
    let pause = match point {
        KillPoint::Step(n) => sim.pause_after_matching(n, |method, route| !is_poll(method, route)),
        KillPoint::Poll(n) => sim.pause_after_matching(n, is_poll),
    };
    let url = sim.url();
    let mut child = command("fleet_security", args, Some(&url))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start the binary: {error}"))?;

    let started = Instant::now();
    while !pause.is_reached() {
        if exited(&mut child)? {
            pause.resume().await;
            return Err("the run ended before reaching its kill point".to_owned());
        }
        if started.elapsed() > PROCESS_LIMIT {
            let _ = child.kill();
            return Err("the run neither reached its kill point nor ended".to_owned());
        }
        tokio::select! {
            () = pause.reached() => {}
            () = tokio::time::sleep(Duration::from_millis(5)) => {}
        }
    }
    // SIGKILL: no teardown, no goodbye.
    child
        .kill()
        .map_err(|error| format!("cannot kill the binary: {error}"))?;
    let waited = tokio::task::spawn_blocking(move || child.wait())
        .await
        .map_err(|error| format!("waiting for the killed binary panicked: {error}"))?
        .map_err(|error| format!("cannot wait for the killed binary: {error}"))?;
    if waited.code().is_some() {
        return Err(format!(
            "the binary ended by itself ({waited}) instead of being killed"
        ));
    }
    let held = pause.held_request().ok_or("the pause held no request")?;
    pause.resume().await;
    if is_poll(&held.0, &held.1) != matches!(point, KillPoint::Poll(_)) {
        return Err(format!("the pause held `{} {}`", held.0, held.1));
    }
    Ok(held)
}

fn exited(child: &mut Child) -> Result<bool, String> {
    child
        .try_wait()
        .map(|status| status.is_some())
        .map_err(|error| format!("cannot check on the binary: {error}"))
}

/// Runs the workflow again after a kill (keeping everything), checks what the server holds,
/// then runs it a third time to tear down.
async fn resume(sim: &Simulator, plan: &Plan) -> Result<(), String> {
    let at_kill = Holdings::of(sim);

    let resumed = run_to_end(
        sim,
        &["--teardown", "never", "--poll-interval", POLL, "--json"],
    )
    .await;
    if resumed.code != Some(0) {
        return Err(format!("the resumed run failed: {resumed:?}"));
    }
    let report = resumed.json();
    if report["status"] != "succeeded" {
        return Err(format!("the resumed run did not succeed: {report}"));
    }
    let after = Holdings::of(sim);
    after
        .holds_exactly(plan)
        .map_err(|problem| format!("after the resumed run: {problem}"))?;

    // Work that completed before the kill is not done again, unless the kill came after
    // the teardown had deleted everything (then a run starts afresh, by design).
    if !at_kill.is_torn_down() {
        let before = at_kill.task_ids_by_subject();
        let now = after.task_ids_by_subject();
        for task in at_kill
            .tasks
            .iter()
            .filter(|task| task.status.is_terminal())
        {
            let earlier = before.get(task.subject.as_str());
            let later = now.get(task.subject.as_str());
            if earlier != later {
                return Err(format!(
                    "`{}` completed before the kill, yet the resumed run submitted it again",
                    task.subject
                ));
            }
        }
    }

    let creates_before = creates(sim);
    let tasks = after.tasks.len();
    let teardown = run_to_end(sim, &["--poll-interval", POLL, "--json"]).await;
    if teardown.code != Some(0) {
        return Err(format!("the third run failed: {teardown:?}"));
    }
    // Its one create is its own record of the run lease.
    if creates(sim) != creates_before + 1 {
        return Err("the third run created something, though everything existed".to_owned());
    }
    let end = Holdings::of(sim);
    if !end.is_torn_down() {
        return Err(format!(
            "the teardown left {} agents and {} teams",
            end.agents.len(),
            end.teams.len()
        ));
    }
    if end.tasks.len() != tasks {
        return Err("tasks were submitted by the third run".to_owned());
    }
    Ok(())
}

/// How many creates (of agents, teams and tasks) `sim` has received.
pub(crate) fn creates(sim: &Simulator) -> usize {
    let log = sim.requests();
    CREATE_ROUTES
        .iter()
        .map(|route| log.count("POST", route))
        .sum()
}

//! The run lease, through the `fleet_security` binary and the simulator over HTTP: runs
//! started together agree on one winner and the others wait, so nothing is duplicated and
//! every task runs once; `--no-wait` and the end of `--wait` give up with exit status 4 and
//! change nothing; a run killed with SIGKILL does not block the next one (same machine: at
//! once; another machine's: after the expiry); `status` shows the holder and `check` lists
//! a stale lease, which `check --prune` removes.

use std::time::{Duration, Instant};

use telemachy::api::NewTeam;
use telemachy::executor::lease::lease_name;
use telemachy::sim::{SimConfig, Simulator};

use crate::support::{
    Holdings, Outcome, command, ended, fleet_plan, invoke, quick_client, send, simulator, start,
    until,
};

const LIMIT: Duration = Duration::from_secs(90);
const WORKFLOW: &str = "fleet-security-analysis";

/// Whether `sim` holds a lease record of the workflow.
fn lease_records(sim: &Simulator) -> usize {
    let name = lease_name(WORKFLOW);
    sim.teams().iter().filter(|team| team.name == name).count()
}

/// The fields of every lease record of the workflow on `sim`.
fn lease_holders(sim: &Simulator) -> Vec<Vec<String>> {
    let name = lease_name(WORKFLOW);
    sim.teams()
        .into_iter()
        .filter(|team| team.name == name)
        .map(|team| team.agent_ids)
        .collect()
}

/// Whether the holder's run has submitted a task (it holds the lease then).
fn working(sim: &Simulator) -> bool {
    !sim.tasks().is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_started_together_agree_on_one_winner_and_duplicate_nothing() {
    for runs in [2, 3] {
        let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(20))).await;
        let url = sim.url();
        let mut waiting = Vec::new();
        for _ in 0..runs {
            let run = command(
                "fleet_security",
                &["--teardown", "never", "--poll-interval", "0.02"],
                Some(&url),
            );
            waiting.push(tokio::spawn(invoke(run, LIMIT)));
        }
        let mut outcomes: Vec<Outcome> = Vec::new();
        for run in waiting {
            outcomes.push(run.await.expect("no panic"));
        }
        for outcome in &outcomes {
            assert_eq!(outcome.code, Some(0), "{outcome:?}");
        }
        let waited = outcomes
            .iter()
            .filter(|outcome| outcome.stderr.contains("waiting for the run lease"))
            .count();
        assert!(
            waited >= runs - 1,
            "{runs} runs: {waited} waited: {outcomes:?}"
        );
        // One of them made everything; the others reused it and ran nothing again.
        let created = outcomes
            .iter()
            .filter(|outcome| outcome.stdout.contains("agents: 4 created"))
            .count();
        assert_eq!(created, 1, "{outcomes:?}");
        let holdings = Holdings::of(&sim);
        holdings
            .holds_exactly(&fleet_plan())
            .unwrap_or_else(|problem| panic!("{runs} runs: {problem}"));
        assert_eq!(
            holdings.tasks.len(),
            fleet_plan().tasks.len(),
            "each task ran once"
        );
        assert_eq!(lease_records(&sim), 0, "every run gave its lease back");
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wait_and_the_end_of_wait_give_up_with_status_4_and_change_nothing() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_secs(120))).await;
    let holder = start(
        &sim,
        &["--teardown", "on_failure", "--poll-interval", "0.05"],
    );
    until(&sim, "the holder to work", working).await;
    let before = Holdings::of(&sim);

    for (args, waits) in [(&["--no-wait"][..], false), (&["--wait", "1.5"], true)] {
        let started = Instant::now();
        let outcome = invoke(command("fleet_security", args, Some(&sim.url())), LIMIT).await;
        let took = started.elapsed();
        assert_eq!(outcome.code, Some(4), "{args:?}: {outcome:?}");
        assert!(
            outcome.stdout.is_empty(),
            "no summary of work not done: {outcome:?}"
        );
        let last = outcome.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("error: another run of this workflow holds its lease (host "),
            "{last}"
        );
        assert!(last.contains("nothing was changed"), "{last}");
        assert_eq!(last.contains("waited"), waits, "{last}");
        if waits {
            assert!(
                outcome.stderr.contains("waiting for the run lease"),
                "{outcome:?}"
            );
            assert!(took >= Duration::from_millis(1500), "{took:?}");
        }
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
        let now = Holdings::of(&sim);
        assert_eq!(now.agents, before.agents, "{args:?}");
        assert_eq!(now.tasks.len(), before.tasks.len(), "{args:?}");
        // The run that gave up took its own record away: every record left is the holder's.
        let holder_pid = format!("pid {}", holder.id());
        let others: Vec<String> = lease_holders(&sim)
            .into_iter()
            .filter(|fields| !fields.iter().any(|field| field.ends_with(&holder_pid)))
            .map(|fields| fields.join(","))
            .collect();
        assert!(others.is_empty(), "{args:?}: records left: {others:?}");
    }

    // `status` shows the holder and since when.
    let outcome = invoke(
        command("fleet_security", &["status"], Some(&sim.url())),
        LIMIT,
    )
    .await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let line = outcome
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("lease"))
        .unwrap_or_else(|| panic!("a lease line: {}", outcome.stdout));
    assert!(line.contains("held by host "), "{line}");
    assert!(line.contains(" since 20"), "{line}");
    let json = invoke(
        command("fleet_security", &["status", "--json"], Some(&sim.url())),
        LIMIT,
    )
    .await
    .json();
    assert_eq!(json["lease"][0]["holds"], true, "{json}");
    assert_eq!(json["lease"][0]["stale"], false, "{json}");

    send(&holder, "TERM");
    let (outcome, _) = ended(holder, Instant::now()).await;
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert_eq!(
        lease_records(&sim),
        0,
        "the cancelled run gave its lease back"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_with_sigkill_does_not_block_the_next_and_resumes() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(300))).await;
    let killed = start(
        &sim,
        &["--teardown", "on_completion", "--poll-interval", "0.02"],
    );
    until(&sim, "the run to work", working).await;
    send(&killed, "KILL");
    let (outcome, _) = ended(killed, Instant::now()).await;
    assert_eq!(outcome.code, None, "killed by the signal: {outcome:?}");
    assert_eq!(
        lease_records(&sim),
        1,
        "the killed run's record is left behind"
    );

    // `check` lists it as a leftover (its process is gone from this machine).
    let outcome = invoke(
        command("fleet_security", &["check"], Some(&sim.url())),
        LIMIT,
    )
    .await;
    assert_eq!(
        outcome.code,
        Some(1),
        "a stale lease is a leftover: {outcome:?}"
    );
    assert!(
        outcome.stdout.contains("lease  stale, left by host "),
        "{}",
        outcome.stdout
    );

    // The next run sees at once that the holder is gone: no expiry to wait out.
    let started = Instant::now();
    let outcome = invoke(
        command(
            "fleet_security",
            &["--poll-interval", "0.02", "--no-wait"],
            Some(&sim.url()),
        ),
        LIMIT,
    )
    .await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(
        outcome.stderr.contains("removing a stale run lease"),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let after = Holdings::of(&sim);
    assert!(after.is_torn_down(), "resumed and torn down: {after:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_left_on_another_machine_expires() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await;
    // A record like one a killed run on another machine leaves: no heartbeat ever comes.
    let client = quick_client(&sim.url());
    let left = client
        .create_team(&NewTeam {
            name: lease_name(WORKFLOW),
            agent_ids: [
                "telemachy-lease:v1",
                "holder:host elsewhere pid 7",
                "nonce:0",
                "beat:12",
                "expiry:2",
                "at:0",
                "process:another-boot/pid:[1]/7/100",
            ]
            .map(str::to_owned)
            .to_vec(),
        })
        .await
        .expect("created");
    // Stamped a second before the run's own record, so it is the older one: in the same
    // second the ids would decide.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let mut run = command(
        "fleet_security",
        &["--poll-interval", "0.02"],
        Some(&sim.url()),
    );
    run.env("TELEMACHY_LEASE_EXPIRY", "2");
    let started = Instant::now();
    let outcome = invoke(run, LIMIT).await;
    let took = started.elapsed();
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(
        outcome.stderr.contains("waiting for the run lease")
            && outcome.stderr.contains("host elsewhere pid 7"),
        "{outcome:?}"
    );
    assert!(
        outcome.stderr.contains("removing a stale run lease"),
        "{outcome:?}"
    );
    assert!(
        took >= Duration::from_secs(2),
        "it waited out the expiry: {took:?}"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(
        sim.teams().iter().all(|team| team.id != left.id),
        "the stale record is gone"
    );
    assert!(Holdings::of(&sim).is_torn_down());

    let mut bad = command("fleet_security", &[], Some(&sim.url()));
    bad.env("TELEMACHY_LEASE_EXPIRY", "1");
    let outcome = invoke(bad, LIMIT).await;
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert!(
        outcome.stderr.contains("TELEMACHY_LEASE_EXPIRY"),
        "{outcome:?}"
    );
    sim.shutdown().await;
}

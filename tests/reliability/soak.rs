//! Fault injection: `fleet_security` run many times, each on a fresh simulator that answers
//! 10 % of requests with 500 and 5 % with 429, applies 5 % of changes and then drops their
//! answer, and adds random latency. Every run must complete with the workflow on the
//! server exactly once before teardown, and nothing left after it.
//!
//! `TELEMACHY_SOAK_RUNS` sets the number of runs (default 50); `TELEMACHY_SOAK_SEED` replays
//! one seed. A failure names the seed of each failed run.

use std::sync::Arc;
use std::time::Duration;

use telemachy::executor::RunStatus;
use telemachy::sim::{Faults, SimConfig, Simulator};
use tokio::task::JoinSet;

use crate::fleet_security;
use crate::support::{Holdings, fleet_plan, quick_client, shut_down, simulator, watching_teardown};

/// Runs when `TELEMACHY_SOAK_RUNS` is not set.
const DEFAULT_RUNS: u64 = 50;
/// The seed of run `i` is `FIRST_SEED + i`.
const FIRST_SEED: u64 = 0x7e1e_0000;
/// How many runs go at once: each mostly waits (latency, backoff, `Retry-After: 1`).
const RUNS_AT_ONCE: usize = 10;
/// The longest one run may take.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// The faults of the run with `seed`.
fn faults(seed: u64) -> Faults {
    Faults {
        error_rate: 0.10,
        rate_limited_rate: 0.05,
        drop_after_apply_rate: 0.05,
        latency: Duration::ZERO..Duration::from_millis(8),
        seed,
    }
}

/// The seeds to run: `TELEMACHY_SOAK_SEED` alone, or `TELEMACHY_SOAK_RUNS` of them.
fn seeds() -> Vec<u64> {
    let read = |name: &str| {
        std::env::var(name).ok().map(|value| {
            let value = value.trim();
            let parsed = match value.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => value.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("`{name}` must be a whole number, not `{value}`"))
        })
    };
    if let Some(seed) = read("TELEMACHY_SOAK_SEED") {
        return vec![seed];
    }
    let runs = read("TELEMACHY_SOAK_RUNS").unwrap_or(DEFAULT_RUNS);
    (0..runs).map(|run| FIRST_SEED + run).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_security_completes_through_faults_once_and_leaves_nothing() {
    let seeds = seeds();
    let mut pending = seeds.iter().copied();
    let mut running = JoinSet::new();
    let mut failures = Vec::new();
    let mut hits = FaultHits::default();
    loop {
        while running.len() < RUNS_AT_ONCE {
            let Some(seed) = pending.next() else { break };
            running.spawn(async move { (seed, soak_run(seed).await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((_, Ok(run_hits))) => hits.add(&run_hits),
            Ok((seed, Err(failure))) => failures.push(format!("seed {seed:#x}: {failure}")),
            Err(panicked) => failures.push(format!("a run panicked: {panicked}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed; replay one with `TELEMACHY_SOAK_SEED=<seed> cargo test --test \
         reliability soak` (the seed fixes the faults of each request in arrival order; \
         concurrent requests may arrive in another order):\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
    // The faults really hit what they are meant to test, all seeds taken together.
    if seeds.len() >= 10 {
        assert!(hits.errors > 0, "no 500 was answered: {hits:?}");
        assert!(hits.rate_limited > 0, "no 429 was answered: {hits:?}");
        assert!(
            hits.dropped_creates > 0,
            "no create lost its answer: {hits:?}"
        );
    }
}

/// Faults the simulator injected, from its request log.
#[derive(Debug, Default)]
struct FaultHits {
    errors: usize,
    rate_limited: usize,
    dropped_creates: usize,
}

impl FaultHits {
    fn of(sim: &Simulator) -> FaultHits {
        let log = sim.requests();
        let count = |status: Option<u16>| log.iter().filter(|r| r.status() == status).count();
        FaultHits {
            errors: count(Some(500)),
            rate_limited: count(Some(429)),
            dropped_creates: log
                .iter()
                .filter(|request| request.method() == "POST" && request.status().is_none())
                .filter(|request| {
                    matches!(
                        request.route(),
                        "/v1/agents" | "/v1/teams" | "/v1/teams/{team_id}/tasks"
                    )
                })
                .count(),
        }
    }

    fn add(&mut self, other: &FaultHits) {
        self.errors += other.errors;
        self.rate_limited += other.rate_limited;
        self.dropped_creates += other.dropped_creates;
    }
}

/// One run on a fresh simulator faulted with `seed`; what went wrong, if anything.
async fn soak_run(seed: u64) -> Result<FaultHits, String> {
    let plan = fleet_plan();
    let sim = Arc::new(
        simulator(
            SimConfig::default()
                .worker_delay(Duration::from_millis(5))
                .faults(faults(seed)),
        )
        .await,
    );
    let client = quick_client(&sim.url());
    let (options, before_teardown) = watching_teardown(&sim, Duration::from_millis(20));

    let outcome = tokio::time::timeout(RUN_LIMIT, fleet_security::run(&client, options)).await;
    let hits = FaultHits::of(&sim);
    let after = Holdings::of(&sim);
    let log = sim.requests();
    shut_down(sim).await;

    let report = match outcome {
        Err(_) => return Err(format!("the run did not end within {RUN_LIMIT:?}")),
        Ok(Err(error)) => return Err(format!("the run did not start: {error}")),
        Ok(Ok(report)) => report,
    };
    if report.status != RunStatus::Succeeded {
        return Err(format!(
            "the run {}: {:?}; {} requests",
            report.status,
            report.errors,
            log.total()
        ));
    }
    if !report.teardown.applied || !report.teardown.errors.is_empty() {
        return Err(format!(
            "the teardown was not complete: {:?}",
            report.teardown
        ));
    }
    let before = before_teardown
        .lock()
        .expect("not poisoned")
        .take()
        .ok_or("the teardown never started")?;
    before
        .holds_exactly(&plan)
        .map_err(|problem| format!("before teardown: {problem}"))?;
    if before.tasks.len() != plan.tasks.len() {
        return Err(format!(
            "before teardown: {} tasks for {} declared",
            before.tasks.len(),
            plan.tasks.len()
        ));
    }
    if !after.is_torn_down() {
        return Err(format!(
            "after teardown: {} agents and {} teams are left",
            after.agents.len(),
            after.teams.len()
        ));
    }
    if after.tasks.len() != before.tasks.len() {
        return Err("tasks were created during the teardown".to_owned());
    }
    Ok(hits)
}

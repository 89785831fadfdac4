//! What every part of a running simulator shares: the store, the faults, the log, the limits.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::faults::FaultState;
use super::gauge::Gauge;
use super::log::RequestLog;
use super::pause::PauseState;
use super::rate_limit::RateLimiter;
use super::slots::Slots;
use super::state::Store;

/// The shared state behind the routes, the middleware and the workers.
pub(crate) struct App {
    /// Agents, teams and tasks.
    pub(crate) store: Mutex<Store>,
    /// The faults to inject and the generator that decides them.
    pub(crate) faults: Mutex<FaultState>,
    /// Every request received.
    pub(crate) log: Mutex<RequestLog>,
    /// The pause in force, if any (see `Simulator::pause_after`).
    pub(crate) pause: Mutex<Option<Arc<PauseState>>>,
    /// The per-client rate limit, when one is configured.
    pub(crate) limiter: Option<Mutex<RateLimiter>>,
    /// The key every request but health checks must carry, when one is configured.
    pub(crate) api_key: Option<String>,
    /// How long a request that announces no body length stalls before it is answered.
    pub(crate) body_stall: Duration,
    /// How the simulated workers behave.
    pub(crate) workers: WorkerSettings,
    /// Requests being handled.
    pub(crate) requests: Arc<Gauge>,
    /// Connections being served.
    pub(crate) connections: Arc<Gauge>,
    /// The connection limit.
    pub(crate) slots: Arc<Slots>,
}

/// How the simulated workers behave.
#[derive(Debug, Clone)]
pub(crate) struct WorkerSettings {
    /// The time each step (pending -> running -> done) takes.
    pub(crate) delay: Duration,
    /// Subjects of tasks that end `failed` instead of `completed`.
    pub(crate) fail_subjects: BTreeSet<String>,
}

/// The state shared by handlers, as axum passes it.
pub(crate) type SharedApp = Arc<App>;

/// Locks a mutex, carrying on with the data if another thread panicked while holding it:
/// every critical section here leaves the data consistent, so a poisoned lock is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

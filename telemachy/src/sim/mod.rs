//! An in-memory Agamemnon, served over real HTTP on 127.0.0.1, for examples, tests and
//! benchmarks.
//!
//! The simulator implements the server's published contract (`openapi.yaml`) and the way
//! the real server actually behaves: list envelopes with `total`/`limit`/`offset` (default
//! limit 100, at most 1000), items in id order, duplicate names accepted, idempotent start,
//! `401 {"error":"unauthorized"}` when a key is set (`Authorization: Bearer` or
//! `X-API-Key`; health checks are open), an optional per-client rate limit answering `429`
//! with `Retry-After: 1`, `X-API-Version: 0.1.0` on every answer, and the 10 s stall of a
//! `POST` that announces no body length.
//!
//! Beyond the real server it has:
//! - simulated workers: a task assigned to an online agent goes `pending` -> `running` ->
//!   `completed` (or `failed`, for subjects scripted with [`SimConfig::fail_subject`]), one
//!   step per [`SimConfig::worker_delay`]; like the real server it never holds a task back
//!   for its `blockedBy`;
//! - fault injection ([`Faults`]): a share of requests answered 500 or 429, added latency,
//!   and changes applied whose answer is then dropped;
//! - a [`RequestLog`] counting requests by method and route template;
//! - a [`Pause`] at the `n`th request, whose change is applied and whose answer is held, so
//!   that a test can kill its client between a create and its answer;
//! - direct inspection of its agents, teams and tasks.
//!
//! Where the real server crashes (a body field of the wrong JSON type), the simulator
//! answers `400 {"error":"invalid JSON: ..."}` instead.
//!
//! ```
//! use telemachy::sim::{SimConfig, Simulator};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread()
//!     .enable_all()
//!     .build()?;
//! runtime.block_on(async {
//!     // Port 0: an ephemeral port on 127.0.0.1.
//!     let sim = Simulator::start(SimConfig::default()).await?;
//!     let health: serde_json::Value = reqwest::get(format!("{}/v1/health", sim.url()))
//!         .await?
//!         .json()
//!         .await?;
//!     assert_eq!(health["status"], "ok");
//!     assert_eq!(sim.requests().count("GET", "/v1/health"), 1);
//!     sim.shutdown().await;
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })
//! # }
//! ```

mod app;
mod auth;
mod clock;
mod faults;
mod fields;
mod gauge;
mod log;
mod nats;
mod pause;
mod rate_limit;
mod rng;
mod routes;
mod server;
mod slots;
mod stall;
mod state;
mod workers;

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::Faults;
pub use log::{LoggedRequest, RequestLog, UNMATCHED};
pub use pause::Pause;

use crate::api;
use app::{App, SharedApp, WorkerSettings, lock};
use faults::FaultState;
use rate_limit::RateLimiter;
use slots::Slots;

/// How a [`Simulator`] behaves. The default: an ephemeral port, no key, no rate limit, no
/// faults, 50 ms worker steps, and the real server's 10 s read stall.
#[derive(Clone)]
pub struct SimConfig {
    port: u16,
    api_key: Option<String>,
    worker_delay: Duration,
    fail_subjects: BTreeSet<String>,
    rate_limit: Option<(f64, u32)>,
    faults: Faults,
    body_stall: Duration,
    max_connections: Option<usize>,
    nats_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            api_key: None,
            worker_delay: Duration::from_millis(50),
            fail_subjects: BTreeSet::new(),
            rate_limit: None,
            faults: Faults::default(),
            body_stall: Duration::from_secs(10),
            max_connections: None,
            nats_url: None,
        }
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("port", &self.port)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("worker_delay", &self.worker_delay)
            .field("fail_subjects", &self.fail_subjects)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults)
            .field("body_stall", &self.body_stall)
            .field("max_connections", &self.max_connections)
            .field("nats_url", &self.nats_url.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl SimConfig {
    /// The port on 127.0.0.1 to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Requires this key on every request but health checks, as `Authorization: Bearer
    /// <key>` or `X-API-Key: <key>`. An empty key disables the check, as on the real server.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.api_key = (!key.is_empty()).then_some(key);
        self
    }

    /// The time each worker step takes: `pending` -> `running`, then `running` -> done
    /// (default 50 ms).
    pub fn worker_delay(mut self, delay: Duration) -> Self {
        self.worker_delay = delay;
        self
    }

    /// Tasks with exactly this subject end `failed` instead of `completed`; may be given
    /// several times.
    pub fn fail_subject(mut self, subject: impl Into<String>) -> Self {
        self.fail_subjects.insert(subject.into());
        self
    }

    /// Allows each client address `per_second` requests a second, in bursts of up to
    /// `burst`; past that it answers `429` with `Retry-After: 1` (the real server: 60/s,
    /// burst 120). Off by default.
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// The faults to inject from the start (see [`Simulator::set_faults`] to change them).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Serves at most `limit` connections at once, like the real server's fixed pool of 8
    /// threads: a connection beyond them waits, unread, until another closes, and an idle
    /// connection is closed after 5 s. Unlimited by default.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = Some(limit.max(1));
        self
    }

    /// Publishes task events to the NATS server at `url`, as the real server does:
    /// `hi.tasks.created` and `hi.tasks.<team_id>.<task_id>.updated`, each with
    /// `{"task": {...}}`. It connects in the background and drops what it cannot deliver,
    /// so a NATS server that is down, or goes down, changes nothing else. Off by default.
    pub fn nats_url(mut self, url: impl Into<String>) -> Self {
        self.nats_url = Some(url.into());
        self
    }

    /// How long a `POST`, `PUT` or `PATCH` that announces no body length (neither
    /// `Content-Length` nor `Transfer-Encoding`) stalls before it is answered: the real
    /// server's 10 s read timeout by default; zero answers at once.
    pub fn body_stall(mut self, stall: Duration) -> Self {
        self.body_stall = stall;
        self
    }
}

/// A running simulator. It stops on [`shutdown`](Simulator::shutdown) or when dropped.
pub struct Simulator {
    addr: SocketAddr,
    app: SharedApp,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts serving on 127.0.0.1 at the configured port; fails if the port is taken.
    ///
    /// Must be called inside a Tokio runtime; the server and its workers run as tasks on it.
    pub async fn start(config: SimConfig) -> io::Result<Simulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App {
            store: Mutex::default(),
            faults: Mutex::new(FaultState::new(config.faults)),
            log: Mutex::default(),
            pause: Mutex::default(),
            limiter: config
                .rate_limit
                .map(|(per_second, burst)| Mutex::new(RateLimiter::new(per_second, burst))),
            api_key: config.api_key,
            body_stall: config.body_stall,
            workers: WorkerSettings {
                delay: config.worker_delay,
                fail_subjects: config.fail_subjects,
            },
            requests: Arc::default(),
            connections: Arc::default(),
            slots: Arc::new(Slots::new(config.max_connections)),
        });
        let (stop, stopped) = watch::channel(false);
        let server = server::spawn(
            listener,
            routes::router(app.clone()),
            app.slots.clone(),
            app.connections.clone(),
            stopped.clone(),
        );
        let workers = workers::spawn(app.clone(), stopped.clone());
        let mut tasks = vec![server, workers];
        if let Some(url) = config.nats_url {
            let (sink, changes) = tokio::sync::mpsc::unbounded_channel();
            lock(&app.store).announce_to(sink);
            tasks.push(nats::spawn(url, changes, stopped));
        }
        Ok(Simulator {
            addr,
            app,
            stop,
            tasks,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the faults in force; decisions restart from the new faults' seed.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.app.faults) = FaultState::new(faults);
    }

    /// Every agent, in id order.
    pub fn agents(&self) -> Vec<api::Agent> {
        let store = lock(&self.app.store);
        store.agents.values().map(|r| r.agent.clone()).collect()
    }

    /// Every team, in id order.
    pub fn teams(&self) -> Vec<api::Team> {
        let store = lock(&self.app.store);
        store.teams.values().map(|r| r.team.clone()).collect()
    }

    /// Every task of every team, in id order.
    pub fn tasks(&self) -> Vec<api::Task> {
        let store = lock(&self.app.store);
        store.tasks.values().map(|r| r.task.clone()).collect()
    }

    /// Pauses at the `n`th request from now (1 = the next one; health checks count too):
    /// that request is handled as usual, its change applied, but its answer is held; every
    /// later request waits before it is handled. [`Pause::reached`] says when the `n`th
    /// request is held; [`Pause::resume`] lets everything go on. A pause already in force is
    /// lifted first.
    ///
    /// This lets a test act at an exact point of a client's run, e.g. kill the client
    /// between a create and its answer:
    ///
    /// ```no_run
    /// # async fn demo(sim: telemachy::sim::Simulator, mut client: std::process::Child) {
    /// let pause = sim.pause_after(7);
    /// // ... start a client against sim.url() ...
    /// pause.reached().await;
    /// client.kill().expect("the client can be killed");
    /// pause.resume().await;
    /// # }
    /// ```
    pub fn pause_after(&self, n: usize) -> Pause {
        self.set_pause(Pause::new(n, None))
    }

    /// Like [`pause_after`](Simulator::pause_after), counting only the requests for which
    /// `counts(method, route template)` holds: the `n`th of those is applied and its answer
    /// held, and every request after it, counted or not, waits. Requests whose number
    /// depends on timing (a client's polls) can so be left out, and the point stays the
    /// same from run to run:
    ///
    /// ```no_run
    /// # fn demo(sim: &telemachy::sim::Simulator) {
    /// let not_a_poll = |method: &str, route: &str| {
    ///     !(method == "GET" && route == "/v1/teams/{team_id}/tasks")
    /// };
    /// let pause = sim.pause_after_matching(12, not_a_poll);
    /// # }
    /// ```
    pub fn pause_after_matching(
        &self,
        n: usize,
        counts: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    ) -> Pause {
        self.set_pause(Pause::new(n, Some(Box::new(counts))))
    }

    fn set_pause(&self, (pause, state): (Pause, Arc<pause::PauseState>)) -> Pause {
        if let Some(previous) = lock(&self.app.pause).replace(state) {
            previous.release();
        }
        pause
    }

    /// The most requests it has handled at once (health checks included).
    pub fn peak_requests(&self) -> usize {
        self.app.requests.peak()
    }

    /// How many client connections are being served now.
    pub fn open_connections(&self) -> usize {
        self.app.connections.now()
    }

    /// The most client connections that have been served at once.
    pub fn peak_connections(&self) -> usize {
        self.app.connections.peak()
    }

    /// With [`SimConfig::max_connections`]: how many connections found every slot taken,
    /// and the longest any of them waited for one.
    pub fn connection_waits(&self) -> (usize, Duration) {
        let waits = self.app.slots.waits();
        (waits.count, waits.longest)
    }

    /// A snapshot of the request log.
    pub fn requests(&self) -> RequestLog {
        lock(&self.app.log).clone()
    }

    /// Stops accepting connections and the workers, lets requests in flight finish (for up
    /// to a second), and waits until everything has stopped.
    pub async fn shutdown(mut self) {
        // No receiver left means everything has stopped already.
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            // A task that panicked or was cancelled has stopped all the same.
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

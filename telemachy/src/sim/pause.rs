//! Pausing the simulator at one request, so that a test can act at a precise point of a
//! client's run: kill the client between a create and its answer, for instance.
//!
//! While a [`Pause`] at request `n` is in force, the requests it counts (all of them, or
//! those a filter picks) are numbered as they arrive. Requests before the `n`th are served
//! as usual. The `n`th is handled (its change applied) and its answer then held. Every
//! request that arrives after it, counted or not, waits before it is handled.
//! [`Pause::resume`] lets them all go on, and waits until each has been handled, so that the
//! state a test inspects afterwards is final.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::watch;

use super::app::{SharedApp, lock};
use super::log::UNMATCHED;

/// Which requests a pause counts: given the method and the route template.
pub(crate) type Counts = Box<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// A pause of a [`Simulator`](super::Simulator) at one request; see
/// [`Simulator::pause_after`](super::Simulator::pause_after).
///
/// Dropping it lets held requests go on without waiting for them; [`Pause::resume`] waits.
#[derive(Debug)]
pub struct Pause {
    shared: Arc<PauseState>,
}

/// What the middleware and the [`Pause`] handle share.
pub(crate) struct PauseState {
    /// The number of the counted request whose answer is held (1 = the first counted).
    at: usize,
    /// Which requests count; `None` counts every one.
    counts: Option<Counts>,
    /// How many counted requests have arrived since the pause was set.
    arrived: AtomicUsize,
    /// Set once the `at`th counted request has arrived: every later request waits.
    passed: AtomicBool,
    /// Set once the `at`th counted request has been handled and its answer is held.
    reached: watch::Sender<bool>,
    /// The method and route template of the `at`th counted request, once it arrived.
    held_request: Mutex<Option<(String, String)>>,
    /// Set when the pause is lifted.
    released: watch::Sender<bool>,
    /// How many requests are being handled or held.
    in_flight: watch::Sender<usize>,
}

impl fmt::Debug for PauseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PauseState")
            .field("at", &self.at)
            .field("filtered", &self.counts.is_some())
            .field("arrived", &self.arrived)
            .field("reached", &*self.reached.borrow())
            .field("released", &*self.released.borrow())
            .finish_non_exhaustive()
    }
}

impl PauseState {
    pub(crate) fn release(&self) {
        self.released.send_replace(true);
    }

    fn is_released(&self) -> bool {
        *self.released.borrow()
    }

    async fn wait_released(&self) {
        let mut released = self.released.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = released.wait_for(|released| *released).await;
    }

    fn counts(&self, method: &str, route: &str) -> bool {
        self.counts
            .as_ref()
            .is_none_or(|counts| counts(method, route))
    }
}

impl Pause {
    /// A pause at the `at`th request from now (0 counts as 1) of those `counts` picks.
    pub(crate) fn new(at: usize, counts: Option<Counts>) -> (Pause, Arc<PauseState>) {
        let shared = Arc::new(PauseState {
            at: at.max(1),
            counts,
            arrived: AtomicUsize::new(0),
            passed: AtomicBool::new(false),
            reached: watch::Sender::new(false),
            held_request: Mutex::new(None),
            released: watch::Sender::new(false),
            in_flight: watch::Sender::new(0),
        });
        (
            Pause {
                shared: Arc::clone(&shared),
            },
            shared,
        )
    }

    /// The number of the counted request whose answer is held.
    pub fn at(&self) -> usize {
        self.shared.at
    }

    /// Whether that request has been handled and its answer is being held.
    pub fn is_reached(&self) -> bool {
        *self.shared.reached.borrow()
    }

    /// The method and route template (e.g. `POST` and `/v1/agents`) of the request whose
    /// answer is held, once it has arrived.
    pub fn held_request(&self) -> Option<(String, String)> {
        lock(&self.shared.held_request).clone()
    }

    /// How many counted requests have arrived since the pause was set (held ones included).
    pub fn arrived(&self) -> usize {
        self.shared.arrived.load(Ordering::SeqCst)
    }

    /// Waits until the `at`th counted request has been handled and its answer is held.
    /// Returns at once if it already is; never returns if that many requests never come
    /// (wrap it in a timeout).
    pub async fn reached(&self) {
        let mut reached = self.shared.reached.subscribe();
        let _ = reached.wait_for(|reached| *reached).await;
    }

    /// Lifts the pause: the held answer is sent (if its client is still there) and the
    /// requests that came later are handled, in no particular order. Returns once every
    /// request that had arrived has been handled, so the simulator's state no longer changes
    /// on their account.
    pub async fn resume(self) {
        self.shared.release();
        let mut in_flight = self.shared.in_flight.subscribe();
        let _ = in_flight.wait_for(|count| *count == 0).await;
    }
}

impl Drop for Pause {
    fn drop(&mut self) {
        self.shared.release();
    }
}

/// Middleware: applies the pause in force, if any.
pub(crate) async fn hold(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let pause = lock(&app.pause).clone();
    let Some(pause) = pause else {
        return next.run(request).await;
    };
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    // In flight before it is numbered, so that `resume` never misses a request that arrived
    // before the pause was lifted.
    pause.in_flight.send_modify(|count| *count += 1);
    let number = pause
        .counts(&method, &route)
        .then(|| pause.arrived.fetch_add(1, Ordering::SeqCst) + 1);
    let response = if pause.is_released() {
        next.run(request).await
    } else if number == Some(pause.at) {
        pause.passed.store(true, Ordering::SeqCst);
        *lock(&pause.held_request) = Some((method, route));
        let response = next.run(request).await;
        pause.reached.send_replace(true);
        pause.wait_released().await;
        response
    } else if match number {
        Some(number) => number > pause.at,
        None => pause.passed.load(Ordering::SeqCst),
    } {
        pause.wait_released().await;
        next.run(request).await
    } else {
        next.run(request).await
    };
    pause.in_flight.send_modify(|count| *count -= 1);
    response
}

//! Pausing the simulator at one request, so that a test can act at a precise point of a
//! client's run: kill the client between a create and its answer, for instance.
//!
//! While a [`Pause`] at request `n` is in force, requests are counted as they arrive. The
//! first `n - 1` are served as usual. The `n`th is handled (its change applied) and its
//! answer then held. Every later request waits before it is handled. [`Pause::resume`] lets
//! them all go on, and waits until each has been handled, so that the state a test inspects
//! afterwards is final.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::watch;

use super::app::{SharedApp, lock};
use super::log::UNMATCHED;

/// A pause of a [`Simulator`](super::Simulator) at one request; see
/// [`Simulator::pause_after`](super::Simulator::pause_after).
///
/// Dropping it lets held requests go on without waiting for them; [`Pause::resume`] waits.
#[derive(Debug)]
pub struct Pause {
    shared: Arc<PauseState>,
}

/// What the middleware and the [`Pause`] handle share.
#[derive(Debug)]
pub(crate) struct PauseState {
    /// The position of the request whose answer is held (1 = the first counted).
    at: usize,
    /// How many requests have arrived since the pause was set.
    arrived: AtomicUsize,
    /// Set once the `at`th request has been handled and its answer is held.
    reached: watch::Sender<bool>,
    /// The method and route template of the `at`th request, once it arrived.
    held_request: Mutex<Option<(String, String)>>,
    /// Set when the pause is lifted.
    released: watch::Sender<bool>,
    /// How many counted requests are being handled or held.
    in_flight: watch::Sender<usize>,
}

impl PauseState {
    fn new(at: usize) -> Self {
        PauseState {
            at: at.max(1),
            arrived: AtomicUsize::new(0),
            reached: watch::Sender::new(false),
            held_request: Mutex::new(None),
            released: watch::Sender::new(false),
            in_flight: watch::Sender::new(0),
        }
    }

    pub(crate) fn release(&self) {
        self.released.send_replace(true);
    }

    async fn wait_released(&self) {
        let mut released = self.released.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = released.wait_for(|released| *released).await;
    }
}

impl Pause {
    /// A pause at the `at`th request from now (0 counts as 1).
    pub(crate) fn new(at: usize) -> (Pause, Arc<PauseState>) {
        let shared = Arc::new(PauseState::new(at));
        (
            Pause {
                shared: Arc::clone(&shared),
            },
            shared,
        )
    }

    /// The position of the request whose answer is held.
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

    /// How many requests have arrived since the pause was set (those held included).
    pub fn arrived(&self) -> usize {
        self.shared.arrived.load(Ordering::SeqCst)
    }

    /// Waits until the `at`th request has been handled and its answer is held. Returns at
    /// once if it already is; never returns if that many requests never come (wrap it in a
    /// timeout).
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
    // Counted in flight before it is counted as arrived, so that `resume` never misses a
    // request that arrived before the pause was lifted.
    pause.in_flight.send_modify(|count| *count += 1);
    let position = pause.arrived.fetch_add(1, Ordering::SeqCst) + 1;
    let response = if position < pause.at || *pause.released.borrow() {
        next.run(request).await
    } else if position == pause.at {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
        *lock(&pause.held_request) = Some((request.method().as_str().to_owned(), route));
        let response = next.run(request).await;
        pause.reached.send_replace(true);
        pause.wait_released().await;
        response
    } else {
        pause.wait_released().await;
        next.run(request).await
    };
    pause.in_flight.send_modify(|count| *count -= 1);
    response
}

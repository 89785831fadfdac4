//! Pacing learned from the server: with no rate configured, a client sends as fast as it is
//! asked to until the server answers `429`, then learns the server's rate from its answers
//! and keeps just under it.
//!
//! A `429` means the server's token bucket is empty. Between two moments at which it is
//! empty, the server let through exactly what it refilled, so the requests it admitted
//! (sent, less those answered `429`) divided by the time between them is its rate:
//!
//! 1. At the first `429` nothing is known: everything waits [`PROBE_PAUSE`], then goes as
//!    fast as it will again. The next `429` gives a first estimate.
//! 2. From then on requests are spaced at just under the estimate, starting from an empty
//!    bucket (the server's is empty too). Each later `429` refines the estimate over the
//!    longer span since the previous one.
//! 3. While requests queue for the pacer and no `429` came for [`RAISE_AFTER`], the rate is
//!    raised a little, so an estimate that came out low, or a server that allows more than
//!    it did, is found again.
//!
//! A `429` for a request sent before the last estimate says nothing new and is ignored.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How long everything waits after the first `429`, so that the server's bucket holds
/// enough for the first estimate.
const PROBE_PAUSE: Duration = Duration::from_millis(250);
/// The share of the estimated rate the client keeps to.
const HEADROOM: f64 = 0.98;
/// The shortest span between two `429`s that an estimate is taken over; a `429` sooner
/// than this after the previous one only lowers the rate by [`BACK_OFF`].
const MIN_SPAN: Duration = Duration::from_millis(800);
/// How much a `429` soon after another lowers the rate.
const BACK_OFF: f64 = 0.9;
/// How long requests must have queued without a `429` before the rate is raised.
const RAISE_AFTER: Duration = Duration::from_secs(2);
/// How much the rate is raised then.
const RAISE: f64 = 1.03;
/// The slowest the client ever paces itself, in requests per second.
const MIN_RATE: f64 = 1.0;
/// How many seconds' worth of requests the client lets through at once after idling.
const BURST_SECONDS: f64 = 0.5;

/// The learning pacer shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct Adaptive {
    state: Mutex<State>,
}

/// When a request was let through, for [`Adaptive::answered`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    sent: Instant,
}

#[derive(Debug, Default)]
struct State {
    /// Requests the server let through: sent, less those answered `429`.
    admitted: u64,
    /// Everything waits until then.
    hold_until: Option<Instant>,
    phase: Phase,
}

#[derive(Debug, Default)]
enum Phase {
    /// No `429` yet: no pacing.
    #[default]
    Free,
    /// One `429` seen, at `at`, with `admitted` so far.
    Probing { at: Instant, admitted: u64 },
    /// Pacing at `rate`.
    Paced(Paced),
}

#[derive(Debug)]
struct Paced {
    /// Requests per second the client keeps to.
    rate: f64,
    /// The last `429` an estimate was taken at, with `admitted` then.
    anchor: Instant,
    admitted: u64,
    /// Tokens of the client's bucket (below zero: requests waiting).
    tokens: f64,
    /// When `tokens` was last brought up to date.
    at: Instant,
    /// The last `429` or raise, whichever came later.
    changed: Instant,
}

impl Paced {
    fn new(rate: f64, now: Instant, admitted: u64) -> Paced {
        Paced {
            rate: rate.max(MIN_RATE),
            anchor: now,
            admitted,
            tokens: 0.0,
            at: now,
            changed: now,
        }
    }

    /// Takes a token at `now`; answers how long to wait before using it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let burst = (self.rate * BURST_SECONDS).max(1.0);
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(burst);
        self.at = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            return Duration::ZERO;
        }
        if now.saturating_duration_since(self.changed) >= RAISE_AFTER {
            self.rate *= RAISE;
            self.changed = now;
        }
        Duration::try_from_secs_f64(-self.tokens / self.rate).unwrap_or(Duration::MAX)
    }
}

impl Adaptive {
    /// Waits until a request may be sent; hand the ticket to [`Adaptive::answered`].
    pub(crate) async fn acquire(&self) -> Ticket {
        let wait = self.reserve(Instant::now());
        if !wait.is_zero() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "pacing: keeping under the rate the server allows"
            );
            tokio::time::sleep(wait).await;
        }
        let mut state = self.lock();
        state.admitted += 1;
        Ticket {
            sent: Instant::now(),
        }
    }

    /// Records how the request of `ticket` was answered.
    pub(crate) fn answered(&self, ticket: Ticket, rate_limited: bool) {
        if rate_limited {
            self.rate_limited(ticket, Instant::now());
        }
    }

    /// The rate the client keeps to, once it has learned one.
    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        match &self.lock().phase {
            Phase::Paced(paced) => Some(paced.rate),
            _ => None,
        }
    }

    fn reserve(&self, now: Instant) -> Duration {
        let mut state = self.lock();
        let held = state
            .hold_until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        match &mut state.phase {
            Phase::Paced(paced) => held.max(paced.reserve(now + held)),
            _ => held,
        }
    }

    fn rate_limited(&self, ticket: Ticket, now: Instant) {
        let mut state = self.lock();
        state.admitted = state.admitted.saturating_sub(1);
        let admitted = state.admitted;
        match &mut state.phase {
            Phase::Free => {
                tracing::debug!("pacing: the server limits the rate; measuring it");
                state.phase = Phase::Probing { at: now, admitted };
                state.hold_until = Some(now + PROBE_PAUSE);
            }
            // A request sent before a phase began was counted in that phase's snapshot:
            // its 429 lowers the snapshot too, so the count since stays right.
            Phase::Probing { at, admitted: then } if ticket.sent <= *at + PROBE_PAUSE => {
                if ticket.sent <= *at {
                    *then = then.saturating_sub(1);
                }
            }
            Phase::Probing { at, admitted: then } => {
                let rate = per_second(admitted.saturating_sub(*then), now - *at) * HEADROOM;
                tracing::debug!(rate, "pacing: learned the server's rate");
                state.phase = Phase::Paced(Paced::new(rate, now, admitted));
            }
            Phase::Paced(paced) if ticket.sent <= paced.anchor => {
                paced.admitted = paced.admitted.saturating_sub(1);
            }
            Phase::Paced(paced) => {
                let span = now - paced.anchor;
                let rate = if span >= MIN_SPAN {
                    per_second(admitted.saturating_sub(paced.admitted), span) * HEADROOM
                } else {
                    paced.rate * BACK_OFF
                };
                tracing::debug!(rate, "pacing: the server's rate is lower than thought");
                *paced = Paced {
                    tokens: paced.tokens.min(0.0),
                    ..Paced::new(rate, now, admitted)
                };
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another request panicked mid-update; the numbers are
        // still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn per_second(count: u64, span: Duration) -> f64 {
    count as f64 / span.as_secs_f64().max(1e-3)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server's token bucket, to run the pacer against on a paused clock.
    struct Server {
        rate: f64,
        burst: f64,
        tokens: f64,
        at: Instant,
    }

    impl Server {
        fn admit(&mut self, now: Instant) -> bool {
            let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
            self.at = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    /// Sends `count` requests through the pacer as fast as it lets them go, one every
    /// `spacing` at most, against a server of `rate` and `burst`; answers the 429s and how
    /// long it took.
    async fn drive(count: usize, rate: f64, burst: f64, spacing: Duration) -> (usize, Duration) {
        let pacer = Adaptive::default();
        let start = Instant::now();
        let mut server = Server {
            rate,
            burst,
            tokens: burst,
            at: start,
        };
        let mut limited = 0;
        let mut done = 0;
        while done < count {
            let ticket = pacer.acquire().await;
            let admitted = server.admit(Instant::now());
            pacer.answered(ticket, !admitted);
            if admitted {
                done += 1;
            } else {
                limited += 1;
            }
            tokio::time::sleep(spacing).await;
        }
        (limited, start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn learns_a_servers_rate_with_few_429s() {
        let (limited, took) = drive(1200, 60.0, 120.0, Duration::from_millis(5)).await;
        // The floor: the burst at once, then 60 a second.
        let floor = (1200.0 - 120.0) / 60.0;
        assert!(limited <= 10, "{limited} requests answered 429");
        let took = took.as_secs_f64();
        assert!(
            took <= floor * 1.05,
            "took {took:.2} s against a floor of {floor:.2} s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn late_429s_of_requests_sent_before_a_probe_are_counted_once() {
        let pacer = Adaptive::default();
        let mut early = Vec::new();
        for _ in 0..5 {
            early.push(pacer.acquire().await);
        }
        // The first 429 starts the probe; the other early requests' 429s arrive after it.
        pacer.answered(early.pop().expect("five tickets"), true);
        tokio::time::sleep(PROBE_PAUSE * 2).await;
        for ticket in early {
            pacer.answered(ticket, true);
        }
        let late = pacer.acquire().await;
        pacer.answered(late, true);
        let rate = pacer.rate().expect("a learned rate");
        assert_eq!(rate, MIN_RATE, "nothing was let through, so the floor rate");
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_that_never_limits_is_never_paced() {
        let (limited, took) = drive(500, 1e9, 1e9, Duration::from_millis(1)).await;
        assert_eq!(limited, 0);
        assert!(took < Duration::from_millis(600));
    }

    #[tokio::test(start_paused = true)]
    async fn a_lower_rate_later_on_is_followed() {
        let pacer = Adaptive::default();
        let start = Instant::now();
        let mut server = Server {
            rate: 100.0,
            burst: 10.0,
            tokens: 10.0,
            at: start,
        };
        let mut limited_late = 0;
        for sent in 0..3000 {
            if sent == 1500 {
                server.rate = 20.0;
            }
            let ticket = pacer.acquire().await;
            let admitted = server.admit(Instant::now());
            pacer.answered(ticket, !admitted);
            if !admitted && sent > 2500 {
                limited_late += 1;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let rate = pacer.rate().expect("a learned rate");
        assert!((15.0..=21.0).contains(&rate), "paced at {rate:.1}/s");
        assert!(limited_late <= 8, "{limited_late} 429s once settled");
    }
}

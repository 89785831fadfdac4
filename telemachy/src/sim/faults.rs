//! Fault injection: server errors, rate limiting, dropped responses and latency, decided by
//! a seeded generator so a run can be replayed.

use std::ops::Range;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::{SharedApp, lock};
use super::rng::SplitMix64;
use super::routes::{ApiError, is_health};

/// Faults the simulator injects, per request. The default injects none.
///
/// Health checks (`/health`, `/v1/health`) are never faulted. Rates are shares of requests
/// between 0 and 1; values outside are clamped.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Share of requests answered `500 {"error":"internal server error"}` without being applied.
    pub error_rate: f64,
    /// Share of requests answered `429` with `Retry-After: 1` without being applied.
    pub rate_limited_rate: f64,
    /// Share of mutating requests (POST, PUT, PATCH, DELETE) that are applied and whose
    /// connection is then closed without an answer: the client cannot tell whether the
    /// change happened.
    pub drop_after_apply_rate: f64,
    /// Latency added to every faultable request, drawn evenly from this range. A request
    /// whose client gives up meanwhile is still handled to the end, as on the real server.
    pub latency: Range<Duration>,
    /// The seed of the decisions: the same seed and request sequence give the same faults.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            error_rate: 0.0,
            rate_limited_rate: 0.0,
            drop_after_apply_rate: 0.0,
            latency: Duration::ZERO..Duration::ZERO,
            seed: 0,
        }
    }
}

/// The faults in force and the generator that draws them.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    rng: SplitMix64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Served normally.
    Serve,
    /// Answered 500, not applied.
    Error,
    /// Answered 429, not applied.
    RateLimited,
    /// Applied, then the connection is closed without an answer.
    DropAfterApply,
}

/// Marks a response whose connection the server closes instead of sending it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

impl FaultState {
    /// Faults drawn from their own seed.
    pub(crate) fn new(faults: Faults) -> Self {
        let rng = SplitMix64::new(faults.seed);
        FaultState { faults, rng }
    }

    /// Draws the latency and outcome of one request.
    fn decide(&mut self, mutating: bool) -> (Duration, Outcome) {
        let faults = &self.faults;
        let latency = if faults.latency.end > faults.latency.start {
            let span = faults.latency.end - faults.latency.start;
            faults.latency.start + span.mul_f64(self.rng.next_f64())
        } else {
            faults.latency.start
        };
        let error = share(faults.error_rate);
        let rate_limited = share(faults.rate_limited_rate);
        let drop = share(faults.drop_after_apply_rate);
        let draw = self.rng.next_f64();
        let outcome = if draw < error {
            Outcome::Error
        } else if draw < error + rate_limited {
            Outcome::RateLimited
        } else if mutating && self.rng.next_f64() < drop {
            Outcome::DropAfterApply
        } else {
            Outcome::Serve
        };
        (latency, outcome)
    }
}

/// A rate as a share in `[0, 1]` (NaN counts as 0).
fn share(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// Middleware: applies the faults in force to every request but health checks.
pub(crate) async fn inject(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    if is_health(request.uri().path()) {
        return next.run(request).await;
    }
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let (latency, outcome) = lock(&app.faults).decide(mutating);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match outcome {
        Outcome::Serve => next.run(request).await,
        Outcome::Error => ApiError::internal().into_response(),
        Outcome::RateLimited => ApiError::rate_limited().into_response(),
        Outcome::DropAfterApply => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(DropConnection);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(faults: Faults, mutating: bool, n: usize) -> Vec<Outcome> {
        let mut state = FaultState::new(faults);
        (0..n).map(|_| state.decide(mutating).1).collect()
    }

    #[test]
    fn no_faults_by_default() {
        assert!(
            outcomes(Faults::default(), true, 1000)
                .iter()
                .all(|o| *o == Outcome::Serve)
        );
    }

    #[test]
    fn same_seed_same_faults() {
        let faults = Faults {
            error_rate: 0.3,
            rate_limited_rate: 0.2,
            drop_after_apply_rate: 0.5,
            seed: 42,
            ..Faults::default()
        };
        assert_eq!(
            outcomes(faults.clone(), true, 200),
            outcomes(faults, true, 200)
        );
    }

    #[test]
    fn shares_match_the_rates() {
        let faults = Faults {
            error_rate: 0.2,
            rate_limited_rate: 0.1,
            drop_after_apply_rate: 0.5,
            seed: 7,
            ..Faults::default()
        };
        let n = 10_000;
        let all = outcomes(faults.clone(), true, n);
        let count = |o: Outcome| all.iter().filter(|x| **x == o).count() as f64 / n as f64;
        assert!((count(Outcome::Error) - 0.2).abs() < 0.02);
        assert!((count(Outcome::RateLimited) - 0.1).abs() < 0.02);
        // Half of the remaining 70 %.
        assert!((count(Outcome::DropAfterApply) - 0.35).abs() < 0.02);
        let reads = outcomes(faults, false, n);
        assert!(!reads.contains(&Outcome::DropAfterApply));
    }

    #[test]
    fn latency_stays_in_range() {
        let mut state = FaultState::new(Faults {
            latency: Duration::from_millis(5)..Duration::from_millis(10),
            ..Faults::default()
        });
        for _ in 0..100 {
            let (latency, _) = state.decide(false);
            assert!(latency >= Duration::from_millis(5) && latency < Duration::from_millis(10));
        }
    }
}

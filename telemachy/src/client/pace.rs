//! Client-side pacing: a token bucket shared by every clone of a client.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::config::Rate;

/// A token bucket: `burst` tokens, refilled at `per_second`; each request takes one, waiting
/// for it when the bucket is empty. Waiters reserve their token first (the count may go
/// below zero), so concurrent requests queue fairly instead of all waking at once.
#[derive(Debug)]
pub(crate) struct Pacer {
    per_second: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Pacer {
    pub(crate) fn new(rate: Rate) -> Pacer {
        Pacer {
            per_second: rate.per_second,
            burst: f64::from(rate.burst),
            bucket: Mutex::new(Bucket {
                tokens: f64::from(rate.burst),
                at: Instant::now(),
            }),
        }
    }

    /// Waits until a request may be sent.
    pub(crate) async fn acquire(&self) {
        let wait = self.reserve(Instant::now());
        if !wait.is_zero() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "pacing: waiting for the rate limit"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token at `now` and answers how long to wait before using it.
    fn reserve(&self, now: Instant) -> Duration {
        // A poisoned lock only means another request panicked mid-update; the bucket's
        // numbers are still usable.
        let mut bucket = self
            .bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-bucket.tokens / self.per_second).unwrap_or(Duration::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_requests_are_spaced() {
        let pacer = Pacer::new(Rate {
            per_second: 10.0,
            burst: 3,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(pacer.reserve(start), Duration::ZERO);
        }
        let fourth = pacer.reserve(start);
        let fifth = pacer.reserve(start);
        assert!((fourth.as_secs_f64() - 0.1).abs() < 1e-6, "{fourth:?}");
        assert!((fifth.as_secs_f64() - 0.2).abs() < 1e-6, "{fifth:?}");
    }

    #[test]
    fn tokens_refill_over_time_up_to_the_burst() {
        let pacer = Pacer::new(Rate {
            per_second: 10.0,
            burst: 2,
        });
        let start = Instant::now();
        assert_eq!(pacer.reserve(start), Duration::ZERO);
        assert_eq!(pacer.reserve(start), Duration::ZERO);
        let later = start + Duration::from_secs(60);
        assert_eq!(pacer.reserve(later), Duration::ZERO);
        assert_eq!(pacer.reserve(later), Duration::ZERO);
        assert!(pacer.reserve(later) > Duration::ZERO);
    }
}

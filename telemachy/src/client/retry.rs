//! Which failures are retried, and how long to wait before the next attempt.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::error::Error;

/// The longest `Retry-After` the client honours; a server asking for more gets this.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How many retries, and the capped exponential backoff between them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) base: Duration,
    pub(crate) max: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry): `base * 2^retry`, capped at
    /// `max`, jittered to between half and all of it; never shorter than the server's
    /// `Retry-After` (itself capped at [`MAX_RETRY_AFTER`]).
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let ceiling = self.base.saturating_mul(factor).min(self.max);
        let jittered = ceiling.mul_f64(0.5 + 0.5 * unit_random());
        match retry_after {
            Some(asked) => jittered.max(asked.min(MAX_RETRY_AFTER)),
            None => jittered,
        }
    }
}

/// What a failure says about retrying the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Retrying cannot help (a 4xx other than 408/429, an answer that breaks the contract).
    Final,
    /// The server certainly did not act on the request (connection refused, 429): any
    /// request, a create too, may simply be sent again.
    NotApplied,
    /// The request may or may not have been acted on (timeout, dropped connection, 5xx,
    /// 408): an idempotent request may be sent again; a create must first look for what it
    /// may have created.
    Unknown,
}

/// Classifies `error` for the retry loop.
pub(crate) fn classify(error: &Error) -> Failure {
    match error {
        Error::Status { status: 429, .. } => Failure::NotApplied,
        Error::Status { status, .. } if *status == 408 || (500..600).contains(status) => {
            Failure::Unknown
        }
        Error::Transport { source, .. } if source.is_connect() => Failure::NotApplied,
        Error::Transport { .. } | Error::Timeout { .. } => Failure::Unknown,
        _ => Failure::Final,
    }
}

/// The delay a `Retry-After` header value asks for: whole or fractional seconds. HTTP dates
/// are not used by Agamemnon and are ignored (the backoff applies instead).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds = value.trim().parse::<f64>().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64())).ok()
}

/// A number in `[0, 1)`, different on every call; good enough for jitter, not for secrets.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits make an evenly spread f64 in [0, 1).
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(1000),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let policy = policy();
        for retry in 0..40 {
            let ceiling = Duration::from_millis((100u64 << retry.min(20)).min(1000));
            for _ in 0..50 {
                let delay = policy.delay(retry, None);
                assert!(delay <= ceiling, "retry {retry}: {delay:?} > {ceiling:?}");
                assert!(
                    delay >= ceiling / 2,
                    "retry {retry}: {delay:?} < half of {ceiling:?}"
                );
            }
        }
    }

    #[test]
    fn jitter_varies() {
        let policy = policy();
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.delay(3, None)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn retry_after_is_a_floor_and_capped() {
        let policy = policy();
        assert!(policy.delay(0, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("99999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }

    fn status(status: u16) -> Error {
        Error::Status {
            method: "POST".into(),
            path: "/v1/agents".into(),
            status,
            message: String::new(),
        }
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(&status(429)), Failure::NotApplied);
        assert_eq!(classify(&status(408)), Failure::Unknown);
        assert_eq!(classify(&status(500)), Failure::Unknown);
        assert_eq!(classify(&status(503)), Failure::Unknown);
        assert_eq!(classify(&status(400)), Failure::Final);
        assert_eq!(classify(&status(409)), Failure::Final);
        let timeout = Error::Timeout {
            method: "GET".into(),
            path: "/".into(),
            after: Duration::from_secs(1),
        };
        assert_eq!(classify(&timeout), Failure::Unknown);
        let not_found = Error::NotFound {
            method: "GET".into(),
            path: "/".into(),
            message: String::new(),
        };
        assert_eq!(classify(&not_found), Failure::Final);
    }

    #[tokio::test]
    async fn a_refused_connection_was_not_applied() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        drop(listener);
        let source = reqwest::Client::new()
            .post(format!("http://{addr}/v1/agents"))
            .send()
            .await
            .expect_err("nothing listens on the port");
        let error = Error::Transport {
            method: "POST".into(),
            path: "/v1/agents".into(),
            source,
        };
        assert_eq!(classify(&error), Failure::NotApplied);
    }
}

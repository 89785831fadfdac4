//! The per-client rate limit: a token bucket per client address, like the real server's
//! `RATE_LIMIT_RPS` / `RATE_LIMIT_BURST`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::{SharedApp, lock};
use super::routes::ApiError;

/// Token buckets, one per client address.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: HashMap<IpAddr, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl RateLimiter {
    /// `per_second` requests a second steady, up to `burst` at once (at least 1).
    pub(crate) fn new(per_second: f64, burst: u32) -> Self {
        let per_second = if per_second.is_finite() {
            per_second.max(0.0)
        } else {
            0.0
        };
        RateLimiter {
            per_second,
            burst: f64::from(burst.max(1)),
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for this client if one is left.
    pub(crate) fn try_acquire(&mut self, client: IpAddr, now: Instant) -> bool {
        let burst = self.burst;
        let bucket = self.buckets.entry(client).or_insert(Bucket {
            tokens: burst,
            refilled: now,
        });
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(burst);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Middleware: `429 {"error":"rate limit exceeded","retry_after_seconds":1}` with
/// `Retry-After: 1` once a client is past its rate.
pub(crate) async fn limit(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let Some(limiter) = &app.limiter else {
        return next.run(request).await;
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let allowed = match client {
        Some(client) => lock(limiter).try_acquire(client, Instant::now()),
        None => true,
    };
    if allowed {
        next.run(request).await
    } else {
        ApiError::rate_limited().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    #[test]
    fn burst_then_steady_rate() {
        let mut limiter = RateLimiter::new(10.0, 3);
        let me = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.try_acquire(me, t0)));
        assert!(!limiter.try_acquire(me, t0));
        assert!(limiter.try_acquire(other, t0), "buckets are per client");
        assert!(!limiter.try_acquire(me, t0 + Duration::from_millis(50)));
        assert!(limiter.try_acquire(me, t0 + Duration::from_millis(160)));
    }
}

//! `GET /_sim/stats`: what the simulator saw, for benchmarks that run it as its own process.
//! The real server has no such route. It is neither logged, limited, faulted nor checked
//! for a key, so reading it changes none of the figures it reports.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::sim::app::{SharedApp, lock};

/// Requests by method and route (with their `429`s), the peaks of requests and connections
/// under way, connection waits, and the hand-off of dependent tasks.
pub(crate) async fn stats(State(app): State<SharedApp>) -> Json<Value> {
    let routes: Vec<Value> = lock(&app.log)
        .by_route()
        .into_iter()
        .map(|(method, route, count, limited)| {
            json!({ "method": method, "route": route, "count": count, "rate_limited": limited })
        })
        .collect();
    let (handoffs, mean, longest) = lock(&app.store).handoffs();
    let waits = app.slots.waits();
    Json(json!({
        "requests": routes,
        "peak_requests": app.requests.peak(),
        "peak_connections": app.connections.peak(),
        "connection_waits": waits.count,
        "longest_connection_wait_ms": waits.longest.as_secs_f64() * 1e3,
        "handoffs": handoffs,
        "mean_handoff_ms": mean.as_secs_f64() * 1e3,
        "longest_handoff_ms": longest.as_secs_f64() * 1e3,
    }))
}

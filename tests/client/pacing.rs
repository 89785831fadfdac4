//! Client-side pacing, shared by all clones of a client.

use std::time::{Duration, Instant};

use serde_json::json;
use telemachy::Client;
use wiremock::MockServer;

use crate::support::{api, config, json_answer, mount_expecting, server};

/// A server that fails the test unless it answers exactly eight health checks, and a client
/// for it paced at `per_second` after a burst of `burst`.
async fn eight_health_checks(per_second: f64, burst: u32) -> (MockServer, Client) {
    let server = server().await;
    let ok = json_answer(200, json!({"status": "ok"}));
    mount_expecting(&server, api("GET", "/v1/health").respond_with(ok), 8).await;
    let client = Client::new(config(&server).rate_limit(per_second, burst)).expect("client");
    (server, client)
}

#[tokio::test]
async fn clones_share_one_budget() {
    // A burst of 2, then one request every 50 ms: 8 requests need at least 6 * 50 ms.
    let (_server, client) = eight_health_checks(20.0, 2).await;
    let other = client.clone();

    let started = Instant::now();
    let (first, second) = tokio::join!(
        async {
            for _ in 0..4 {
                client.health().await.expect("health");
            }
        },
        async {
            for _ in 0..4 {
                other.health().await.expect("health");
            }
        }
    );
    let ((), ()) = (first, second);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(290),
        "8 requests in {elapsed:?}"
    );
}

#[tokio::test]
async fn without_pacing_requests_are_not_held_back() {
    let (_server, client) = eight_health_checks(0.0, 5).await;

    let started = Instant::now();
    for _ in 0..8 {
        client.health().await.expect("health");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(290),
        "8 requests in {elapsed:?}"
    );
}

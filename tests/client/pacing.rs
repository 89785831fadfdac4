//! Client-side pacing, shared by all clones of a client.

use std::time::{Duration, Instant};

use serde_json::json;
use telemachy::Client;

use crate::support::{api, config, json_answer, server};

#[tokio::test]
async fn clones_share_one_budget() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .expect(8)
        .mount(&server)
        .await;
    // A burst of 2, then one request every 50 ms: 8 requests need at least 6 * 50 ms.
    let client = Client::new(config(&server).rate_limit(20.0, 2)).expect("client");
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
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .expect(8)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).rate_limit(0.0, 5)).expect("client");

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

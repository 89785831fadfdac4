//! What is retried (5xx, 408, 429, timeouts, broken connections) and what is not (other 4xx).

use std::time::{Duration, Instant};

use serde_json::json;
use telemachy::client::Error;
use telemachy::{Client, Config};
use wiremock::ResponseTemplate;

use crate::support::{
    AGENT_ID, TIMEOUT, api, client, config, dropped_connection, json_answer, mount_expecting,
    mount_first, received, server,
};

fn health_ok() -> ResponseTemplate {
    json_answer(200, json!({"status": "ok"}))
}

#[tokio::test]
async fn a_500_is_retried_then_succeeds() {
    let server = server().await;
    let failed = json_answer(500, json!({"error": "internal error"}));
    mount_first(&server, api("GET", "/v1/health").respond_with(failed)).await;
    mount_expecting(
        &server,
        api("GET", "/v1/health").respond_with(health_ok()),
        1,
    )
    .await;

    assert_eq!(client(&server).health().await.expect("health").status, "ok");
}

#[tokio::test]
async fn a_408_is_retried_then_succeeds() {
    let server = server().await;
    let timed_out = json_answer(408, json!({"error": "request timeout"}));
    mount_first(&server, api("GET", "/v1/version").respond_with(timed_out)).await;
    let version = json_answer(200, json!({"version": "0.1.0", "name": "Agamemnon"}));
    mount_expecting(&server, api("GET", "/v1/version").respond_with(version), 1).await;

    client(&server).version().await.expect("version");
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = server().await;
    let limited = json_answer(
        429,
        json!({"error": "rate limit exceeded", "retry_after_seconds": 1}),
    )
    .insert_header("Retry-After", "1");
    mount_first(&server, api("GET", "/v1/health").respond_with(limited)).await;
    mount_expecting(
        &server,
        api("GET", "/v1/health").respond_with(health_ok()),
        1,
    )
    .await;

    let started = Instant::now();
    client(&server).health().await.expect("health");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1),
        "retried after {elapsed:?}"
    );
}

#[tokio::test]
async fn a_timeout_is_retried_then_succeeds() {
    let server = server().await;
    let late = health_ok().set_delay(TIMEOUT * 3);
    mount_first(&server, api("GET", "/v1/health").respond_with(late)).await;
    mount_expecting(
        &server,
        api("GET", "/v1/health").respond_with(health_ok()),
        1,
    )
    .await;

    client(&server).health().await.expect("health");
}

#[tokio::test]
async fn start_is_retried_after_a_dropped_connection() {
    let server = server().await;
    let route = format!("/v1/agents/{AGENT_ID}/start");
    mount_first(
        &server,
        api("POST", &route).respond_with_err(dropped_connection),
    )
    .await;
    let started = json_answer(200, json!({"id": AGENT_ID, "status": "online"}));
    mount_expecting(&server, api("POST", &route).respond_with(started), 1).await;

    client(&server).start_agent(AGENT_ID).await.expect("start");
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = server().await;
    api("PUT", "/v1/teams/t/tasks/x")
        .respond_with(json_answer(400, json!({"error": "invalid status: paused"})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server)
        .set_task_status("t", "x", telemachy::api::TaskStatus::Other("paused".into()))
        .await
        .expect_err("400");
    assert!(
        matches!(error, Error::Status { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(error.server_message(), Some("invalid status: paused"));
    assert!(
        error.to_string().contains("invalid status: paused"),
        "{error}"
    );
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = server().await;
    api("GET", "/v1/teams/t/tasks/x")
        .respond_with(json_answer(404, json!({"error": "task not found"})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).get_task("t", "x").await.expect_err("404");
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(error.server_message(), Some("task not found"));
}

#[tokio::test]
async fn a_401_is_not_retried_and_names_the_variable() {
    let server = server().await;
    api("GET", "/v1/version")
        .respond_with(json_answer(401, json!({"error": "unauthorized"})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).version().await.expect_err("401");
    assert!(
        matches!(error, Error::Unauthorized { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("`AGAMEMNON_API_KEY`"), "{error}");
}

#[tokio::test]
async fn retries_stop_at_the_limit() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(503, json!({"error": "overloaded"})))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).max_retries(2)).expect("client");

    let error = client.health().await.expect_err("always 503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.server_message(), Some("overloaded"));
}

#[tokio::test]
async fn no_retries_when_the_limit_is_zero() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(500, json!({"error": "boom"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).max_retries(0)).expect("client");

    assert_eq!(client.health().await.expect_err("500").status(), Some(500));
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_done_when_the_retry_finds_nothing() {
    let server = server().await;
    let route = format!("/v1/agents/{AGENT_ID}");
    let late = json_answer(200, json!({"deleted": AGENT_ID})).set_delay(TIMEOUT * 3);
    mount_first(&server, api("DELETE", &route).respond_with(late)).await;
    let gone = json_answer(404, json!({"error": "agent not found"}));
    mount_expecting(&server, api("DELETE", &route).respond_with(gone), 1).await;

    client(&server)
        .delete_agent(AGENT_ID)
        .await
        .expect("deleted by the first attempt");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound");
    drop(listener);
    let client = Client::new(
        Config::new(&format!("http://{addr}"))
            .expect("valid URL")
            .api_key("k")
            .max_retries(2)
            .backoff(Duration::from_millis(1), Duration::from_millis(2)),
    )
    .expect("client");

    let error = client.list_agents().await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.status(), None);
    let shown = error.to_string();
    assert!(
        shown.contains("GET /v1/agents") && shown.contains("`AGAMEMNON_URL`"),
        "{shown}"
    );
}

#[tokio::test]
async fn every_attempt_carries_the_key() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(502, json!({"error": "bad gateway"})))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_expecting(
        &server,
        api("GET", "/v1/health").respond_with(health_ok()),
        1,
    )
    .await;

    client(&server).health().await.expect("health");
    assert_eq!(received(&server, "GET", "/v1/health").await.len(), 3);
}

//! Shared pieces: a mock server that fails loudly on unexpected requests, a client
//! configured for fast tests, and the contract's example answers.

use std::time::Duration;

use serde_json::{Value, json};
use telemachy::{Client, Config};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// The key every test client sends.
pub(crate) const KEY: &str = "test-key-5f1e";
/// The per-request timeout of test clients.
pub(crate) const TIMEOUT: Duration = Duration::from_millis(300);

/// A fresh mock server whose catch-all answers 418 to (and, when the server is dropped,
/// fails the test on) any request no other mock matched.
pub(crate) async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(418).set_body_json(json!({"error": "unexpected request"})),
        )
        .named("catch-all: a request that no mock expects")
        .with_priority(u8::MAX)
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// A test configuration: the key, short timeouts and backoffs, three retries.
pub(crate) fn config(server: &MockServer) -> Config {
    Config::new(&server.uri())
        .expect("the mock server's URI is valid")
        .api_key(KEY)
        .timeout(TIMEOUT)
        .max_retries(3)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

/// A client for `server` with [`config`].
pub(crate) fn client(server: &MockServer) -> Client {
    Client::new(config(server)).expect("the test configuration is valid")
}

/// A mock of an authenticated request: `verb` on exactly `route`, with the bearer key.
pub(crate) fn api(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
}

/// A JSON answer.
pub(crate) fn json_answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A `200` answer holding the whole list in one page, as the server sends a list shorter
/// than the client's page size of 1000.
pub(crate) fn one_page(items_key: &str, items: Vec<Value>) -> ResponseTemplate {
    let total = items.len();
    json_answer(200, page(items_key, items, total, 1000, 0))
}

/// A connection the server drops without answering (for `respond_with_err`).
pub(crate) fn dropped_connection(_: &wiremock::Request) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection dropped")
}

/// Mounts `mock` to answer only the first request on its route, ahead of the route's other
/// mocks; the test fails unless exactly that one request came.
pub(crate) async fn mount_first(server: &MockServer, mock: Mock) {
    mock.up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(server)
        .await;
}

/// Mounts `mock` to answer one request; the test fails unless exactly one came.
pub(crate) async fn mount_once(server: &MockServer, mock: Mock) {
    mock.up_to_n_times(1).expect(1).mount(server).await;
}

/// Mounts `mock`; the test fails unless exactly `times` requests matched it.
pub(crate) async fn mount_expecting(server: &MockServer, mock: Mock, times: u64) {
    mock.expect(times).mount(server).await;
}

// The contract's examples (openapi.yaml), as the server sends them.

pub(crate) const AGENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
pub(crate) const TEAM_ID: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
pub(crate) const TASK_ID: &str = "c1d2e3f4-a5b6-7890-cdef-012345678901";

/// The contract's `Agent` example.
pub(crate) fn example_agent() -> Value {
    json!({
        "id": AGENT_ID,
        "name": "my-agent",
        "label": "",
        "program": "",
        "workingDirectory": "",
        "programArgs": [],
        "taskDescription": "",
        "tags": [],
        "owner": "",
        "role": "worker",
        "host": "local",
        "status": "offline",
        "createdAt": "2026-01-01T00:00:00Z"
    })
}

/// The contract's `Team` example.
pub(crate) fn example_team() -> Value {
    json!({
        "id": TEAM_ID,
        "name": "alpha-team",
        "agentIds": [AGENT_ID],
        "createdAt": "2026-01-01T00:00:00Z"
    })
}

/// The contract's `Task` example.
pub(crate) fn example_task() -> Value {
    json!({
        "id": TASK_ID,
        "teamId": TEAM_ID,
        "subject": "Implement login endpoint",
        "description": "Add POST /auth/login with JWT response",
        "assigneeAgentId": AGENT_ID,
        "blockedBy": [],
        "type": "implementation",
        "status": "pending",
        "createdAt": "2026-01-01T00:00:00Z",
        "completedAt": null
    })
}

/// An agent as the real server lists it, with the given id, name and creation time.
pub(crate) fn agent(id: &str, name: &str, created_at: &str) -> Value {
    let mut agent = example_agent();
    agent["id"] = json!(id);
    agent["name"] = json!(name);
    agent["createdAt"] = json!(created_at);
    agent["updatedAt"] = json!(created_at);
    agent
}

/// A team with the given id, name and creation time.
pub(crate) fn team(id: &str, name: &str, created_at: &str) -> Value {
    let mut team = example_team();
    team["id"] = json!(id);
    team["name"] = json!(name);
    team["createdAt"] = json!(created_at);
    team
}

/// A task with the given id, subject, status and creation time.
pub(crate) fn task(id: &str, subject: &str, status: &str, created_at: &str) -> Value {
    let mut task = example_task();
    task["id"] = json!(id);
    task["subject"] = json!(subject);
    task["status"] = json!(status);
    task["createdAt"] = json!(created_at);
    task
}

/// A list page the way the real server sends it.
pub(crate) fn page(
    items_key: &str,
    items: Vec<Value>,
    total: usize,
    limit: usize,
    offset: usize,
) -> Value {
    json!({ items_key: items, "total": total, "limit": limit, "offset": offset })
}

/// The requests `server` received with `verb` on `route`.
pub(crate) async fn received(
    server: &MockServer,
    verb: &str,
    route: &str,
) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|request| request.method.as_str() == verb && request.url.path() == route)
        .collect()
}

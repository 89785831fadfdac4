//! A create whose outcome is unknown is looked up before it is sent again, and adopted when
//! it did happen: exactly one POST reaches the server.

use serde_json::{Value, json};
use telemachy::api::{Agent, NewTeam, Task};
use telemachy::client::Error;
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

use crate::requests::{ANALYSIS, LOCAL_AGENT, analysis_task, local_agent};
use crate::support::{
    TEAM_ID, TIMEOUT, agent, api, client, dropped_connection, json_answer, mount_expecting,
    mount_first, mount_once, one_page, received, server, task, team,
};

const NAME: &str = LOCAL_AGENT;

/// The server's answer to a create of the agent `NAME` that it gave `id`.
fn agent_created(id: &str) -> Value {
    json!({"id": id, "agent": agent(id, NAME, "2026-01-01T00:00:00Z")})
}

/// Creates the agent `NAME` through a test client for `server`.
async fn create_local_agent(server: &MockServer) -> Result<Agent, Error> {
    client(server).create_agent(&local_agent()).await
}

/// Creates the analysis task in team `TEAM_ID` through a test client for `server`, naming
/// the ids of earlier attempts the caller already knows.
async fn create_analysis(server: &MockServer, earlier: &[String]) -> Result<Task, Error> {
    client(server)
        .create_task(TEAM_ID, &analysis_task("a1"), earlier)
        .await
}

/// How many POSTs on `route` reached `server`.
async fn posts(server: &MockServer, route: &str) -> usize {
    received(server, "POST", route).await.len()
}

#[tokio::test]
async fn an_agent_created_behind_a_500_is_adopted_newest_first_by_parsed_time() {
    let server = server().await;
    let failed = json_answer(500, json!({"error": "internal error"}));
    mount_once(&server, api("POST", "/v1/agents").respond_with(failed)).await;
    // Listed by id, not by age. As text `…:05Z` sorts after `…:05.500Z`; parsed, it is
    // half a second older.
    let listed = one_page(
        "agents",
        vec![
            agent("a-older", NAME, "2026-01-01T00:00:05Z"),
            agent("b-other", "tlm-ffff-other", "2026-01-01T00:00:09Z"),
            agent("c-newer", NAME, "2026-01-01T00:00:05.500Z"),
        ],
    );
    let lookup = api("GET", "/v1/agents").and(query_param("limit", "1000"));
    mount_expecting(&server, lookup.respond_with(listed), 1).await;

    let adopted = create_local_agent(&server).await.expect("adopted");
    assert_eq!(adopted.id, "c-newer");
    assert_eq!(posts(&server, "/v1/agents").await, 1);
}

#[tokio::test]
async fn a_lost_create_never_adopts_an_agent_that_was_there_before() {
    let server = server().await;
    let failed = json_answer(500, json!({"error": "internal error"}));
    mount_first(&server, api("POST", "/v1/agents").respond_with(failed)).await;
    let created = json_answer(201, agent_created("z-new"));
    mount_once(&server, api("POST", "/v1/agents").respond_with(created)).await;
    // Only agents the caller knew before hold the name, one of them stamped later than
    // anything the lost attempt could have made: neither is adopted, the create is sent
    // again.
    let listed = one_page(
        "agents",
        vec![
            agent("p-before", NAME, "2026-01-01T00:00:01Z"),
            agent("q-before", NAME, "2030-01-01T00:00:00Z"),
        ],
    );
    mount_expecting(&server, api("GET", "/v1/agents").respond_with(listed), 1).await;

    let preexisting = ["p-before".to_owned(), "q-before".to_owned()];
    let created = client(&server)
        .create_agent_excluding(&local_agent(), &preexisting)
        .await
        .expect("created");
    assert_eq!(created.id, "z-new");
    assert_eq!(posts(&server, "/v1/agents").await, 2);
}

#[tokio::test]
async fn an_agent_created_behind_a_timeout_is_adopted() {
    let server = server().await;
    let late = json_answer(201, agent_created("a1")).set_delay(TIMEOUT * 3);
    mount_once(&server, api("POST", "/v1/agents").respond_with(late)).await;
    let listed = one_page("agents", vec![agent("a1", NAME, "2026-01-01T00:00:00Z")]);
    mount_expecting(&server, api("GET", "/v1/agents").respond_with(listed), 1).await;

    let adopted = create_local_agent(&server).await.expect("adopted");
    assert_eq!(adopted.id, "a1");
}

#[tokio::test]
async fn an_agent_created_behind_a_dropped_connection_is_adopted() {
    let server = server().await;
    let dropped = api("POST", "/v1/agents").respond_with_err(dropped_connection);
    mount_once(&server, dropped).await;
    let listed = one_page("agents", vec![agent("a1", NAME, "2026-01-01T00:00:00Z")]);
    mount_expecting(&server, api("GET", "/v1/agents").respond_with(listed), 1).await;

    let adopted = create_local_agent(&server).await.expect("adopted");
    assert_eq!(adopted.id, "a1");
}

#[tokio::test]
async fn an_agent_not_created_is_sent_again() {
    let server = server().await;
    let unavailable = json_answer(503, json!({"error": "unavailable"}));
    mount_first(&server, api("POST", "/v1/agents").respond_with(unavailable)).await;
    let created = json_answer(201, agent_created("a2"));
    mount_once(&server, api("POST", "/v1/agents").respond_with(created)).await;
    let listed = one_page(
        "agents",
        vec![agent("x", "someone-else", "2026-01-01T00:00:00Z")],
    );
    mount_expecting(&server, api("GET", "/v1/agents").respond_with(listed), 1).await;

    let created = create_local_agent(&server).await.expect("created");
    assert_eq!(created.id, "a2");
    assert_eq!(posts(&server, "/v1/agents").await, 2);
}

#[tokio::test]
async fn a_rate_limited_create_is_sent_again_without_looking() {
    let server = server().await;
    let limited =
        json_answer(429, json!({"error": "rate limit exceeded"})).insert_header("Retry-After", "0");
    mount_first(&server, api("POST", "/v1/agents").respond_with(limited)).await;
    let created = json_answer(201, agent_created("a3"));
    mount_once(&server, api("POST", "/v1/agents").respond_with(created)).await;

    // No list mock: a lookup would hit the catch-all and fail the test.
    let created = create_local_agent(&server).await.expect("created");
    assert_eq!(created.id, "a3");
}

#[tokio::test]
async fn a_create_answered_400_is_neither_looked_up_nor_retried() {
    let server = server().await;
    let refused = json_answer(400, json!({"error": "invalid JSON: unexpected end"}));
    mount_expecting(&server, api("POST", "/v1/agents").respond_with(refused), 1).await;

    let error = create_local_agent(&server).await.expect_err("400");
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn when_the_lookup_fails_the_create_is_not_sent_again() {
    let server = server().await;
    let failed = json_answer(500, json!({"error": "internal error"}));
    mount_expecting(&server, api("POST", "/v1/agents").respond_with(failed), 1).await;
    let forbidden = json_answer(403, json!({"error": "forbidden"}));
    mount_expecting(&server, api("GET", "/v1/agents").respond_with(forbidden), 1).await;

    let error = create_local_agent(&server).await.expect_err("unknown");
    assert_eq!(error.status(), Some(500), "{error:?}");
}

#[tokio::test]
async fn a_team_created_behind_a_500_is_adopted() {
    let server = server().await;
    let failed = json_answer(500, json!({"error": "internal error"}));
    mount_once(&server, api("POST", "/v1/teams").respond_with(failed)).await;
    let listed = one_page(
        "teams",
        vec![
            team("t-other", "tlm-other", "2026-01-01T00:00:00Z"),
            team("t-mine", "tlm-team", "2026-01-01T00:00:01Z"),
        ],
    );
    mount_expecting(&server, api("GET", "/v1/teams").respond_with(listed), 1).await;

    let adopted = client(&server)
        .create_team(&NewTeam {
            name: "tlm-team".into(),
            agent_ids: vec!["a1".into()],
        })
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "t-mine");
    assert_eq!(posts(&server, "/v1/teams").await, 1);
}

#[tokio::test]
async fn a_task_created_behind_a_timeout_is_adopted_but_not_an_earlier_attempt() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    let late = ResponseTemplate::new(201).set_delay(TIMEOUT * 3);
    mount_once(&server, api("POST", &route).respond_with(late)).await;
    let listed = one_page(
        "tasks",
        vec![
            // This call's attempt, and a failed attempt from an earlier run that is newer by
            // the clock but known to the caller.
            task("t-new", subject, "pending", "2026-01-01T00:00:05Z"),
            task("t-old", subject, "failed", "2026-01-01T00:00:09Z"),
            task(
                "t-else",
                "Something else",
                "pending",
                "2026-01-01T00:00:07Z",
            ),
        ],
    );
    mount_expecting(&server, api("GET", &route).respond_with(listed), 1).await;

    let adopted = create_analysis(&server, &["t-old".to_owned()])
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "t-new");
    assert_eq!(posts(&server, &route).await, 1);
}

#[tokio::test]
async fn a_task_is_sent_again_when_only_an_earlier_attempt_exists() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    mount_first(
        &server,
        api("POST", &route).respond_with_err(dropped_connection),
    )
    .await;
    let created = json_answer(
        201,
        json!({"task": task("t-retry", subject, "pending", "2026-01-01T00:00:10Z")}),
    );
    mount_once(&server, api("POST", &route).respond_with(created)).await;
    let listed = one_page(
        "tasks",
        vec![task("t-old", subject, "failed", "2026-01-01T00:00:09Z")],
    );
    mount_expecting(&server, api("GET", &route).respond_with(listed), 1).await;

    let created = create_analysis(&server, &["t-old".to_owned()])
        .await
        .expect("created");
    assert_eq!(created.id, "t-retry");
    assert_eq!(posts(&server, &route).await, 2);
}

#[tokio::test]
async fn the_newest_attempt_of_a_task_is_adopted() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    let bad_gateway = json_answer(502, json!({"error": "bad gateway"}));
    mount_once(&server, api("POST", &route).respond_with(bad_gateway)).await;
    let listed = one_page(
        "tasks",
        vec![
            task("t-1", subject, "pending", "2026-01-01T00:00:01Z"),
            task("t-3", subject, "pending", "2026-01-01T00:00:03Z"),
            task("t-2", subject, "pending", "2026-01-01T00:00:02Z"),
        ],
    );
    mount_expecting(&server, api("GET", &route).respond_with(listed), 1).await;

    let adopted = create_analysis(&server, &[]).await.expect("adopted");
    assert_eq!(adopted.id, "t-3");
}

//! A create whose outcome is unknown is looked up before it is sent again, and adopted when
//! it did happen: exactly one POST reaches the server.

use serde_json::json;
use telemachy::api::NewTeam;
use wiremock::ResponseTemplate;
use wiremock::matchers::query_param;

use crate::requests::{ANALYSIS, LOCAL_AGENT, analysis_task, local_agent};
use crate::support::{
    TEAM_ID, TIMEOUT, agent, api, client, json_answer, page, received, server, task, team,
};

const NAME: &str = LOCAL_AGENT;

fn dropped(_: &wiremock::Request) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "dropped after applying",
    )
}

#[tokio::test]
async fn an_agent_created_behind_a_500_is_adopted_oldest_first() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(500, json!({"error": "internal error"})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    // Listed by id, not by age: the older of two same-named agents comes second.
    api("GET", "/v1/agents")
        .and(query_param("limit", "1000"))
        .respond_with(json_answer(
            200,
            page(
                "agents",
                vec![
                    agent("a-newer", NAME, "2026-01-01T00:00:02Z"),
                    agent("b-other", "tlm-ffff-other", "2026-01-01T00:00:00Z"),
                    agent("c-older", NAME, "2026-01-01T00:00:01Z"),
                ],
                3,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_agent(&local_agent())
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "c-older");
    assert_eq!(received(&server, "POST", "/v1/agents").await.len(), 1);
}

#[tokio::test]
async fn an_agent_created_behind_a_timeout_is_adopted() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(
            json_answer(
                201,
                json!({"id": "a1", "agent": agent("a1", NAME, "2026-01-01T00:00:00Z")}),
            )
            .set_delay(TIMEOUT * 3),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(
            200,
            page(
                "agents",
                vec![agent("a1", NAME, "2026-01-01T00:00:00Z")],
                1,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_agent(&local_agent())
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "a1");
}

#[tokio::test]
async fn an_agent_created_behind_a_dropped_connection_is_adopted() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with_err(dropped)
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(
            200,
            page(
                "agents",
                vec![agent("a1", NAME, "2026-01-01T00:00:00Z")],
                1,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_agent(&local_agent())
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "a1");
}

#[tokio::test]
async fn an_agent_not_created_is_sent_again() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(503, json!({"error": "unavailable"})))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(
            201,
            json!({"id": "a2", "agent": agent("a2", NAME, "2026-01-01T00:00:00Z")}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(
            200,
            page(
                "agents",
                vec![agent("x", "someone-else", "2026-01-01T00:00:00Z")],
                1,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .create_agent(&local_agent())
        .await
        .expect("created");
    assert_eq!(created.id, "a2");
    assert_eq!(received(&server, "POST", "/v1/agents").await.len(), 2);
}

#[tokio::test]
async fn a_rate_limited_create_is_sent_again_without_looking() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(
            json_answer(429, json!({"error": "rate limit exceeded"}))
                .insert_header("Retry-After", "0"),
        )
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(
            201,
            json!({"id": "a3", "agent": agent("a3", NAME, "2026-01-01T00:00:00Z")}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;

    // No list mock: a lookup would hit the catch-all and fail the test.
    let created = client(&server)
        .create_agent(&local_agent())
        .await
        .expect("created");
    assert_eq!(created.id, "a3");
}

#[tokio::test]
async fn a_create_answered_400_is_neither_looked_up_nor_retried() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(
            400,
            json!({"error": "invalid JSON: unexpected end"}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server)
        .create_agent(&local_agent())
        .await
        .expect_err("400");
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn when_the_lookup_fails_the_create_is_not_sent_again() {
    let server = server().await;
    api("POST", "/v1/agents")
        .respond_with(json_answer(500, json!({"error": "internal error"})))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(403, json!({"error": "forbidden"})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server)
        .create_agent(&local_agent())
        .await
        .expect_err("unknown");
    assert_eq!(error.status(), Some(500), "{error:?}");
}

#[tokio::test]
async fn a_team_created_behind_a_500_is_adopted() {
    let server = server().await;
    api("POST", "/v1/teams")
        .respond_with(json_answer(500, json!({"error": "internal error"})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/teams")
        .respond_with(json_answer(
            200,
            page(
                "teams",
                vec![
                    team("t-other", "tlm-other", "2026-01-01T00:00:00Z"),
                    team("t-mine", "tlm-team", "2026-01-01T00:00:01Z"),
                ],
                2,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_team(&NewTeam {
            name: "tlm-team".into(),
            agent_ids: vec!["a1".into()],
        })
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "t-mine");
    assert_eq!(received(&server, "POST", "/v1/teams").await.len(), 1);
}

#[tokio::test]
async fn a_task_created_behind_a_timeout_is_adopted_but_not_an_earlier_attempt() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    api("POST", &route)
        .respond_with(ResponseTemplate::new(201).set_delay(TIMEOUT * 3))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", &route)
        .respond_with(json_answer(
            200,
            page(
                "tasks",
                vec![
                    // This call's attempt, and a failed attempt from an earlier run that is
                    // newer by the clock but known to the caller.
                    task("t-new", subject, "pending", "2026-01-01T00:00:05Z"),
                    task("t-old", subject, "failed", "2026-01-01T00:00:09Z"),
                    task(
                        "t-else",
                        "Something else",
                        "pending",
                        "2026-01-01T00:00:07Z",
                    ),
                ],
                3,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_task(TEAM_ID, &analysis_task("a1"), &["t-old".to_owned()])
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "t-new");
    assert_eq!(received(&server, "POST", &route).await.len(), 1);
}

#[tokio::test]
async fn a_task_is_sent_again_when_only_an_earlier_attempt_exists() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    api("POST", &route)
        .respond_with_err(dropped)
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("POST", &route)
        .respond_with(json_answer(
            201,
            json!({"task": task("t-retry", subject, "pending", "2026-01-01T00:00:10Z")}),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", &route)
        .respond_with(json_answer(
            200,
            page(
                "tasks",
                vec![task("t-old", subject, "failed", "2026-01-01T00:00:09Z")],
                1,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .create_task(TEAM_ID, &analysis_task("a1"), &["t-old".to_owned()])
        .await
        .expect("created");
    assert_eq!(created.id, "t-retry");
    assert_eq!(received(&server, "POST", &route).await.len(), 2);
}

#[tokio::test]
async fn the_newest_attempt_of_a_task_is_adopted() {
    let server = server().await;
    let route = format!("/v1/teams/{TEAM_ID}/tasks");
    let subject = ANALYSIS;
    api("POST", &route)
        .respond_with(json_answer(502, json!({"error": "bad gateway"})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    api("GET", &route)
        .respond_with(json_answer(
            200,
            page(
                "tasks",
                vec![
                    task("t-1", subject, "pending", "2026-01-01T00:00:01Z"),
                    task("t-3", subject, "pending", "2026-01-01T00:00:03Z"),
                    task("t-2", subject, "pending", "2026-01-01T00:00:02Z"),
                ],
                3,
                1000,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let adopted = client(&server)
        .create_task(TEAM_ID, &analysis_task("a1"), &[])
        .await
        .expect("adopted");
    assert_eq!(adopted.id, "t-3");
}

//! Lists read every page, never repeat an item, and never loop forever.

use std::time::{Duration, Instant};

use serde_json::json;
use telemachy::client::Error;
use wiremock::matchers::query_param;
use wiremock::{Request, ResponseTemplate};

use crate::support::{agent, api, client, config, json_answer, page, received, server, task};

fn agents(ids: &[&str]) -> Vec<serde_json::Value> {
    ids.iter()
        .map(|id| agent(id, &format!("name-{id}"), "2026-01-01T00:00:00Z"))
        .collect()
}

fn ids(agents: &[telemachy::api::Agent]) -> Vec<&str> {
    agents.iter().map(|agent| agent.id.as_str()).collect()
}

#[tokio::test]
async fn every_page_is_read_by_offset() {
    let server = server().await;
    // The server clamps the page size to 2 and says so in `limit`.
    for (offset, items) in [("0", &["a", "b"][..]), ("2", &["c", "d"]), ("4", &["e"])] {
        api("GET", "/v1/agents")
            .and(query_param("limit", "1000"))
            .and(query_param("offset", offset))
            .respond_with(json_answer(
                200,
                page(
                    "agents",
                    agents(items),
                    5,
                    2,
                    offset.parse().expect("a number"),
                ),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }

    let listed = client(&server).list_agents().await.expect("list");
    assert_eq!(ids(&listed), ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn a_short_page_ends_a_list_without_total() {
    let server = server().await;
    api("GET", "/v1/agents")
        .and(query_param("offset", "0"))
        .respond_with(json_answer(
            200,
            json!({"agents": agents(&["a", "b"]), "limit": 2}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents")
        .and(query_param("offset", "2"))
        .respond_with(json_answer(
            200,
            json!({"agents": agents(&["c"]), "limit": 2}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let listed = client(&server).list_agents().await.expect("list");
    assert_eq!(ids(&listed), ["a", "b", "c"]);
}

#[tokio::test]
async fn items_repeated_across_pages_are_listed_once() {
    let server = server().await;
    let route = "/v1/teams/t/tasks";
    // Between the two pages a task sorted before `b` appeared, shifting `b` onto page two.
    api("GET", route)
        .and(query_param("offset", "0"))
        .respond_with(json_answer(
            200,
            page(
                "tasks",
                vec![task("a", "A", "pending", ""), task("b", "B", "pending", "")],
                4,
                2,
                0,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", route)
        .and(query_param("offset", "2"))
        .respond_with(json_answer(
            200,
            page(
                "tasks",
                vec![task("b", "B", "pending", ""), task("c", "C", "pending", "")],
                4,
                2,
                2,
            ),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let listed = client(&server).list_tasks("t").await.expect("list");
    let listed: Vec<&str> = listed.iter().map(|task| task.id.as_str()).collect();
    assert_eq!(listed, ["a", "b", "c"]);
}

#[tokio::test]
async fn a_server_repeating_full_pages_with_a_total_is_an_error() {
    let server = server().await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(
            200,
            page("agents", agents(&["a", "b"]), 10, 2, 0),
        ))
        .expect(2)
        .mount(&server)
        .await;

    let error = client(&server).list_agents().await.expect_err("runaway");
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    assert!(error.to_string().contains("/v1/agents"), "{error}");
}

#[tokio::test]
async fn a_server_ignoring_offset_without_a_total_stops_when_nothing_is_new() {
    let server = server().await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(
            200,
            json!({"agents": agents(&["a", "b"]), "limit": 2}),
        ))
        .expect(2)
        .mount(&server)
        .await;

    let listed = client(&server).list_agents().await.expect("list");
    assert_eq!(ids(&listed), ["a", "b"]);
}

#[tokio::test]
async fn a_server_with_endless_new_pages_is_cut_off() {
    let server = server().await;
    // Always a full page of one new agent, whatever the offset.
    let endless = |request: &Request| -> ResponseTemplate {
        let offset = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "offset")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        json_answer(
            200,
            json!({"agents": agents(&[&format!("id-{offset}")]), "limit": 1}),
        )
    };
    api("GET", "/v1/agents")
        .respond_with(endless)
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = client(&server).list_agents().await.expect_err("endless");
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    let requests = received(&server, "GET", "/v1/agents").await.len();
    assert_eq!(requests, 1000);
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A client that waits long enough for a mock server building big pages on a busy machine.
fn patient_client(server: &wiremock::MockServer) -> telemachy::Client {
    telemachy::Client::new(config(server).timeout(Duration::from_secs(30)))
        .expect("the test configuration is valid")
}

/// The offset a list request asks for.
fn offset_of(request: &Request) -> u64 {
    request
        .url
        .query_pairs()
        .find(|(name, _)| name == "offset")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or_default()
}

/// An answer to any offset: a full page of 1000 new agents, each like `template` (JSON
/// with `@id@` where its id goes), so that the list never ends.
fn endless_pages(template: String) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        let offset = offset_of(request);
        let items: Vec<String> = (offset..offset + 1000)
            .map(|n| template.replace("@id@", &format!("id-{n:08}")))
            .collect();
        let body = format!(r#"{{"agents":[{}],"limit":1000}}"#, items.join(","));
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

#[tokio::test]
async fn a_list_past_the_item_bound_is_an_error() {
    let server = server().await;
    let template = agent("@id@", "x", "2026-01-01T00:00:00Z").to_string();
    api("GET", "/v1/agents")
        .respond_with(endless_pages(template))
        .mount(&server)
        .await;

    let error = patient_client(&server)
        .list_agents()
        .await
        .expect_err("too many");
    assert!(
        matches!(&error, Error::ListTooLarge { limit, .. } if limit == "100000 items"),
        "{error:?}"
    );
    assert!(error.to_string().contains("/v1/agents"), "{error}");
    let pages = received(&server, "GET", "/v1/agents").await.len();
    assert_eq!(
        pages,
        telemachy::client::MAX_LIST_ITEMS / 1000 + 1,
        "it stops at the first page past the bound"
    );
}

#[tokio::test]
async fn a_list_past_the_byte_bound_is_an_error() {
    let server = server().await;
    // Labels of 7 KB: pages of about 7 MB.
    let mut template = agent("@id@", "x", "2026-01-01T00:00:00Z");
    template["label"] = json!("l".repeat(7 * 1024));
    api("GET", "/v1/agents")
        .respond_with(endless_pages(template.to_string()))
        .mount(&server)
        .await;

    let error = patient_client(&server)
        .list_agents()
        .await
        .expect_err("too large");
    assert!(
        matches!(&error, Error::ListTooLarge { limit, .. } if limit.ends_with(" bytes")),
        "{error:?}"
    );
    // 64 MiB in 7 MB pages: the tenth page passes the bound, and no page is asked after it.
    let pages = received(&server, "GET", "/v1/agents").await.len();
    assert_eq!(pages, 10);
}

//! Answers that break the contract give a typed error with a short excerpt, never a panic.

use std::error::Error as _;

use serde_json::json;
use telemachy::client::Error;
use telemachy::{Client, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::ResponseTemplate;

use crate::support::{AGENT_ID, api, client, config, example_agent, json_answer, server};

/// The contract error of a `GET /v1/agents/by-name/x` answered with `answer`.
async fn by_name_error(answer: ResponseTemplate) -> Error {
    let server = server().await;
    api("GET", "/v1/agents/by-name/x")
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .agent_by_name("x")
        .await
        .expect_err("a broken answer")
}

fn assert_contract(error: &Error, excerpt_part: &str) {
    match error {
        Error::Contract {
            expected, excerpt, ..
        } => {
            assert!(expected.contains("agent"), "expected: {expected}");
            assert!(excerpt.contains(excerpt_part), "excerpt: {excerpt}");
            assert!(
                excerpt.chars().count() <= 161,
                "excerpt too long: {excerpt}"
            );
        }
        other => panic!("not a contract error: {other:?}"),
    }
    assert_eq!(error.status(), None);
}

#[tokio::test]
async fn malformed_json() {
    let error = by_name_error(
        ResponseTemplate::new(200).set_body_raw(r#"{"agent": {"id": "x", "#, "application/json"),
    )
    .await;
    assert_contract(&error, r#"{"agent": {"id": "x","#);
    assert!(
        error.source().is_some(),
        "the decoder's complaint is the source"
    );
}

#[tokio::test]
async fn a_missing_field() {
    let mut agent = example_agent();
    agent.as_object_mut().expect("an object").remove("id");
    let error = by_name_error(json_answer(200, json!({"agent": agent}))).await;
    assert_contract(&error, "my-agent");
    assert!(format!("{:?}", error.source()).contains("id"), "{error:?}");
}

#[tokio::test]
async fn a_missing_envelope() {
    let error = by_name_error(json_answer(200, example_agent())).await;
    assert_contract(&error, AGENT_ID);
}

#[tokio::test]
async fn a_wrong_type() {
    for (field, value) in [("programArgs", json!("--model x")), ("status", json!(5))] {
        let mut agent = example_agent();
        agent[field] = value;
        let error = by_name_error(json_answer(200, json!({"agent": agent}))).await;
        assert_contract(&error, r#"{"agent":{"#);
        let cause = error.source().map(ToString::to_string).unwrap_or_default();
        assert!(cause.contains("invalid type"), "{field}: {cause}");
    }
}

#[tokio::test]
async fn an_empty_body() {
    let error = by_name_error(ResponseTemplate::new(200)).await;
    assert_contract(&error, "empty body");
}

#[tokio::test]
async fn an_html_page_where_json_belongs_is_excerpted() {
    let page = format!(
        "<!DOCTYPE html>\n<html>\n  <head><title>Welcome to nginx!</title></head>\n  <body>{}</body>\n</html>",
        "lorem ipsum ".repeat(2000)
    );
    let error = by_name_error(ResponseTemplate::new(200).set_body_raw(page, "text/html")).await;
    assert_contract(
        &error,
        "<!DOCTYPE html> <html> <head><title>Welcome to nginx!",
    );
    assert!(
        error.to_string().len() < 600,
        "the whole page leaked: {error}"
    );
}

#[tokio::test]
async fn an_html_error_page_becomes_the_message() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(ResponseTemplate::new(502).set_body_raw(
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "text/html",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).max_retries(0)).expect("client");

    let error = client.health().await.expect_err("502");
    assert_eq!(error.status(), Some(502));
    assert_eq!(
        error.server_message(),
        Some("<html><body><h1>502 Bad Gateway</h1></body></html>")
    );
}

#[tokio::test]
async fn an_error_status_without_a_body() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(ResponseTemplate::new(400))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).health().await.expect_err("400");
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.server_message(), Some("no message"));
}

#[tokio::test]
async fn a_wrongly_shaped_list() {
    let server = server().await;
    api("GET", "/v1/agents")
        .respond_with(json_answer(200, json!({"agents": {"not": "a list"}})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).list_agents().await.expect_err("not a list");
    assert!(matches!(error, Error::Contract { .. }), "{error:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let server = server().await;
    let huge = format!(
        r#"{{"agents": [], "padding": "{}"}}"#,
        "x".repeat(8 * 1024 * 1024)
    );
    api("GET", "/v1/agents")
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server).list_agents().await.expect_err("too large");
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                limit: 8_388_608,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_off() {
    // A raw server: a chunked answer without a length that would go on for 64 MiB.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound");
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("one connection");
        let mut request = vec![0u8; 4096];
        let _ = stream.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![b' '; 1024 * 1024];
        let mut sent = 0;
        for _ in 0..64 {
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&frame).await.is_err() {
                break;
            }
            sent += 1;
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        sent
    });
    let client = Client::new(
        Config::new(&format!("http://{addr}"))
            .expect("valid URL")
            .api_key("k")
            .max_retries(0),
    )
    .expect("client");

    let error = client.health().await.expect_err("too large");
    assert!(matches!(error, Error::BodyTooLarge { .. }), "{error:?}");
    drop(client);
    let sent = served.await.expect("the raw server ends");
    assert!(sent < 64, "the client read all {sent} MiB");
}

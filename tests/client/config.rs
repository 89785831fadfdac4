//! Configuration from the environment (through a lookup closure, so no test touches the
//! process environment), URL checks, REQUIRE_TLS, CA files, and keeping the key secret.

use std::collections::HashMap;

use serde_json::json;
use telemachy::client::{ConfigError, DEFAULT_URL};
use telemachy::{Client, Config};
use wiremock::ResponseTemplate;

use crate::support::{KEY, api, client, json_answer, server};

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn env_error(vars: &[(&str, &str)]) -> ConfigError {
    Config::from_lookup(lookup(vars)).expect_err("a bad value")
}

#[test]
fn defaults_when_nothing_is_set() {
    let config = Config::from_lookup(lookup(&[])).expect("defaults");
    assert_eq!(config.base_url(), DEFAULT_URL);
    let shown = format!("{config:?}");
    assert!(shown.contains("api_key: None"), "{shown}");
    assert!(shown.contains("timeout: 30s"), "{shown}");
    assert!(shown.contains("max_retries: 5"), "{shown}");
    assert!(shown.contains("rate: None"), "{shown}");
    assert!(shown.contains("require_tls: false"), "{shown}");
}

#[test]
fn every_variable_is_read() {
    let config = Config::from_lookup(lookup(&[
        ("AGAMEMNON_URL", "https://agamemnon.example:8443/"),
        ("AGAMEMNON_API_KEY", "s3cret-from-env\n"),
        ("AGAMEMNON_TIMEOUT", "2.5"),
        ("AGAMEMNON_MAX_RETRIES", "7"),
        ("AGAMEMNON_RATE_LIMIT", "40"),
        ("AGAMEMNON_RATE_BURST", "80"),
        ("AGAMEMNON_CA_FILE", "/etc/agamemnon/ca.pem"),
        ("REQUIRE_TLS", "true"),
    ]))
    .expect("valid");
    assert_eq!(config.base_url(), "https://agamemnon.example:8443");
    let shown = format!("{config:?}");
    for part in [
        "api_key: Some(<redacted>)",
        "timeout: 2.5s",
        "max_retries: 7",
        "per_second: 40.0",
        "burst: 80",
        "/etc/agamemnon/ca.pem",
        "require_tls: true",
    ] {
        assert!(shown.contains(part), "{part} missing in {shown}");
    }
    assert!(!shown.contains("s3cret-from-env"), "{shown}");
}

#[test]
fn empty_variables_count_as_unset() {
    let config = Config::from_lookup(lookup(&[
        ("AGAMEMNON_URL", ""),
        ("AGAMEMNON_API_KEY", ""),
        ("AGAMEMNON_TIMEOUT", " "),
        ("REQUIRE_TLS", ""),
    ]))
    .expect("defaults");
    assert_eq!(config.base_url(), DEFAULT_URL);
    assert!(format!("{config:?}").contains("api_key: None"));
}

#[test]
fn the_burst_defaults_to_the_rate_and_zero_turns_pacing_off() {
    let config = Config::from_lookup(lookup(&[("AGAMEMNON_RATE_LIMIT", "2.5")])).expect("valid");
    assert!(format!("{config:?}").contains("burst: 3"), "{config:?}");
    let config = Config::from_lookup(lookup(&[
        ("AGAMEMNON_RATE_LIMIT", "0"),
        ("AGAMEMNON_RATE_BURST", "10"),
    ]))
    .expect("valid");
    assert!(format!("{config:?}").contains("rate: None"), "{config:?}");
}

#[test]
fn the_python_tools_rate_variables_are_aliases_and_ours_win() {
    let python = Config::from_lookup(lookup(&[
        ("AGAMEMNON_RATE_LIMIT_RPS", "12.5"),
        ("AGAMEMNON_RATE_LIMIT_BURST", "16"),
    ]))
    .expect("valid");
    let shown = format!("{python:?}");
    assert!(shown.contains("per_second: 12.5, burst: 16"), "{shown}");

    let both = Config::from_lookup(lookup(&[
        ("AGAMEMNON_RATE_LIMIT", "3"),
        ("AGAMEMNON_RATE_LIMIT_RPS", "12.5"),
        ("AGAMEMNON_RATE_BURST", "4"),
        ("AGAMEMNON_RATE_LIMIT_BURST", "16"),
    ]))
    .expect("valid");
    let shown = format!("{both:?}");
    assert!(shown.contains("per_second: 3.0, burst: 4"), "{shown}");

    // A bad value names the variable it was read from.
    let error = env_error(&[("AGAMEMNON_RATE_LIMIT_RPS", "fast")]);
    assert!(
        error.to_string().contains("`AGAMEMNON_RATE_LIMIT_RPS`"),
        "{error}"
    );
    let error = env_error(&[
        ("AGAMEMNON_RATE_LIMIT", "5"),
        ("AGAMEMNON_RATE_LIMIT_BURST", "0"),
    ]);
    assert!(
        error.to_string().contains("`AGAMEMNON_RATE_LIMIT_BURST`"),
        "{error}"
    );
}

#[test]
fn bad_values_name_the_variable_and_what_is_accepted() {
    let cases = [
        ("AGAMEMNON_TIMEOUT", "soon", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_TIMEOUT", "0", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_TIMEOUT", "-3", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_TIMEOUT", "1e-9", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_TIMEOUT", "3601", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_TIMEOUT", "inf", "seconds from 0.1 to 3600"),
        ("AGAMEMNON_MAX_RETRIES", "-1", "a whole number from 0 to 20"),
        (
            "AGAMEMNON_MAX_RETRIES",
            "2.5",
            "a whole number from 0 to 20",
        ),
        ("AGAMEMNON_MAX_RETRIES", "21", "a whole number from 0 to 20"),
        (
            "AGAMEMNON_MAX_RETRIES",
            "1000000000",
            "a whole number from 0 to 20",
        ),
        (
            "AGAMEMNON_RATE_LIMIT",
            "fast",
            "requests per second from 0.1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_LIMIT",
            "-1",
            "requests per second from 0.1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_LIMIT",
            "0.0001",
            "requests per second from 0.1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_LIMIT",
            "1e9",
            "requests per second from 0.1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_LIMIT",
            "NaN",
            "requests per second from 0.1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_BURST",
            "0",
            "a whole number from 1 to 10000",
        ),
        (
            "AGAMEMNON_RATE_BURST",
            "10001",
            "a whole number from 1 to 10000",
        ),
        ("REQUIRE_TLS", "maybe", "`1`, `true`"),
    ];
    for (var, value, expected) in cases {
        let error = env_error(&[(var, value)]);
        assert!(
            matches!(&error, ConfigError::EnvValue { var: named, .. } if *named == var),
            "{var}={value}: {error:?}"
        );
        let shown = error.to_string();
        assert!(
            shown.contains(&format!("`{var}`"))
                && shown.contains(value)
                && shown.contains(expected),
            "{var}={value}: {shown}"
        );
    }
}

#[test]
fn unusable_urls_are_refused() {
    for (url, reason) in [
        ("localhost:8080", "scheme"),
        ("ftp://host", "scheme"),
        ("not a url", "relative URL"),
        ("http://host/?x=1", "query"),
        ("http://user:hunter2@host", "credentials"),
    ] {
        let error = Config::new(url).expect_err(url);
        assert!(
            matches!(error, ConfigError::InvalidUrl { .. }),
            "{url}: {error:?}"
        );
        let shown = error.to_string();
        assert!(shown.contains(reason), "{url}: {shown}");
        assert!(shown.contains("`AGAMEMNON_URL`"), "{url}: {shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    let error = Config::from_lookup(lookup(&[("AGAMEMNON_URL", "http//oops")])).expect_err("bad");
    assert!(matches!(error, ConfigError::InvalidUrl { .. }), "{error:?}");
}

#[test]
fn require_tls_refuses_plain_http() {
    let config = Config::from_lookup(lookup(&[
        ("AGAMEMNON_URL", "http://agamemnon.example:8080"),
        ("REQUIRE_TLS", "1"),
    ]))
    .expect("read");
    let error = Client::new(config).expect_err("plain http");
    assert!(
        matches!(error, ConfigError::InsecureUrl { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("`REQUIRE_TLS`"), "{error}");

    let config = Config::new("https://agamemnon.example")
        .expect("valid")
        .require_tls(true);
    Client::new(config).expect("https is fine");
    let config = Config::new("http://localhost:1")
        .expect("valid")
        .require_tls(false);
    Client::new(config).expect("http is fine without REQUIRE_TLS");
}

#[test]
fn an_unreadable_ca_file_is_a_config_error() {
    let config = Config::new("https://localhost:1")
        .expect("valid")
        .ca_file("/nonexistent/telemachy-test/ca.pem");
    let error = Client::new(config).expect_err("no such file");
    assert!(matches!(error, ConfigError::CaFile { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("/nonexistent/telemachy-test/ca.pem"),
        "{error}"
    );
}

#[test]
fn a_ca_file_without_a_certificate_is_a_config_error() {
    let config = Config::new("https://localhost:1")
        .expect("valid")
        .ca_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/tls/README.md"
        ));
    let error = Client::new(config).expect_err("no certificate");
    assert!(
        matches!(error, ConfigError::CaCertificate { .. }),
        "{error:?}"
    );
}

#[test]
fn a_key_unfit_for_a_header_is_refused_without_showing_it() {
    let config = Config::new("http://localhost:1")
        .expect("valid")
        .api_key("line\nbreak-secret");
    let error = Client::new(config).expect_err("bad key");
    assert!(matches!(error, ConfigError::InvalidApiKey), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("break-secret"));
}

#[tokio::test]
async fn the_key_is_redacted_in_debug_output() {
    let server = server().await;
    let config = crate::support::config(&server);
    assert!(!format!("{config:?}").contains(KEY), "{config:?}");
    let client = client(&server);
    assert!(!format!("{client:?}").contains(KEY), "{client:?}");
    assert!(format!("{client:?}").contains(&server.uri()), "{client:?}");
}

#[tokio::test]
async fn the_key_is_scrubbed_from_errors_even_when_the_server_echoes_it() {
    let server = server().await;
    api("GET", "/v1/version")
        .respond_with(json_answer(401, json!({"error": format!("bad key {KEY}")})))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/health")
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("you sent Authorization: Bearer {KEY}"),
            "text/plain",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let unauthorized = client.version().await.expect_err("401");
    let contract = client.health().await.expect_err("not json");
    for error in [unauthorized, contract] {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}

#[tokio::test]
async fn the_key_from_the_environment_is_sent_as_a_bearer_token() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let key_file_content = format!("{KEY}\n");
    let config = Config::from_lookup(lookup(&[
        ("AGAMEMNON_URL", &uri),
        ("AGAMEMNON_API_KEY", &key_file_content),
    ]))
    .expect("valid");

    Client::new(config)
        .expect("client")
        .health()
        .await
        .expect("authorised");
}

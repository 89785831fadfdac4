//! Redirects are never followed: the key (and the
//! request) go only to `AGAMEMNON_URL`. The client is built with `redirect::Policy::none()`;
//! these tests pin that policy.

use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::support::{self, KEY};

async fn refused_redirect(location: &str, target: &wiremock::MockServer) {
    let origin = support::server().await;
    support::api("GET", "/v1/agents")
        .respond_with(ResponseTemplate::new(307).insert_header("location", location))
        .expect(1)
        .mount(&origin)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .named("where the redirect points: never asked")
        .expect(0)
        .mount(target)
        .await;

    let error = support::client(&origin)
        .list_agents()
        .await
        .expect_err("a redirect is not followed");
    assert_eq!(error.status(), Some(307), "{error}");
    let shown = error.to_string();
    assert!(shown.contains("never follows"), "{shown}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("secret-query"), "{shown}");
}

#[tokio::test]
async fn a_redirect_to_another_server_is_not_followed() {
    let elsewhere = wiremock::MockServer::start().await;
    let location = format!("{}/v1/agents?token=secret-query", elsewhere.uri());
    refused_redirect(&location, &elsewhere).await;
}

#[tokio::test]
async fn a_redirect_with_credentials_in_its_url_shows_none_of_them() {
    let elsewhere = wiremock::MockServer::start().await;
    let location = elsewhere
        .uri()
        .replace("http://", &format!("http://user:{KEY}@"));
    refused_redirect(&format!("{location}/v1/agents"), &elsewhere).await;
}

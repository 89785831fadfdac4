//! A server that misbehaves on purpose: a proxy in front of a simulator that forwards every
//! request (so the simulator keeps the real state) and spoils the answers of the requests
//! its rules pick: malformed JSON, missing or mistyped fields, an HTML error page, a huge
//! body, no answer at all, `null` for empty values, or the caller's key echoed back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The requests a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `POST /v1/agents`.
    CreateAgent,
    /// `POST /v1/teams`.
    CreateTeam,
    /// `POST /v1/teams/{id}/tasks`.
    CreateTask,
    /// `GET /v1/agents`.
    ListAgents,
    /// `GET /v1/teams/{id}/tasks`.
    ListTasks,
    /// Every request but health checks.
    Any,
}

impl Target {
    fn matches(self, method: &str, path: &str) -> bool {
        let tasks = path.starts_with("/v1/teams/") && path.ends_with("/tasks");
        match self {
            Target::CreateAgent => method == "POST" && path == "/v1/agents",
            Target::CreateTeam => method == "POST" && path == "/v1/teams",
            Target::CreateTask => method == "POST" && tasks,
            Target::ListAgents => method == "GET" && path == "/v1/agents",
            Target::ListTasks => method == "GET" && tasks,
            Target::Any => !path.ends_with("/health"),
        }
    }
}

/// What becomes of a picked answer. Every request is forwarded first: the change it asks
/// for is applied whatever the answer then says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spoil {
    /// The body cut off in the middle of the JSON.
    MalformedJson,
    /// The JSON without any `id` field.
    MissingField,
    /// The JSON with every `createdAt` and `status` a number.
    MistypedField,
    /// `502` with a proxy's HTML error page.
    HtmlErrorPage,
    /// A `200` body of 12 MiB.
    Huge,
    /// No answer, ever; the connection stays open.
    Silence,
    /// Every empty string and empty list written as `null`.
    Nulls,
    /// `500` whose message repeats the request's `Authorization` header.
    EchoKey,
}

/// Spoil the answers of `times` requests to `target` (`usize::MAX`: all of them), after
/// letting the first `after` of them through.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub(crate) target: Target,
    pub(crate) spoil: Spoil,
    pub(crate) after: usize,
    pub(crate) times: usize,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    rules: Mutex<Vec<Rule>>,
    spoiled: AtomicUsize,
}

/// The proxy; it stops when dropped.
pub(crate) struct Proxy {
    url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Proxy {
    /// A proxy on 127.0.0.1 in front of the server at `upstream`, spoiling what `rules` pick.
    pub(crate) async fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            rules: Mutex::new(rules),
            spoiled: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound");
        let app = Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy {
            url: format!("http://{addr}"),
            shared,
            server,
        }
    }

    /// Its base URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// How many answers it has spoiled.
    pub(crate) fn spoiled(&self) -> usize {
        self.shared.spoiled.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The spoil for a request, if a rule picks it (using up one of the rule's times).
fn pick(shared: &Shared, method: &str, path: &str) -> Option<Spoil> {
    let mut rules = shared.rules.lock().expect("not poisoned");
    let rule = rules
        .iter_mut()
        .find(|rule| rule.times > 0 && rule.target.matches(method, path))?;
    if rule.after > 0 {
        rule.after -= 1;
        return None;
    }
    rule.times = rule.times.saturating_sub(1);
    shared.spoiled.fetch_add(1, Ordering::SeqCst);
    Some(rule.spoil)
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let Ok(body) = to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let spoil = pick(&shared, parts.method.as_str(), &path);
    let key = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();

    let mut upstream = shared.http.request(
        parts.method.clone(),
        format!("{}{path_and_query}", shared.upstream),
    );
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.body(body).send().await {
        Ok(answer) => answer,
        Err(_) => return StatusCode::BAD_GATEWAY.into_response(),
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let Ok(bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    match spoil {
        None => respond(status, &headers, bytes.to_vec()),
        Some(spoil) => spoiled(spoil, status, &headers, &bytes, &key).await,
    }
}

fn respond(status: StatusCode, headers: &HeaderMap, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    for name in [header::CONTENT_TYPE, header::RETRY_AFTER] {
        if let Some(value) = headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

fn json_answer(status: StatusCode, value: &Value) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::to_vec(value).expect("JSON encodes");
    respond(status, &headers, body)
}

async fn spoiled(
    spoil: Spoil,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    key: &str,
) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match spoil {
        Spoil::MalformedJson => respond(status, headers, body[..body.len() / 2].to_vec()),
        Spoil::MissingField => match parsed {
            Some(mut value) => {
                rewrite(&mut value, &mut |key, _| key != "id", &mut |_, _| {});
                json_answer(status, &value)
            }
            None => respond(status, headers, body.to_vec()),
        },
        Spoil::MistypedField => match parsed {
            Some(mut value) => {
                rewrite(&mut value, &mut |_, _| true, &mut |key, value| {
                    if key == "status" || key == "createdAt" {
                        *value = Value::from(5);
                    }
                });
                json_answer(status, &value)
            }
            None => respond(status, headers, body.to_vec()),
        },
        Spoil::HtmlErrorPage => {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                        </body>\r\n</html>\r\n";
            respond(StatusCode::BAD_GATEWAY, &headers, page.as_bytes().to_vec())
        }
        Spoil::Huge => {
            let mut huge = br#"{"padding": ""#.to_vec();
            huge.resize(12 * 1024 * 1024, b'x');
            huge.extend_from_slice(br#""}"#);
            respond(StatusCode::OK, headers, huge)
        }
        Spoil::Silence => std::future::pending().await,
        Spoil::Nulls => match parsed {
            Some(mut value) => {
                rewrite(&mut value, &mut |_, _| true, &mut |_, value| {
                    let empty = matches!(value, Value::String(text) if text.is_empty())
                        || matches!(value, Value::Array(items) if items.is_empty());
                    if empty {
                        *value = Value::Null;
                    }
                });
                json_answer(status, &value)
            }
            None => respond(status, headers, body.to_vec()),
        },
        Spoil::EchoKey => json_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            &serde_json::json!({ "error": format!("cannot handle the request with `{key}`") }),
        ),
    }
}

/// Walks every object of `value`: keeps the fields `keep` accepts, then lets `change` edit
/// each field that is kept.
fn rewrite(
    value: &mut Value,
    keep: &mut dyn FnMut(&str, &Value) -> bool,
    change: &mut dyn FnMut(&str, &mut Value),
) {
    match value {
        Value::Object(fields) => {
            fields.retain(|key, value| keep(key, value));
            for (key, field) in fields.iter_mut() {
                change(key, field);
                rewrite(field, keep, change);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite(item, keep, change);
            }
        }
        _ => {}
    }
}

//! Request/response plumbing: one attempt (pacing, auth, timeout, a size-capped body, error
//! mapping), the retry loops around it, and JSON decoding against the contract.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::adapt::Adaptive;
use super::config::{Config, without_user_info};
use super::error::{ConfigError, Error};
use super::pace::Pacer;
use super::retry::{self, Failure, RetryPolicy};

/// The most of a successful answer's body the client reads.
pub(crate) const MAX_BODY: usize = 8 * 1024 * 1024;
/// The most of an error answer's body the client reads (the rest is ignored).
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The most idle connections the client keeps open to its server: the real server serves 8
/// connections at once, and a connection beyond them waits for one to close.
const POOL_IDLE_MAX: usize = 8;
/// How long an idle connection stays open before the client closes it, freeing its slot on
/// the server for other clients.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(1);
/// The most characters of server text an error shows.
const EXCERPT_CHARS: usize = 160;
/// What an error shows instead of an excerpt of an answer about tasks.
/// It appears inside an error's backticks, so it has none of its own.
const WITHHELD: &str = "(withheld: answers about tasks can hold their subjects and descriptions; \
                        RUST_LOG=telemachy=debug logs the excerpt)";

/// One request, described so that it can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    /// The path as errors and logs show it, e.g. `/v1/agents/<id>/start`.
    path: String,
    /// Whether answers may hold task subjects and descriptions, which can be sensitive:
    /// errors then show no excerpt of them, and only `debug` logs do.
    confidential: bool,
}

impl Call {
    fn new(method: Method, segments: &[&str]) -> Call {
        let path = segments.iter().fold(String::new(), |mut path, segment| {
            path.push('/');
            path.push_str(segment);
            path
        });
        Call {
            method,
            segments: segments
                .iter()
                .map(|segment| (*segment).to_owned())
                .collect(),
            query: Vec::new(),
            body: None,
            path,
            confidential: is_about_tasks(segments),
        }
    }

    /// `GET` of the path made of `segments` (each percent-encoded as needed).
    pub(crate) fn get(segments: &[&str]) -> Call {
        Call::new(Method::GET, segments)
    }

    /// `DELETE` of the path made of `segments`.
    pub(crate) fn delete(segments: &[&str]) -> Call {
        Call::new(Method::DELETE, segments)
    }

    /// `method` with `body` as JSON.
    pub(crate) fn with_json(
        method: Method,
        segments: &[&str],
        body: &impl Serialize,
    ) -> Result<Call, Error> {
        let mut call = Call::new(method, segments);
        let json = serde_json::to_vec(body).map_err(|source| Error::Encode {
            method: call.method.to_string(),
            path: call.path.clone(),
            source,
        })?;
        call.body = Some(json);
        Ok(call)
    }

    /// A `POST` without a payload. It still sends `{}`: the real server waits for a body
    /// until its read timeout when a `POST` has neither a body nor `Content-Length`.
    pub(crate) fn post_empty(segments: &[&str]) -> Call {
        let mut call = Call::new(Method::POST, segments);
        call.body = Some(b"{}".to_vec());
        call
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Call {
        self.query.push((name, value.to_string()));
        self
    }

    /// The path as errors and logs show it.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    fn method_text(&self) -> String {
        self.method.to_string()
    }
}

/// A failed attempt: the error, and how long the server asked to wait before the next one.
#[derive(Debug)]
struct Attempted {
    error: Error,
    retry_after: Option<Duration>,
}

impl Attempted {
    /// The same failure, waited on for at least `wait` before the next attempt.
    fn wait_at_least(self, wait: Duration) -> Attempted {
        Attempted {
            retry_after: Some(self.retry_after.map_or(wait, |asked| asked.max(wait))),
            ..self
        }
    }
}

/// What a `DELETE` found.
pub(crate) enum Removal {
    /// The server deleted it now; the answer's body.
    Deleted(Vec<u8>),
    /// A retry found it gone after an attempt whose outcome was unknown: that attempt
    /// deleted it.
    AlreadyGone,
}

/// The shared state behind every clone of a client.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    auth: Option<HeaderValue>,
    /// The key, only to scrub it from server text shown in errors.
    secret: Option<String>,
    timeout: Duration,
    policy: RetryPolicy,
    pacing: Pacing,
}

/// How a client keeps to the server's rate limit.
#[derive(Debug)]
enum Pacing {
    /// At the configured rate.
    Fixed(Pacer),
    /// At the rate learned from the server's `429`s.
    Learned(Adaptive),
}

impl Transport {
    pub(crate) fn new(config: &Config) -> Result<Transport, ConfigError> {
        if config.require_tls && config.url.scheme() != "https" {
            return Err(ConfigError::InsecureUrl {
                url: config.url_text.clone(),
            });
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("telemachy/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout)
            .pool_max_idle_per_host(POOL_IDLE_MAX)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .https_only(config.require_tls);
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|source| ConfigError::CaFile {
                path: path.clone(),
                source,
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
                ConfigError::CaCertificate {
                    path: path.clone(),
                    reason: error.to_string(),
                }
            })?;
            if certificates.is_empty() {
                return Err(ConfigError::CaCertificate {
                    path: path.clone(),
                    reason: "it has no `-----BEGIN CERTIFICATE-----` block".to_owned(),
                });
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder
            .build()
            .map_err(|source| ConfigError::Http { source })?;

        let auth = match &config.api_key {
            Some(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| ConfigError::InvalidApiKey)?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };

        Ok(Transport {
            http,
            base: config.url.clone(),
            auth,
            secret: config.api_key.as_ref().map(|key| key.expose().to_owned()),
            timeout: config.timeout,
            policy: RetryPolicy {
                max_retries: config.max_retries,
                base: config.backoff_base,
                max: config.backoff_max,
            },
            pacing: match config.rate {
                Some(rate) => Pacing::Fixed(Pacer::new(rate)),
                None => Pacing::Learned(Adaptive::default()),
            },
        })
    }

    /// Sends an idempotent request, retrying whatever is worth retrying; answers the body
    /// of the successful answer.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Vec<u8>, Error> {
        match self.retrying(call, false).await? {
            Removal::Deleted(body) => Ok(body),
            // Only reachable when asked for; answer an empty body all the same.
            Removal::AlreadyGone => Ok(Vec::new()),
        }
    }

    /// Sends a `DELETE`, retrying like [`Transport::execute`]; a 404 on a retry after an
    /// attempt whose outcome was unknown means that attempt did the work.
    pub(crate) async fn remove(&self, call: &Call) -> Result<Removal, Error> {
        self.retrying(call, true).await
    }

    async fn retrying(&self, call: &Call, gone_is_done: bool) -> Result<Removal, Error> {
        let span = tracing::debug_span!("agamemnon", method = %call.method, path = %call.path);
        async {
            let mut retry = 0;
            let mut outcome_unknown = false;
            loop {
                match self.attempt(call, retry).await {
                    Ok(body) => return Ok(Removal::Deleted(body)),
                    Err(failed)
                        if gone_is_done && outcome_unknown && failed.error.is_not_found() =>
                    {
                        tracing::debug!("gone after a retry: the earlier attempt removed it");
                        return Ok(Removal::AlreadyGone);
                    }
                    Err(failed) => {
                        let failure = retry::classify(&failed.error);
                        if failure == Failure::Final || retry >= self.policy.max_retries {
                            return Err(self.give_up(failed.error, retry));
                        }
                        outcome_unknown |= failure == Failure::Unknown;
                        self.pause(&failed, retry).await;
                        retry += 1;
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Sends a create, never duplicating it: when an attempt's outcome is unknown, `lookup`
    /// looks for what it may have created, and a find is adopted instead of sending again.
    pub(crate) async fn create<T, Lookup, Found>(
        &self,
        call: &Call,
        decode: impl Fn(&[u8]) -> Result<T, Error>,
        lookup: Lookup,
    ) -> Result<T, Error>
    where
        Lookup: Fn() -> Found,
        Found: Future<Output = Result<Option<T>, Error>>,
    {
        let span = tracing::debug_span!("agamemnon", method = %call.method, path = %call.path);
        async {
            let mut retry = 0;
            loop {
                let failed = match self.attempt(call, retry).await {
                    Ok(body) => match decode(&body) {
                        Ok(created) => return Ok(created),
                        // A success status says the server created it, whatever the body.
                        Err(unreadable) => return self.adopt_applied(call, unreadable, &lookup).await,
                    },
                    Err(failed) if matches!(failed.error, Error::BodyTooLarge { .. }) => {
                        return self.adopt_applied(call, failed.error, &lookup).await;
                    }
                    Err(failed) => failed,
                };
                let failure = retry::classify(&failed.error);
                if failure == Failure::Final {
                    return Err(failed.error);
                }
                let last = retry >= self.policy.max_retries;
                if failure == Failure::NotApplied && last {
                    return Err(self.give_up(failed.error, retry));
                }
                // Wait first: a slow server may still be applying the lost attempt. One that
                // let the attempt time out may still be working on it: it gets as long again
                // as the attempt had before the lookup, or the lookup would miss a create
                // that lands just after it and the create sent again would duplicate it.
                let failed = match failed.error {
                    Error::Timeout { .. } => failed.wait_at_least(self.timeout),
                    _ => failed,
                };
                self.pause(&failed, retry).await;
                if failure == Failure::Unknown {
                    match lookup().await {
                        Ok(Some(found)) => {
                            tracing::info!(
                                path = %call.path,
                                "adopted what an attempt with a lost answer created, instead of creating it again"
                            );
                            return Ok(found);
                        }
                        Ok(None) if !last => {
                            tracing::debug!("not created by the lost attempt; sending it again");
                        }
                        Ok(None) => return Err(self.give_up(failed.error, retry)),
                        Err(lookup_error) => {
                            tracing::warn!(
                                error = %lookup_error,
                                "cannot tell whether `{} {}` created something; not sending it again",
                                call.method,
                                call.path
                            );
                            return Err(failed.error);
                        }
                    }
                }
                retry += 1;
            }
        }
        .instrument(span)
        .await
    }

    /// A create the server answered with a success status but a body the client cannot use
    /// (it breaks the contract, or is too large): the resource exists, so it is looked up
    /// and adopted rather than left unknown to the caller. `error` is returned when the
    /// lookup finds nothing or fails.
    async fn adopt_applied<T, Lookup, Found>(
        &self,
        call: &Call,
        error: Error,
        lookup: &Lookup,
    ) -> Result<T, Error>
    where
        Lookup: Fn() -> Found,
        Found: Future<Output = Result<Option<T>, Error>>,
    {
        tracing::warn!(
            error = %error,
            "the server created something but its answer cannot be used; looking it up"
        );
        match lookup().await {
            Ok(Some(found)) => {
                tracing::info!(
                    path = %call.path,
                    "adopted what a create with an unusable answer created"
                );
                Ok(found)
            }
            Ok(None) => Err(error),
            Err(lookup_error) => {
                tracing::warn!(
                    error = %lookup_error,
                    "cannot look up what `{} {}` created",
                    call.method,
                    call.path
                );
                Err(error)
            }
        }
    }

    /// Returns `error` to the caller, noting how many attempts it took. Retries and giving
    /// up are logged at `info`: the caller gets the error and reports it, so a warning would
    /// only say the same thing twice (a command line's one-line error would become three).
    fn give_up(&self, error: Error, retry: u32) -> Error {
        if retry > 0 {
            tracing::info!(attempts = retry + 1, error = %error, "giving up");
        }
        error
    }

    async fn pause(&self, failed: &Attempted, retry: u32) {
        let delay = self.policy.delay(retry, failed.retry_after);
        tracing::info!(
            error = %failed.error,
            retry = retry + 1,
            of = self.policy.max_retries,
            delay_ms = delay.as_millis() as u64,
            "request failed; retrying"
        );
        tokio::time::sleep(delay).await;
    }

    /// One attempt: waits for the pacer, sends, and reads the answer within the timeout;
    /// tells a learning pacer whether the server limited it.
    async fn attempt(&self, call: &Call, retry: u32) -> Result<Vec<u8>, Attempted> {
        let ticket = match &self.pacing {
            Pacing::Fixed(pacer) => {
                pacer.acquire().await;
                None
            }
            Pacing::Learned(adaptive) => Some(adaptive.acquire().await),
        };
        let request = self.request(call);
        let started = tokio::time::Instant::now();
        let answer = tokio::time::timeout(self.timeout, async {
            let response = request.send().await.map_err(|source| Attempted {
                error: self.transport_error(call, source),
                retry_after: None,
            })?;
            self.read_answer(call, response).await
        })
        .await;
        if let (Pacing::Learned(adaptive), Some(ticket)) = (&self.pacing, ticket) {
            let rate_limited =
                matches!(&answer, Ok(Err(failed)) if failed.error.status() == Some(429));
            adaptive.answered(ticket, rate_limited);
        }
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match answer {
            Ok(Ok(body)) => {
                tracing::debug!(
                    attempt = retry + 1,
                    elapsed_ms,
                    bytes = body.len(),
                    "answered"
                );
                Ok(body)
            }
            Ok(Err(failed)) => {
                tracing::debug!(
                    attempt = retry + 1,
                    elapsed_ms,
                    status = failed.error.status(),
                    "failed"
                );
                Err(failed)
            }
            Err(_) => {
                tracing::debug!(attempt = retry + 1, elapsed_ms, "timed out");
                Err(Attempted {
                    error: Error::Timeout {
                        method: call.method_text(),
                        path: call.path.clone(),
                        after: self.timeout,
                    },
                    retry_after: None,
                })
            }
        }
    }

    fn request(&self, call: &Call) -> reqwest::RequestBuilder {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(&call.segments);
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(header::ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            request = request.header(header::AUTHORIZATION, auth.clone());
        }
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        request
    }

    async fn read_answer(
        &self,
        call: &Call,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, Attempted> {
        let status = response.status();
        if status.is_success() {
            return match read_capped(&mut response, MAX_BODY).await {
                Ok(Capped::Whole(body)) => Ok(body),
                Ok(Capped::TooLarge) => Err(Attempted {
                    error: Error::BodyTooLarge {
                        method: call.method_text(),
                        path: call.path.clone(),
                        limit: MAX_BODY,
                    },
                    retry_after: None,
                }),
                Err(source) => Err(Attempted {
                    error: self.transport_error(call, source),
                    retry_after: None,
                }),
            };
        }

        let header_wait = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = match read_capped(&mut response, MAX_ERROR_BODY).await {
            Ok(Capped::Whole(body)) => body,
            // Too large or cut off: the status says enough.
            Ok(Capped::TooLarge) | Err(_) => Vec::new(),
        };
        let (message, body_wait) = if status.is_redirection() {
            (self.redirect_message(&response), None)
        } else {
            self.error_message(call, &body)
        };
        Err(Attempted {
            error: status_error(call, status, message),
            retry_after: header_wait.or(body_wait),
        })
    }

    /// What a redirect answer says: redirects are never followed (the client is built with
    /// `redirect::Policy::none()`), so the key never travels to where one points.
    fn redirect_message(&self, response: &reqwest::Response) -> String {
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(|location| {
                let location = location.split(['?', '#']).next().unwrap_or_default();
                truncate(&self.scrub(&without_user_info(location)), EXCERPT_CHARS)
            });
        let target = location.map_or_else(String::new, |location| format!(" to `{location}`"));
        format!(
            "a redirect{target}, which the client never follows; set `AGAMEMNON_URL` to the \
             server's own URL"
        )
    }

    /// The server's `error` text (and `retry_after_seconds`, if any) from an error body, or
    /// a short excerpt of a body that is not the contract's error object (withheld for an
    /// answer about tasks).
    fn error_message(&self, call: &Call, body: &[u8]) -> (String, Option<Duration>) {
        #[derive(serde::Deserialize)]
        struct ErrorAnswer {
            error: String,
            #[serde(default)]
            retry_after_seconds: Option<f64>,
        }
        match serde_json::from_slice::<ErrorAnswer>(body) {
            Ok(answer) => {
                let wait = answer
                    .retry_after_seconds
                    .and_then(|seconds| retry::parse_retry_after(&seconds.to_string()));
                // Scrubbed before it is cut: a key across the cut would otherwise survive
                // in part.
                (
                    truncate(&self.scrub(&answer.error), 4 * EXCERPT_CHARS),
                    wait,
                )
            }
            Err(_) if body.is_empty() => ("no message".to_owned(), None),
            Err(_) => (self.excerpt(call, body), None),
        }
    }

    /// Decodes a successful answer's `body` as `T`, or says it does not match the contract.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        call: &Call,
        body: &[u8],
        expected: &str,
    ) -> Result<T, Error> {
        serde_json::from_slice(body).map_err(|source| Error::Contract {
            method: call.method_text(),
            path: call.path.clone(),
            expected: expected.to_owned(),
            excerpt: if body.is_empty() {
                "(an empty body)".to_owned()
            } else {
                self.excerpt(call, body)
            },
            source: self.showable(call, source),
        })
    }

    /// The decoder's complaint, unless it quotes what it should not show: a string value
    /// from an answer about tasks (serde quotes string values in `"`, field names in
    /// backticks), or the key. What is left out is logged at `debug`.
    fn showable(&self, call: &Call, source: serde_json::Error) -> Option<serde_json::Error> {
        let text = source.to_string();
        let leaks_task_text = call.confidential && text.contains('"');
        let leaks_key = self
            .secret
            .as_deref()
            .is_some_and(|secret| !secret.is_empty() && text.contains(secret));
        if leaks_task_text || leaks_key {
            if !leaks_key {
                tracing::debug!(path = %call.path, complaint = %text, "the answer breaks the contract");
            }
            return None;
        }
        Some(source)
    }

    fn transport_error(&self, call: &Call, source: reqwest::Error) -> Error {
        Error::Transport {
            method: call.method_text(),
            path: call.path.clone(),
            source: source.without_url(),
        }
    }

    /// A short, single-line start of `body`, without the key; for an answer about tasks,
    /// a note that it is withheld (the excerpt itself goes to the `debug` log).
    ///
    /// The key is scrubbed before anything is cut: the window read reaches a key's length
    /// past the bytes shown, so a key that starts among them is always whole when it is
    /// replaced.
    fn excerpt(&self, call: &Call, body: &[u8]) -> String {
        let window = 4 * EXCERPT_CHARS + self.secret.as_deref().map_or(0, str::len);
        let text = self.scrub(&String::from_utf8_lossy(&body[..body.len().min(window)]));
        let single_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut excerpt = truncate(&single_line, EXCERPT_CHARS);
        if body.len() > window && !excerpt.ends_with('…') {
            excerpt.push('…');
        }
        if call.confidential {
            tracing::debug!(path = %call.path, %excerpt, "an answer the client cannot use");
            return WITHHELD.to_owned();
        }
        excerpt
    }

    /// `text` with the key (should a server echo it) replaced.
    fn scrub(&self, text: &str) -> String {
        match &self.secret {
            Some(secret) if !secret.is_empty() && text.contains(secret.as_str()) => {
                text.replace(secret.as_str(), "<redacted>")
            }
            _ => text.to_owned(),
        }
    }
}

/// Whether a path is about tasks (`/v1/teams/{id}/tasks...`, `/v1/tasks...`), whose answers
/// hold task subjects and descriptions.
fn is_about_tasks(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["v1", "tasks", ..] | ["v1", "teams", _, "tasks", ..]
    )
}

fn status_error(call: &Call, status: StatusCode, message: String) -> Error {
    let method = call.method_text();
    let path = call.path.clone();
    match status.as_u16() {
        status @ (401 | 403) => Error::Unauthorized {
            method,
            path,
            status,
            message,
        },
        404 => Error::NotFound {
            method,
            path,
            message,
        },
        status => Error::Status {
            method,
            path,
            status,
            message,
        },
    }
}

/// `text` cut to at most `chars` characters, with `…` when cut.
fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

enum Capped {
    Whole(Vec<u8>),
    TooLarge,
}

/// Reads the body, stopping as soon as it is known to exceed `limit` bytes.
async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Capped, reqwest::Error> {
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit as u64) {
        return Ok(Capped::TooLarge);
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |length| length as usize).min(limit));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(Capped::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Capped::Whole(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
    }

    #[test]
    fn answers_about_tasks_are_confidential() {
        assert!(Call::get(&["v1", "teams", "t", "tasks"]).confidential);
        assert!(Call::get(&["v1", "teams", "t", "tasks", "x"]).confidential);
        assert!(Call::post_empty(&["v1", "tasks", "x", "complete"]).confidential);
        assert!(!Call::get(&["v1", "teams", "tasks"]).confidential);
        assert!(!Call::get(&["v1", "agents"]).confidential);
    }

    /// A key the server echoes, at every position around every cut (the excerpt's window,
    /// its 160 characters, the 640 of an `error` field), never shows, not even in part.
    #[test]
    fn the_key_is_scrubbed_before_any_cut() {
        const KEY: &str = "S3CRET-0123456789abcdef0123456789abcdef";
        let config = Config::new("http://127.0.0.1:1")
            .expect("a valid URL")
            .api_key(KEY);
        let transport = Transport::new(&config).expect("a plain HTTP client builds");
        let agents = Call::get(&["v1", "agents"]);
        let leaks = |shown: &str| {
            KEY.char_indices()
                .skip(2)
                .any(|(end, _)| shown.contains(&KEY[..end]))
        };
        for before in 0..=(4 * EXCERPT_CHARS + KEY.len() + 2) {
            let filler = "x".repeat(before);
            let tail = "y".repeat(700);

            let body = format!("{filler}{KEY}{tail}");
            let excerpt = transport.excerpt(&agents, body.as_bytes());
            assert!(!leaks(&excerpt), "key at {before}: {excerpt}");

            let spaced = format!("{}{KEY} {tail}", "x ".repeat(before / 2));
            let excerpt = transport.excerpt(&agents, spaced.as_bytes());
            assert!(
                !leaks(&excerpt),
                "key after {before} spaced bytes: {excerpt}"
            );

            let answer = serde_json::json!({ "error": body }).to_string();
            let (message, _) = transport.error_message(&agents, answer.as_bytes());
            assert!(!leaks(&message), "key at {before} of `error`: {message}");

            let error = transport
                .decode::<crate::api::Health>(&agents, body.as_bytes(), "a health object")
                .expect_err("not JSON");
            let shown = std::iter::successors(Some(&error as &dyn std::error::Error), |error| {
                error.source()
            })
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
            assert!(
                !leaks(&shown),
                "key at {before} of a contract error: {shown}"
            );
        }
    }

    #[test]
    fn paths_join_segments() {
        let call = Call::post_empty(&["v1", "agents", "a b", "start"]);
        assert_eq!(call.path(), "/v1/agents/a b/start");
        assert_eq!(call.body.as_deref(), Some(&b"{}"[..]));
    }
}

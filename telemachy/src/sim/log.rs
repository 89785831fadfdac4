//! The request log: every request the simulator received, by method and route template.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::app::{SharedApp, lock};
use super::faults::DropConnection;

/// The route recorded for a request that matched no route.
pub const UNMATCHED: &str = "(unmatched)";

/// One request the simulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    method: String,
    route: String,
    status: Option<u16>,
}

impl LoggedRequest {
    /// The HTTP method, e.g. `POST`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The route template, e.g. `/v1/agents/{id}/start`, or [`UNMATCHED`].
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The status answered, or `None` when the connection was dropped instead.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

/// Every request a simulator received, in the order their answers were ready.
///
/// Counts are by method and route template (`/v1/teams/{team_id}/tasks`, not the path with
/// ids), so tests and benchmarks can ask how many calls of a kind a run made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestLog {
    entries: Vec<LoggedRequest>,
}

impl RequestLog {
    /// How many requests had this method (any case) and route template.
    pub fn count(&self, method: &str, route: &str) -> usize {
        self.entries
            .iter()
            .filter(|e| e.method.eq_ignore_ascii_case(method) && e.route == route)
            .count()
    }

    /// How many requests there were in all.
    pub fn total(&self) -> usize {
        self.entries.len()
    }

    /// How many `POST` requests there were.
    pub fn posts(&self) -> usize {
        self.entries.iter().filter(|e| e.method == "POST").count()
    }

    /// The requests, oldest first.
    pub fn entries(&self) -> &[LoggedRequest] {
        &self.entries
    }

    /// Iterates over the requests, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, LoggedRequest> {
        self.entries.iter()
    }

    /// Counts by method and route template, with how many of each were answered `429`,
    /// sorted by method and route.
    pub fn by_route(&self) -> Vec<(String, String, usize, usize)> {
        let mut counts: std::collections::BTreeMap<(&str, &str), (usize, usize)> =
            std::collections::BTreeMap::new();
        for entry in &self.entries {
            let count = counts.entry((&entry.method, &entry.route)).or_default();
            count.0 += 1;
            if entry.status == Some(429) {
                count.1 += 1;
            }
        }
        counts
            .into_iter()
            .map(|((method, route), (all, limited))| {
                (method.to_owned(), route.to_owned(), all, limited)
            })
            .collect()
    }

    fn push(&mut self, entry: LoggedRequest) {
        self.entries.push(entry);
    }
}

impl<'a> IntoIterator for &'a RequestLog {
    type Item = &'a LoggedRequest;
    type IntoIter = std::slice::Iter<'a, LoggedRequest>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Middleware: records each request with the status it got (or its dropped connection).
pub(crate) async fn record(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    let handling = app.requests.enter();
    let response = next.run(request).await;
    drop(handling);
    let dropped = response.extensions().get::<DropConnection>().is_some();
    let status = (!dropped).then(|| response.status().as_u16());
    lock(&app.log).push(LoggedRequest {
        method,
        route,
        status,
    });
    response
}

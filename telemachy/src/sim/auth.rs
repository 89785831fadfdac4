//! API key checks: `Authorization: Bearer <key>` or `X-API-Key: <key>` when a key is set.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::SharedApp;
use super::routes::{ApiError, is_health};

/// Middleware: answers `401 {"error":"unauthorized"}` unless the request carries the key
/// (health checks need none; with no key configured every request passes).
pub(crate) async fn require_key(
    State(app): State<SharedApp>,
    request: Request,
    next: Next,
) -> Response {
    match &app.api_key {
        Some(key) if !is_health(request.uri().path()) && !carries(request.headers(), key) => {
            ApiError::unauthorized().into_response()
        }
        _ => next.run(request).await,
    }
}

/// Whether either accepted header holds the key.
fn carries(headers: &HeaderMap, key: &str) -> bool {
    let bearer = headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.strip_prefix("Bearer "))
        .any(|given| same(given.trim(), key));
    let api_key = headers
        .get_all("x-api-key")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|given| same(given.trim(), key));
    bearer || api_key
}

/// Compares without stopping at the first difference, so timing does not reveal the key.
fn same(given: &str, key: &str) -> bool {
    given.len() == key.len()
        && given
            .bytes()
            .zip(key.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_header_forms() {
        let mut headers = HeaderMap::new();
        assert!(!carries(&headers, "k"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k"));
        assert!(carries(&headers, "k"));
        assert!(!carries(&headers, "kk"));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        assert!(carries(&headers, "k"));
        headers.insert("x-api-key", HeaderValue::from_static("j"));
        assert!(!carries(&headers, "k"));
    }
}

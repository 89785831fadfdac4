//! Error answers, in the server's shape: `{"error": "..."}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer: a status and the server's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// Any status with a message.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// `400 {"error": "<message>"}`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// `400 {"error": "invalid JSON: <detail>"}`, the real server's words for a body it
    /// cannot read.
    pub(crate) fn invalid_json(detail: impl std::fmt::Display) -> Self {
        ApiError::bad_request(format!("invalid JSON: {detail}"))
    }

    /// `404 {"error": "<what> not found"}`, e.g. `agent not found`.
    pub(crate) fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// `401 {"error": "unauthorized"}`.
    pub(crate) fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized")
    }

    /// `429 {"error": "rate limit exceeded", "retry_after_seconds": 1}` with `Retry-After: 1`.
    pub(crate) fn rate_limited() -> Self {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
    }

    /// `500 {"error": "internal server error"}`.
    pub(crate) fn internal() -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            let body = json!({ "error": self.message, "retry_after_seconds": 1 });
            let mut response = (self.status, Json(body)).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        } else {
            (self.status, Json(json!({ "error": self.message }))).into_response()
        }
    }
}

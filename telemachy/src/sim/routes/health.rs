//! `GET /health`, `GET /v1/health` and `GET /v1/version`.

use axum::Json;
use serde_json::{Value, json};

/// The version the simulated server reports (the contract's).
pub(crate) const API_VERSION: &str = "0.1.0";

/// `GET /health`: `{"status":"ok","service":"Agamemnon"}`.
pub(crate) async fn root_health() -> Json<Value> {
    Json(json!({ "status": "ok", "service": "Agamemnon" }))
}

/// `GET /v1/health`: `{"status":"ok"}`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /v1/version`: `{"version":"0.1.0","name":"Agamemnon"}`.
pub(crate) async fn version() -> Json<Value> {
    Json(json!({ "version": API_VERSION, "name": "Agamemnon" }))
}

/// `GET /v1/workflows`: always empty, as on the real server.
pub(crate) async fn workflows() -> Json<Value> {
    Json(json!({ "workflows": [] }))
}

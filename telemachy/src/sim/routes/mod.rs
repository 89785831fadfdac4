//! The routes of the contract and the middleware every request passes through.

mod agents;
mod error;
mod extract;
mod health;
mod stats;
mod tasks;
mod teams;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub(crate) use error::ApiError;

use super::app::SharedApp;
use super::{auth, faults, log, pause, rate_limit, stall};

/// Whether a path is a health check: open without a key and never faulted.
pub(crate) fn is_health(path: &str) -> bool {
    path == "/health" || path == "/v1/health"
}

/// Every route, behind (outermost first) the version header, the request log, the pause, the
/// read stall, the rate limit, the key check and fault injection.
pub(crate) fn router(app: SharedApp) -> Router {
    Router::new()
        .route("/health", get(health::root_health))
        .route("/v1/health", get(health::health))
        .route("/v1/version", get(health::version))
        .route("/v1/workflows", get(health::workflows))
        .route("/v1/agents", get(agents::list).post(agents::create))
        .route("/v1/agents/by-name/{name}", get(agents::by_name))
        .route(
            "/v1/agents/{id}",
            get(agents::get)
                .patch(agents::update)
                .delete(agents::delete),
        )
        .route("/v1/agents/{id}/start", post(agents::start))
        .route("/v1/agents/{id}/stop", post(agents::stop))
        .route("/v1/teams", get(teams::list).post(teams::create))
        .route(
            "/v1/teams/{id}",
            get(teams::get).put(teams::update).delete(teams::delete),
        )
        .route(
            "/v1/teams/{team_id}/tasks",
            get(tasks::list).post(tasks::create),
        )
        .route(
            "/v1/teams/{team_id}/tasks/{task_id}",
            get(tasks::get).put(tasks::update).patch(tasks::update),
        )
        .route("/v1/tasks", get(tasks::list_all))
        .route("/v1/tasks/{id}/complete", post(tasks::complete))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), faults::inject))
        .layer(from_fn_with_state(app.clone(), auth::require_key))
        .layer(from_fn_with_state(app.clone(), rate_limit::limit))
        .layer(from_fn_with_state(app.clone(), stall::stall))
        .layer(from_fn_with_state(app.clone(), pause::hold))
        .layer(from_fn_with_state(app.clone(), log::record))
        .layer(from_fn(api_version))
        // Added after the layers, so that none of them applies.
        .route("/_sim/stats", get(stats::stats))
        .with_state(app)
}

/// Middleware: `X-API-Version: 0.1.0` on every answer, as the real server sends it.
async fn api_version(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        "x-api-version",
        HeaderValue::from_static(health::API_VERSION),
    );
    response
}

async fn not_found() -> Response {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "not found").into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed",
    )
    .into_response()
}

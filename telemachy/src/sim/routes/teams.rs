//! `/v1/teams…`: create, list, get, replace, delete.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiError;
use super::extract::{JsonBody, paging};
use crate::sim::app::{SharedApp, lock};
use crate::sim::fields::TeamFields;

type Answer = Result<Json<Value>, ApiError>;

/// `GET /v1/teams`: one page of teams in id order.
pub(crate) async fn list(
    State(app): State<SharedApp>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let paging = paging(query)?;
    let store = lock(&app.store);
    Ok(Json(
        paging.envelope("teams", store.teams.values(), |r| r.to_json()),
    ))
}

/// `POST /v1/teams`: `201 {"team": {...}}`; member ids are not checked.
pub(crate) async fn create(
    State(app): State<SharedApp>,
    JsonBody(fields): JsonBody<TeamFields>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut store = lock(&app.store);
    let record = store.create_team(fields);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "team": record.to_json() })),
    ))
}

/// `GET /v1/teams/{id}`.
pub(crate) async fn get(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    let store = lock(&app.store);
    let record = store.team(&id).ok_or_else(|| ApiError::not_found("team"))?;
    Ok(Json(json!({ "team": record.to_json() })))
}

/// `PUT /v1/teams/{id}`: replaces `name` and/or the members (`agentIds` or `agent_ids`).
pub(crate) async fn update(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    JsonBody(fields): JsonBody<TeamFields>,
) -> Answer {
    let mut store = lock(&app.store);
    let record = store
        .update_team(&id, fields)
        .ok_or_else(|| ApiError::not_found("team"))?;
    Ok(Json(json!({ "team": record.to_json() })))
}

/// `DELETE /v1/teams/{id}`: `{"deleted": id}`, then 404.
pub(crate) async fn delete(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    if lock(&app.store).delete_team(&id) {
        Ok(Json(json!({ "deleted": id })))
    } else {
        Err(ApiError::not_found("team"))
    }
}

//! `/v1/teams/{team_id}/tasks…` and `/v1/tasks…`: create, list, get, update, complete.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiError;
use super::extract::{JsonBody, paging};
use crate::api::TaskStatus;
use crate::sim::app::{SharedApp, lock};
use crate::sim::fields::TaskFields;

type Answer = Result<Json<Value>, ApiError>;

/// `GET /v1/teams/{team_id}/tasks`: one page of the team's tasks; an unknown team has none.
pub(crate) async fn list(
    State(app): State<SharedApp>,
    Path(team_id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let paging = paging(query)?;
    let store = lock(&app.store);
    Ok(Json(paging.envelope(
        "tasks",
        store.team_tasks(&team_id),
        |r| r.to_json(),
    )))
}

/// `GET /v1/tasks`: one page of every team's tasks.
pub(crate) async fn list_all(
    State(app): State<SharedApp>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let paging = paging(query)?;
    let store = lock(&app.store);
    Ok(Json(
        paging.envelope("tasks", store.tasks.values(), |r| r.to_json()),
    ))
}

/// `POST /v1/teams/{team_id}/tasks`: `201 {"task": {...}}`, always `pending`; the team is
/// not checked and `blockedBy` is recorded, never enforced.
pub(crate) async fn create(
    State(app): State<SharedApp>,
    Path(team_id): Path<String>,
    JsonBody(fields): JsonBody<TaskFields>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut store = lock(&app.store);
    let record = store.create_task(&team_id, fields);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "task": record.to_json() })),
    ))
}

/// `GET /v1/teams/{team_id}/tasks/{task_id}`.
pub(crate) async fn get(
    State(app): State<SharedApp>,
    Path((team_id, task_id)): Path<(String, String)>,
) -> Answer {
    let store = lock(&app.store);
    let record = store
        .task(&team_id, &task_id)
        .ok_or_else(|| ApiError::not_found("task"))?;
    Ok(Json(json!({ "task": record.to_json() })))
}

/// `PUT`/`PATCH /v1/teams/{team_id}/tasks/{task_id}`: merges fields; the status must be one
/// of the contract's; completing stamps `completedAt`.
pub(crate) async fn update(
    State(app): State<SharedApp>,
    Path((team_id, task_id)): Path<(String, String)>,
    JsonBody(mut fields): JsonBody<TaskFields>,
) -> Answer {
    let status = fields.status.take().map(task_status).transpose()?;
    let mut store = lock(&app.store);
    let record = store
        .update_task(&team_id, &task_id, fields, status)
        .ok_or_else(|| ApiError::not_found("task"))?;
    Ok(Json(json!({ "task": record.to_json() })))
}

/// `POST /v1/tasks/{id}/complete`: `{"task_id": id, "completed": true}`.
pub(crate) async fn complete(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    let mut store = lock(&app.store);
    store
        .complete_task(&id)
        .ok_or_else(|| ApiError::not_found("task"))?;
    Ok(Json(json!({ "task_id": id, "completed": true })))
}

/// A task status from a body: only the contract's values.
fn task_status(text: String) -> Result<TaskStatus, ApiError> {
    match TaskStatus::from(text) {
        TaskStatus::Other(other) => Err(ApiError::bad_request(format!(
            "invalid status `{other}`: expected one of pending, running, completed, failed, blocked"
        ))),
        known => Ok(known),
    }
}

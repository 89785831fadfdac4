//! `/v1/agents…`: create, list, look up, update, start, stop, delete.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ApiError;
use super::extract::{JsonBody, paging};
use crate::api::AgentStatus;
use crate::sim::app::{SharedApp, lock};
use crate::sim::fields::AgentFields;

type Answer = Result<Json<Value>, ApiError>;

/// `GET /v1/agents`: one page of agents in id order.
pub(crate) async fn list(
    State(app): State<SharedApp>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let paging = paging(query)?;
    let store = lock(&app.store);
    Ok(Json(paging.envelope(
        "agents",
        store.agents.values(),
        |r| r.to_json(),
    )))
}

/// `POST /v1/agents`: `201 {"id": ..., "agent": {...}}`; duplicate names are accepted.
pub(crate) async fn create(
    State(app): State<SharedApp>,
    JsonBody(fields): JsonBody<AgentFields>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut store = lock(&app.store);
    let record = store.create_agent(fields);
    let body = json!({ "id": record.agent.id, "agent": record.to_json() });
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /v1/agents/{id}`.
pub(crate) async fn get(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    let store = lock(&app.store);
    let record = store
        .agent(&id)
        .ok_or_else(|| ApiError::not_found("agent"))?;
    Ok(Json(json!({ "agent": record.to_json() })))
}

/// `GET /v1/agents/by-name/{name}`: one agent of that name (which one, with duplicates, is
/// not predictable).
pub(crate) async fn by_name(State(app): State<SharedApp>, Path(name): Path<String>) -> Answer {
    let store = lock(&app.store);
    let record = store
        .agent_by_name(&name)
        .ok_or_else(|| ApiError::not_found("agent"))?;
    Ok(Json(json!({ "agent": record.to_json() })))
}

/// `PATCH /v1/agents/{id}`: merges fields; `id` and `createdAt` are ignored.
pub(crate) async fn update(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    JsonBody(mut fields): JsonBody<AgentFields>,
) -> Answer {
    let status = fields.status.take().map(agent_status).transpose()?;
    let mut store = lock(&app.store);
    let record = store
        .update_agent(&id, fields, status)
        .ok_or_else(|| ApiError::not_found("agent"))?;
    Ok(Json(json!({ "agent": record.to_json() })))
}

/// `POST /v1/agents/{id}/start`: `{"id": ..., "status": "online"}`, also when already online.
pub(crate) async fn start(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    set_status(&app, &id, AgentStatus::Online)
}

/// `POST /v1/agents/{id}/stop`: `{"id": ..., "status": "offline"}`.
pub(crate) async fn stop(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    set_status(&app, &id, AgentStatus::Offline)
}

/// `DELETE /v1/agents/{id}`: `{"deleted": id}`, then 404.
pub(crate) async fn delete(State(app): State<SharedApp>, Path(id): Path<String>) -> Answer {
    if lock(&app.store).delete_agent(&id) {
        Ok(Json(json!({ "deleted": id })))
    } else {
        Err(ApiError::not_found("agent"))
    }
}

fn set_status(app: &SharedApp, id: &str, status: AgentStatus) -> Answer {
    let mut store = lock(&app.store);
    let agent = store
        .set_agent_status(id, status)
        .ok_or_else(|| ApiError::not_found("agent"))?;
    Ok(Json(
        json!({ "id": agent.id, "status": agent.status.as_str() }),
    ))
}

/// An agent status from a body: only the contract's values.
fn agent_status(text: String) -> Result<AgentStatus, ApiError> {
    match AgentStatus::from(text) {
        AgentStatus::Other(other) => Err(ApiError::bad_request(format!(
            "invalid status `{other}`: expected one of online, offline, error"
        ))),
        known => Ok(known),
    }
}

//! Tasks: list a team's, create (duplicate-safe), get, update status.

use reqwest::Method;

use super::Client;
use super::adopt::newest_made;
use super::error::Error;
use super::http::Call;
use crate::api;

const TASK: &str = "a task `{\"task\": {\"id\": ..., \"status\": ...}}`";
const TASKS: &str = "a list of tasks `{\"tasks\": [...]}`";

impl Client {
    /// `GET /v1/teams/{team_id}/tasks`, every page. An unknown team has no tasks (the real
    /// server answers an empty list, not 404).
    pub async fn list_tasks(&self, team_id: &str) -> Result<Vec<api::Task>, Error> {
        self.transport
            .list_all(&["v1", "teams", team_id, "tasks"], TASKS)
            .await
    }

    /// `POST /v1/teams/{team_id}/tasks`: creates a task.
    ///
    /// Duplicate-safe: when the outcome of the POST is unknown (timeout, dropped connection,
    /// 5xx after sending) it lists the team's tasks and adopts the newest task with the same
    /// subject whose id is not in `earlier_attempts` (ids of attempts that existed before this
    /// call — a failed earlier attempt of the same subject must not be adopted).
    pub async fn create_task(
        &self,
        team_id: &str,
        task: &api::NewTask,
        earlier_attempts: &[String],
    ) -> Result<api::Task, Error> {
        let call = Call::with_json(Method::POST, &["v1", "teams", team_id, "tasks"], task)?;
        self.transport
            .create(
                &call,
                |body| {
                    let created: api::TaskEnvelope = self.transport.decode(&call, body, TASK)?;
                    Ok(created.task)
                },
                || self.newest_task_attempt(team_id, &task.subject, earlier_attempts),
            )
            .await
    }

    /// The newest task of the team with `subject` that is not one of `earlier_attempts`.
    async fn newest_task_attempt(
        &self,
        team_id: &str,
        subject: &str,
        earlier_attempts: &[String],
    ) -> Result<Option<api::Task>, Error> {
        let tasks = self.list_tasks(team_id).await?;
        Ok(newest_made(
            tasks,
            earlier_attempts,
            |task| task.subject == subject,
            |task| (&task.created_at, &task.id),
        ))
    }

    /// `GET /v1/teams/{team_id}/tasks/{task_id}`.
    pub async fn get_task(&self, team_id: &str, task_id: &str) -> Result<api::Task, Error> {
        let task: api::TaskEnvelope = self
            .get(&["v1", "teams", team_id, "tasks", task_id], TASK)
            .await?;
        Ok(task.task)
    }

    /// `PUT /v1/teams/{team_id}/tasks/{task_id}` with `{"status": ...}`: what a worker does
    /// to report progress. The real server accepts pending, running, completed, failed and
    /// blocked, and answers 400 to anything else.
    pub async fn set_task_status(
        &self,
        team_id: &str,
        task_id: &str,
        status: api::TaskStatus,
    ) -> Result<api::Task, Error> {
        let update = api::TaskStatusUpdate { status };
        let call = Call::with_json(
            Method::PUT,
            &["v1", "teams", team_id, "tasks", task_id],
            &update,
        )?;
        let task: api::TaskEnvelope = self.send(&call, TASK).await?;
        Ok(task.task)
    }
}

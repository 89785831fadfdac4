//! Agents: list, look up, create (duplicate-safe), update, start, stop, delete.

use reqwest::Method;

use super::Client;
use super::adopt::newest_made;
use super::error::Error;
use super::http::Call;
use crate::api;

const AGENT: &str = "an agent `{\"agent\": {\"id\": ..., \"status\": ...}}`";
const CREATED: &str = "a created agent `{\"id\": ..., \"agent\": {...}}`";
const STATUS_CHANGE: &str = "a status change `{\"id\": ..., \"status\": ...}`";
const AGENTS: &str = "a list of agents `{\"agents\": [...]}`";

impl Client {
    /// `GET /v1/agents`, every page.
    pub async fn list_agents(&self) -> Result<Vec<api::Agent>, Error> {
        self.transport.list_all(&["v1", "agents"], AGENTS).await
    }

    /// `GET /v1/agents/{id}`; `None` when the server has no agent with that id.
    pub async fn get_agent(&self, id: &str) -> Result<Option<api::Agent>, Error> {
        match self
            .get::<api::AgentEnvelope>(&["v1", "agents", id], AGENT)
            .await
        {
            Ok(envelope) => Ok(Some(envelope.agent)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `GET /v1/agents/by-name/{name}`; `None` when no agent has that name.
    ///
    /// When several agents share the name, the real server answers one of them, not a
    /// predictable one; [`Client::list_agents`] shows them all.
    pub async fn agent_by_name(&self, name: &str) -> Result<Option<api::Agent>, Error> {
        match self
            .get::<api::AgentEnvelope>(&["v1", "agents", "by-name", name], AGENT)
            .await
        {
            Ok(envelope) => Ok(Some(envelope.agent)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `POST /v1/agents`: creates an agent (a docker one with `host: "docker"` and its image).
    ///
    /// Duplicate-safe: when the outcome of an attempt is unknown, the newest agent with
    /// exactly this name (from the full list, not the unpredictable by-name lookup) is
    /// adopted if there is one, instead of creating another. When agents of this name may
    /// exist already, use [`Client::create_agent_excluding`] with their ids, or one of them
    /// could be adopted.
    pub async fn create_agent(&self, agent: &api::NewAgent) -> Result<api::Agent, Error> {
        self.create_agent_excluding(agent, &[]).await
    }

    /// [`Client::create_agent`] for a name that agents may hold already: `preexisting`
    /// holds their ids (from a list read before, such as the executor's snapshot), and a
    /// lookup after an attempt with a lost answer adopts only the newest agent of the name
    /// that is not one of them: only what this create could have made.
    pub async fn create_agent_excluding(
        &self,
        agent: &api::NewAgent,
        preexisting: &[String],
    ) -> Result<api::Agent, Error> {
        let call = Call::with_json(Method::POST, &["v1", "agents"], agent)?;
        self.transport
            .create(
                &call,
                |body| {
                    let created: api::AgentCreated = self.transport.decode(&call, body, CREATED)?;
                    Ok(created.agent)
                },
                || self.newest_agent_named(&agent.name, preexisting),
            )
            .await
    }

    /// The newest agent named exactly `name` that is not in `preexisting`, from the full list.
    async fn newest_agent_named(
        &self,
        name: &str,
        preexisting: &[String],
    ) -> Result<Option<api::Agent>, Error> {
        let agents = self.list_agents().await?;
        Ok(newest_made(
            agents,
            preexisting,
            |agent| agent.name == name,
            |agent| (&agent.created_at, &agent.id),
        ))
    }

    /// `PATCH /v1/agents/{id}`: merges the fields `patch` names into the stored agent and
    /// answers the agent as it is now.
    ///
    /// A merge of the same fields is the same whether it lands once or twice, so it is
    /// retried like a read (after a timeout, a dropped connection, a 5xx or a 429). An
    /// unknown id is [`Error::NotFound`].
    pub async fn update_agent(
        &self,
        id: &str,
        patch: &api::AgentPatch,
    ) -> Result<api::Agent, Error> {
        let call = Call::with_json(Method::PATCH, &["v1", "agents", id], patch)?;
        let updated: api::AgentEnvelope = self.send(&call, AGENT).await?;
        Ok(updated.agent)
    }

    /// `POST /v1/agents/{id}/start`. The real server answers `online` also for an agent
    /// that already runs; other servers may answer 409 (see [`Error::status`]).
    pub async fn start_agent(&self, id: &str) -> Result<api::AgentStatusChange, Error> {
        let call = Call::post_empty(&["v1", "agents", id, "start"]);
        self.send(&call, STATUS_CHANGE).await
    }

    /// `POST /v1/agents/{id}/stop`.
    pub async fn stop_agent(&self, id: &str) -> Result<api::AgentStatusChange, Error> {
        let call = Call::post_empty(&["v1", "agents", id, "stop"]);
        self.send(&call, STATUS_CHANGE).await
    }

    /// `DELETE /v1/agents/{id}`.
    pub async fn delete_agent(&self, id: &str) -> Result<(), Error> {
        self.delete(&["v1", "agents", id]).await
    }
}

//! Teams: list, create (duplicate-safe), replace members, delete.

use reqwest::Method;

use super::Client;
use super::error::Error;
use super::http::Call;
use crate::api;

const TEAM: &str = "a team `{\"team\": {\"id\": ..., \"agentIds\": [...]}}`";
const TEAMS: &str = "a list of teams `{\"teams\": [...]}`";

impl Client {
    /// `GET /v1/teams`, every page.
    pub async fn list_teams(&self) -> Result<Vec<api::Team>, Error> {
        self.transport.list_all(&["v1", "teams"], TEAMS).await
    }

    /// `POST /v1/teams`: creates a team with its members.
    ///
    /// Duplicate-safe: when the outcome of an attempt is unknown, the oldest team with
    /// exactly this name in the team list is adopted if there is one.
    pub async fn create_team(&self, team: &api::NewTeam) -> Result<api::Team, Error> {
        let call = Call::with_json(Method::POST, &["v1", "teams"], team)?;
        self.transport
            .create(
                &call,
                |body| {
                    let created: api::TeamEnvelope = self.transport.decode(&call, body, TEAM)?;
                    Ok(created.team)
                },
                || self.oldest_team_named(&team.name),
            )
            .await
    }

    async fn oldest_team_named(&self, name: &str) -> Result<Option<api::Team>, Error> {
        let teams = self.list_teams().await?;
        Ok(teams
            .into_iter()
            .filter(|team| team.name == name)
            .min_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id))))
    }

    /// `PUT /v1/teams/{id}` with `{"agentIds": [...]}`: replaces the team's members.
    pub async fn set_team_members(
        &self,
        id: &str,
        agent_ids: &[String],
    ) -> Result<api::Team, Error> {
        let members = api::TeamMembers {
            agent_ids: agent_ids.to_vec(),
        };
        let call = Call::with_json(Method::PUT, &["v1", "teams", id], &members)?;
        let updated: api::TeamEnvelope = self.send(&call, TEAM).await?;
        Ok(updated.team)
    }

    /// `DELETE /v1/teams/{id}`.
    pub async fn delete_team(&self, id: &str) -> Result<(), Error> {
        self.delete(&["v1", "teams", id]).await
    }
}

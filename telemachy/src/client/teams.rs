//! Teams: list, create (duplicate-safe), replace members, delete.

use reqwest::Method;

use super::Client;
use super::adopt::newest_made;
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

    /// `GET /v1/teams/{id}`; `None` when the server has no team with that id.
    pub async fn get_team(&self, id: &str) -> Result<Option<api::Team>, Error> {
        match self
            .get::<api::TeamEnvelope>(&["v1", "teams", id], TEAM)
            .await
        {
            Ok(envelope) => Ok(Some(envelope.team)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `POST /v1/teams`: creates a team with its members.
    ///
    /// Duplicate-safe: when the outcome of an attempt is unknown, the newest team with
    /// exactly this name in the team list is adopted if there is one. When teams of this
    /// name may exist already, use [`Client::create_team_excluding`] with their ids.
    pub async fn create_team(&self, team: &api::NewTeam) -> Result<api::Team, Error> {
        self.create_team_excluding(team, &[]).await
    }

    /// [`Client::create_team`] for a name that teams may hold already: a lookup after an
    /// attempt with a lost answer never adopts one of the `preexisting` ids.
    pub async fn create_team_excluding(
        &self,
        team: &api::NewTeam,
        preexisting: &[String],
    ) -> Result<api::Team, Error> {
        self.create_team_adopting(team, |candidate| {
            candidate.name == team.name && !preexisting.contains(&candidate.id)
        })
        .await
    }

    /// [`Client::create_team`] whose lookup adopts only the newest team that `made_by_it`
    /// accepts (a lease record, say, that carries the caller's own nonce).
    pub(crate) async fn create_team_adopting(
        &self,
        team: &api::NewTeam,
        made_by_it: impl Fn(&api::Team) -> bool,
    ) -> Result<api::Team, Error> {
        let call = Call::with_json(Method::POST, &["v1", "teams"], team)?;
        let made_by_it = &made_by_it;
        self.transport
            .create(
                &call,
                |body| {
                    let created: api::TeamEnvelope = self.transport.decode(&call, body, TEAM)?;
                    Ok(created.team)
                },
                || async move {
                    let teams = self.list_teams().await?;
                    Ok(newest_made(teams, &[], made_by_it, |team| {
                        (&team.created_at, &team.id)
                    }))
                },
            )
            .await
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

//! One snapshot of the server's agents and teams, indexed by name (by key, for Telemachy's
//! resources).

use std::collections::HashMap;

use crate::api;
use crate::client::{self, Client};
use crate::executor::settings::is_superseded;
use crate::timestamp::by_age;

/// Every agent and team on the server at one moment (every page), indexed by name.
///
/// The server accepts duplicate names. With duplicates of a key, the newest (by
/// `createdAt`) is the canonical resource that a run reuses, except that an agent marked as
/// being replaced ([`SUPERSEDED_TAG`](crate::executor::SUPERSEDED_TAG)) comes after every
/// unmarked one; the others are orphans that `check` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    agents: Vec<api::Agent>,
    teams: Vec<api::Team>,
    agents_by_name: HashMap<String, Vec<usize>>,
    teams_by_name: HashMap<String, Vec<usize>>,
}

impl Snapshot {
    /// Reads every agent and every team from the server, both lists at once.
    pub async fn take(client: &Client) -> Result<Snapshot, client::Error> {
        let (agents, teams) = tokio::try_join!(client.list_agents(), client.list_teams())?;
        Ok(Snapshot::new(agents, teams))
    }

    /// A snapshot of these agents and teams.
    pub fn new(agents: Vec<api::Agent>, teams: Vec<api::Team>) -> Snapshot {
        let mut agents_by_name =
            index_newest_first(&agents, |agent| (&agent.name, &agent.created_at, &agent.id));
        // An agent marked as being replaced is never canonical while its replacement is
        // there, however their timestamps (whole seconds) compare.
        for positions in agents_by_name.values_mut() {
            positions.sort_by_key(|&index| is_superseded(&agents[index]));
        }
        let teams_by_name =
            index_newest_first(&teams, |team| (&team.name, &team.created_at, &team.id));
        Snapshot {
            agents,
            teams,
            agents_by_name,
            teams_by_name,
        }
    }

    /// Every agent, in the server's order.
    pub fn agents(&self) -> &[api::Agent] {
        &self.agents
    }

    /// Every team, in the server's order.
    pub fn teams(&self) -> &[api::Team] {
        &self.teams
    }

    /// The canonical (newest) agent named `name`.
    pub fn agent(&self, name: &str) -> Option<&api::Agent> {
        self.agents_named(name).next()
    }

    /// The canonical (newest) team named `name`.
    pub fn team(&self, name: &str) -> Option<&api::Team> {
        self.teams_named(name).next()
    }

    /// Every agent named `name`, newest first.
    pub fn agents_named(&self, name: &str) -> impl Iterator<Item = &api::Agent> {
        self.agents_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&index| &self.agents[index])
    }

    /// Every team named `name`, newest first.
    pub fn teams_named(&self, name: &str) -> impl Iterator<Item = &api::Team> {
        self.teams_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&index| &self.teams[index])
    }

    /// The agent with server id `id`.
    pub fn agent_by_id(&self, id: &str) -> Option<&api::Agent> {
        self.agents.iter().find(|agent| agent.id == id)
    }
}

/// Positions of `items` by name, newest first. Timestamps that do not parse count as
/// oldest; equal timestamps fall back to the id, so the order is the same on every call.
fn index_newest_first<T>(
    items: &[T],
    fields: impl Fn(&T) -> (&String, &String, &String),
) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (position, item) in items.iter().enumerate() {
        let (name, _, _) = fields(item);
        index.entry(name.clone()).or_default().push(position);
    }
    for positions in index.values_mut() {
        positions.sort_by(|&a, &b| {
            let (_, created_a, id_a) = fields(&items[a]);
            let (_, created_b, id_b) = fields(&items[b]);
            by_age((created_b, id_b), (created_a, id_a))
        });
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::fixtures;

    fn agent(id: &str, name: &str, created_at: &str) -> api::Agent {
        fixtures::agent(id, name, &[], created_at)
    }

    fn team(id: &str, name: &str, created_at: &str) -> api::Team {
        fixtures::team(id, name, &[], created_at)
    }

    #[test]
    fn the_newest_duplicate_is_canonical() {
        let snapshot = Snapshot::new(
            vec![
                agent("a", "tlm-x", "2025-01-01T00:00:05Z"),
                agent("b", "tlm-x", "2025-01-01T00:00:05.250Z"),
                agent("c", "tlm-x", "garbage"),
                agent("d", "tlm-y", "2025-01-01T00:00:00Z"),
            ],
            vec![
                team("t1", "tlm-team", "2025-01-02T00:00:00Z"),
                team("t2", "tlm-team", "2025-01-01T23:00:00-02:00"),
            ],
        );
        let ids: Vec<&str> = snapshot
            .agents_named("tlm-x")
            .map(|agent| agent.id.as_str())
            .collect();
        assert_eq!(ids, ["b", "a", "c"]);
        assert_eq!(snapshot.agent("tlm-y").map(|a| a.id.as_str()), Some("d"));
        assert_eq!(snapshot.agent("tlm-z"), None);
        // 23:00 at -02:00 is 01:00 UTC the next day: newer than midnight UTC.
        assert_eq!(snapshot.team("tlm-team").map(|t| t.id.as_str()), Some("t2"));
        assert_eq!(
            snapshot.agent_by_id("c").map(|a| a.name.as_str()),
            Some("tlm-x")
        );
    }

    #[test]
    fn an_agent_being_replaced_is_never_canonical_beside_its_replacement() {
        let mut old = agent("z-old", "tlm-x", "2025-01-01T00:00:09Z");
        old.tags.push(crate::executor::SUPERSEDED_TAG.to_owned());
        let snapshot = Snapshot::new(
            vec![old, agent("a-new", "tlm-x", "2025-01-01T00:00:09Z")],
            Vec::new(),
        );
        let ids: Vec<&str> = snapshot
            .agents_named("tlm-x")
            .map(|agent| agent.id.as_str())
            .collect();
        assert_eq!(ids, ["a-new", "z-old"]);
    }

    #[test]
    fn equal_timestamps_order_by_id() {
        let snapshot = Snapshot::new(
            vec![
                agent("1", "tlm-x", "2025-01-01T00:00:00Z"),
                agent("2", "tlm-x", "2025-01-01T00:00:00Z"),
            ],
            Vec::new(),
        );
        assert_eq!(snapshot.agent("tlm-x").map(|a| a.id.as_str()), Some("2"));
    }
}

//! Which of the server's `tlm-*` resources belong to a workflow, and which of those no
//! declared resource accounts for (orphans).
//!
//! A resource belongs to the workflow when
//! - its name is one of the workflow's keys (the newest such resource is the declared one;
//!   older duplicates, as a `--force` run leaves them, are orphans);
//! - or, for an agent, it carries the tag `telemachy-workflow=<name>`;
//! - or its name is a key that derives from this workflow's name and the readable name the
//!   key ends with (an agent or team that was renamed or removed, including those the
//!   Python tool created, which carry no tag);
//! - or, for a team, one of its members is an agent of the workflow.
//!
//! Other `tlm-*` resources belong to other workflows as far as anyone can tell; they are
//! listed as foreign and never touched.

use std::collections::HashSet;

use serde::Serialize;

use crate::executor::plan::Plan;
use crate::executor::report::ResourceKind;
use crate::executor::snapshot::Snapshot;
use crate::key::{KEY_PREFIX, is_key, make_key};

/// The `tlm-*` resources on the server, sorted by their relation to one workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct Inventory {
    /// Every `tlm-*` agent and team, agents first, each kind in the server's order.
    pub entries: Vec<InventoryEntry>,
}

/// One `tlm-*` resource on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
pub struct InventoryEntry {
    /// An agent or a team.
    pub kind: ResourceKind,
    /// Its name on the server.
    pub name: String,
    /// Its server id.
    pub server_id: String,
    /// How it relates to the workflow.
    pub relation: Relation,
    /// The identifier in the workflow of the declared resource with this name, if any.
    pub declared_as: Option<String>,
}

/// How a `tlm-*` resource relates to a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The canonical resource of a declared agent or team.
    Declared,
    /// An older resource with a declared key (for example left by `--force`).
    Duplicate,
    /// An agent tagged as this workflow's that no declared agent accounts for.
    TaggedOrphan,
    /// A resource whose key derives from this workflow but no declared resource has.
    KeyOrphan,
    /// A team that no declared team accounts for whose members include this workflow's agents.
    MemberOrphan,
    /// A resource of some other workflow.
    Foreign,
}

impl Relation {
    /// Whether the resource belongs to the workflow but no declared resource accounts for it.
    pub const fn is_orphan(self) -> bool {
        matches!(
            self,
            Relation::Duplicate
                | Relation::TaggedOrphan
                | Relation::KeyOrphan
                | Relation::MemberOrphan
        )
    }

    /// Whether the resource belongs to the workflow.
    pub const fn is_owned(self) -> bool {
        !matches!(self, Relation::Foreign)
    }

    /// Why the resource is an orphan, or what it is otherwise, in a few words.
    pub const fn describe(self) -> &'static str {
        match self {
            Relation::Declared => "declared",
            Relation::Duplicate => "older duplicate of a declared key",
            Relation::TaggedOrphan => "tagged with this workflow, no longer declared",
            Relation::KeyOrphan => "key of this workflow, no longer declared",
            Relation::MemberOrphan => "team of this workflow's agents, no longer declared",
            Relation::Foreign => "belongs to another workflow",
        }
    }
}

impl Inventory {
    /// Sorts the `tlm-*` resources of `snapshot` by their relation to `plan`.
    pub fn new(plan: &Plan, snapshot: &Snapshot) -> Inventory {
        let tag = plan.workflow_tag();
        let mut entries = Vec::new();
        let mut owned_agent_ids = HashSet::new();

        for agent in snapshot.agents().iter().filter(|agent| is_key(&agent.name)) {
            let declared = plan.agent_by_key(&agent.name);
            let relation = match declared {
                Some(_)
                    if snapshot
                        .agent(&agent.name)
                        .is_some_and(|c| c.id == agent.id) =>
                {
                    Relation::Declared
                }
                Some(_) => Relation::Duplicate,
                None if agent.tags.contains(&tag) => Relation::TaggedOrphan,
                None if derives_from(&plan.workflow, &agent.name) => Relation::KeyOrphan,
                None => Relation::Foreign,
            };
            if relation.is_owned() {
                owned_agent_ids.insert(agent.id.as_str());
            }
            entries.push(InventoryEntry {
                kind: ResourceKind::Agent,
                name: agent.name.clone(),
                server_id: agent.id.clone(),
                relation,
                declared_as: declared.map(|index| plan.agents[index].id.clone()),
            });
        }

        for team in snapshot.teams().iter().filter(|team| is_key(&team.name)) {
            let declared = plan.team_by_key(&team.name);
            let relation = match declared {
                Some(_) if snapshot.team(&team.name).is_some_and(|c| c.id == team.id) => {
                    Relation::Declared
                }
                Some(_) => Relation::Duplicate,
                None if derives_from(&plan.workflow, &team.name) => Relation::KeyOrphan,
                None if team
                    .agent_ids
                    .iter()
                    .any(|id| owned_agent_ids.contains(id.as_str())) =>
                {
                    Relation::MemberOrphan
                }
                None => Relation::Foreign,
            };
            entries.push(InventoryEntry {
                kind: ResourceKind::Team,
                name: team.name.clone(),
                server_id: team.id.clone(),
                relation,
                declared_as: declared.map(|index| plan.teams[index].id.clone()),
            });
        }
        Inventory { entries }
    }

    /// The resources of the workflow that no declared resource accounts for.
    pub fn orphans(&self) -> impl Iterator<Item = &InventoryEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.relation.is_orphan())
    }

    /// Every resource of the workflow: declared ones and orphans.
    pub fn owned(&self) -> impl Iterator<Item = &InventoryEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.relation.is_owned())
    }

    /// The `tlm-*` resources of other workflows.
    pub fn foreign(&self) -> impl Iterator<Item = &InventoryEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.relation == Relation::Foreign)
    }
}

/// Whether `name` is the key of the readable name it ends with in `workflow`. Only keys of
/// names that need no sanitising and fit the key can be recognised this way.
fn derives_from(workflow: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(KEY_PREFIX) else {
        return false;
    };
    let Some((_, resource)) = rest.split_once('-') else {
        return false;
    };
    make_key(workflow, resource) == name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api;
    use crate::executor::fixtures;
    use crate::spec::{Agent, Team, Workflow};

    fn agent(id: &str, name: &str, tags: &[&str], created_at: &str) -> api::Agent {
        fixtures::agent(id, name, tags, created_at)
    }

    fn team(id: &str, name: &str, members: &[&str]) -> api::Team {
        fixtures::team(id, name, members, "2025-01-01T00:00:00Z")
    }

    #[test]
    fn sorts_resources_by_relation() {
        let mut workflow = Workflow::new("inventory-test");
        workflow.agents = vec![Agent::new("writer")];
        workflow.teams = vec![Team::new("crew", ["writer"])];
        let plan = Plan::new(&workflow).expect("valid");
        let writer = make_key("inventory-test", "writer");
        let crew = make_key("inventory-test", "crew");
        let tag = "telemachy-workflow=inventory-test";

        let snapshot = Snapshot::new(
            vec![
                agent("new", &writer, &[tag], "2025-01-02T00:00:00Z"),
                agent("old", &writer, &[tag], "2025-01-01T00:00:00Z"),
                // Renamed in the workflow, created by this tool: tagged.
                agent(
                    "renamed",
                    &make_key("inventory-test", "scribe"),
                    &[tag],
                    "2025-01-01T00:00:00Z",
                ),
                // Renamed, created by the Python tool: no tag, but the key derives.
                agent(
                    "python",
                    &make_key("inventory-test", "editor"),
                    &[],
                    "2025-01-01T00:00:00Z",
                ),
                // Name with a space: sanitised, so the key cannot be recognised.
                agent(
                    "other",
                    &make_key("other-workflow", "writer"),
                    &[],
                    "2025-01-01T00:00:00Z",
                ),
                agent("plain", "not-a-key", &[tag], "2025-01-01T00:00:00Z"),
            ],
            vec![
                team("t-crew", &crew, &["new"]),
                team("t-old", &make_key("somewhere", "old crew"), &["renamed"]),
                team("t-foreign", &make_key("somewhere", "crew"), &["other"]),
            ],
        );
        let inventory = Inventory::new(&plan, &snapshot);
        let relation = |id: &str| {
            inventory
                .entries
                .iter()
                .find(|entry| entry.server_id == id)
                .map(|entry| entry.relation)
        };
        assert_eq!(relation("new"), Some(Relation::Declared));
        assert_eq!(relation("old"), Some(Relation::Duplicate));
        assert_eq!(relation("renamed"), Some(Relation::TaggedOrphan));
        assert_eq!(relation("python"), Some(Relation::KeyOrphan));
        assert_eq!(relation("other"), Some(Relation::Foreign));
        assert_eq!(relation("plain"), None, "only tlm-* resources are listed");
        assert_eq!(relation("t-crew"), Some(Relation::Declared));
        assert_eq!(relation("t-old"), Some(Relation::MemberOrphan));
        assert_eq!(relation("t-foreign"), Some(Relation::Foreign));

        let orphans: Vec<&str> = inventory
            .orphans()
            .map(|entry| entry.server_id.as_str())
            .collect();
        assert_eq!(orphans, ["old", "renamed", "python", "t-old"]);
        assert_eq!(inventory.owned().count(), 6);
        assert_eq!(inventory.foreign().count(), 2);
        assert_eq!(inventory.entries[0].declared_as.as_deref(), Some("writer"));
    }
}

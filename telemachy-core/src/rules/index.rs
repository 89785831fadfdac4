//! Lookups by identifier, built once per check: agents, teams and each team's tasks.

use std::collections::HashMap;

use crate::spec::Workflow;

/// The first agent, team and task of each identifier (later duplicates are reported, and
/// references resolve to the first).
pub(super) struct Index<'a> {
    pub(super) agents: HashMap<&'a str, usize>,
    pub(super) teams: HashMap<&'a str, usize>,
    /// For each team, its tasks by identifier.
    pub(super) tasks: Vec<HashMap<&'a str, usize>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(workflow: &'a Workflow) -> Self {
        let first = |ids: &mut dyn Iterator<Item = &'a str>| {
            let mut map = HashMap::new();
            for (position, id) in ids.enumerate() {
                map.entry(id).or_insert(position);
            }
            map
        };
        Index {
            agents: first(&mut workflow.agents.iter().map(|agent| agent.id.as_ref())),
            teams: first(&mut workflow.teams.iter().map(|team| team.id.as_ref())),
            tasks: workflow
                .teams
                .iter()
                .map(|team| first(&mut team.tasks.iter().map(|task| task.id.as_ref())))
                .collect(),
        }
    }
}

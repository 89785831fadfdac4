//! Names and keys: a name is any non-empty text without control characters, and no two
//! resources (agents and teams alike) may have the same name, since their keys would be the
//! same.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::{Owner, Path, Report, Rule, Segment, field};
use crate::spec::Workflow;

/// The workflow's own name.
pub(super) fn check_workflow(report: &mut Report, workflow: &Workflow) {
    check_name(
        report,
        &workflow.name,
        Path::root().field(field::NAME),
        Owner::WORKFLOW,
    );
}

/// A name of `owner` ("agent `scout`"): not empty, no control characters.
pub(super) fn check_name(report: &mut Report, name: &str, path: Path, owner: Owner) {
    if name.is_empty() {
        let hint = if owner.is_workflow() {
            "give it one, from which every key is derived"
        } else {
            "give it one, or leave `name` out to use the identifier"
        };
        report.push(
            Rule::EmptyName,
            path,
            format!("the name of {owner} is empty"),
            hint,
        );
        return;
    }
    if let Some(bad) = name.chars().find(|c| c.is_control()) {
        report.push(
            Rule::ControlCharacterInName,
            path,
            format!(
                "the name of {owner}, \"{}\", holds the control character `{}`",
                name.escape_debug(),
                bad.escape_debug()
            ),
            "a name may hold any character except control characters; change it",
        );
    }
}

/// Keys are made from the workflow's name and the resource's name alone, so two resources
/// with one name would share a key.
pub(super) fn check_keys(report: &mut Report, workflow: &Workflow) {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut declared: HashSet<(&str, &str)> = HashSet::new();
    let agents = workflow.agents.iter().enumerate().map(|(index, agent)| {
        let path = Path::agent(index).field(field::NAME);
        ("agent", agent.id.as_ref(), agent.name.as_ref(), path)
    });
    let teams = workflow.teams.iter().enumerate().map(|(index, team)| {
        let path = Path::team(index).field(field::NAME);
        ("team", team.id.as_ref(), team.name.as_ref(), path)
    });
    for (kind, id, name, path) in agents.chain(teams) {
        if !declared.insert((kind, id)) {
            continue; // a duplicate identifier, reported already
        }
        match seen.entry(name) {
            Entry::Occupied(first) => report.push(
                Rule::SharedKey,
                path,
                format!(
                    "{kind} `{id}` has the server-side name `{name}`, as {} has",
                    first.get()
                ),
                "their keys would be the same; give one a different `name`",
            ),
            Entry::Vacant(slot) => {
                slot.insert(format!("{kind} `{id}`"));
            }
        }
    }
}

/// An identifier of a `what` ("agent", "team", "task"): not empty, not seen before (`ids`;
/// `within` says where, e.g. " in team `t`"). Whether the element should be checked further.
pub(super) fn check_id<'a>(
    report: &mut Report,
    id: &'a str,
    ids: &mut HashSet<&'a str>,
    path: &Path,
    what: &str,
    within: &str,
) -> bool {
    let id_path = path.clone().field(field::ID);
    if id.is_empty() {
        report.push(
            Rule::EmptyId,
            id_path,
            format!(
                "{what} number {} has an empty identifier",
                index_of(path) + 1
            ),
            "give it one: references name it by identifier",
        );
        return false;
    }
    if !ids.insert(id) {
        report.push(
            Rule::DuplicateId,
            id_path,
            format!("{what} `{id}` is declared twice{within}"),
            format!("give each {what}{within} its own identifier"),
        );
        return false;
    }
    true
}

fn index_of(path: &Path) -> usize {
    match path.segments().last() {
        Some(Segment::Index(index)) => *index,
        _ => 0,
    }
}

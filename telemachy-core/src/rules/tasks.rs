//! Each team's tasks: identifiers, text fields, and subjects unique within the team.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::{Owner, Path, Report, Rule, field, names, non_empty};
use crate::spec::Team;

pub(super) fn check(report: &mut Report, teams: &[Team]) {
    for (team_index, team) in teams.iter().enumerate() {
        let within = format!(" in team `{}`", team.id);
        let mut ids: HashSet<&str> = HashSet::with_capacity(team.tasks.len());
        let mut subjects: HashMap<&str, &str> = HashMap::with_capacity(team.tasks.len());
        for (task_index, task) in team.tasks.iter().enumerate() {
            let path = Path::task(team_index, task_index);
            if !names::check_id(report, &task.id, &mut ids, &path, "task", &within) {
                continue;
            }
            let owner = Owner::new("task", &task.id);
            let subject = path.clone().field(field::SUBJECT);
            non_empty(report, &task.subject, subject.clone(), "subject", owner);
            non_empty(report, &task.kind, path.field(field::TYPE), "type", owner);
            if task.subject.is_empty() {
                continue;
            }
            match subjects.entry(&task.subject) {
                Entry::Occupied(first) => report.push(
                    Rule::DuplicateSubject,
                    subject,
                    format!(
                        "tasks `{}` and `{}` of team `{}` have the same subject",
                        first.get(),
                        task.id,
                        team.id
                    ),
                    "the server tells a team's tasks apart by subject; give each its own",
                ),
                Entry::Vacant(slot) => {
                    slot.insert(&task.id);
                }
            }
        }
    }
}

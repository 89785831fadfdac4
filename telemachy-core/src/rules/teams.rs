//! Teams: identifiers, names, members, and the assignee of each task.

use std::collections::HashSet;

use super::index::Index;
use super::{Owner, Path, Report, Rule, field, names};
use crate::spec::{Team, Workflow};
use crate::suggest;

pub(super) fn check_ids(report: &mut Report, teams: &[Team]) {
    let mut ids: HashSet<&str> = HashSet::with_capacity(teams.len());
    for (index, team) in teams.iter().enumerate() {
        let path = Path::team(index);
        if names::check_id(report, &team.id, &mut ids, &path, "team", "") {
            let owner = Owner::new("team", &team.id);
            names::check_name(report, &team.name, path.field(field::NAME), owner);
        }
    }
}

/// Each team's members, then each task's assignee against them.
pub(super) fn check_members(report: &mut Report, workflow: &Workflow, index: &Index) {
    let agent_ids = || workflow.agents.iter().map(|agent| agent.id.as_ref());
    for (team_index, team) in workflow.teams.iter().enumerate() {
        let members_path = Path::team(team_index).field(field::MEMBERS);
        if team.agents.is_empty() {
            report.push(
                Rule::NoMembers,
                members_path.clone(),
                format!("team `{}` has no members", team.id),
                "list at least one agent",
            );
        }
        // The members as meant: a misspelt member counts as the agent it is closest to, so
        // that the tasks assigned to that agent do not fail as well.
        let mut meant: Vec<&str> = Vec::with_capacity(team.agents.len());
        let mut listed: HashSet<&str> = HashSet::with_capacity(team.agents.len());
        for (position, member) in team.agents.iter().enumerate() {
            let path = members_path.clone().index(position);
            if index.agents.contains_key(member.as_ref()) {
                if listed.insert(member) {
                    meant.push(member);
                } else {
                    report.push(
                        Rule::DuplicateMember,
                        path,
                        format!("agent `{member}` is listed twice in team `{}`", team.id),
                        "list each member once",
                    );
                }
            } else {
                report.push(
                    Rule::UnknownMember,
                    path,
                    format!("unknown agent `{member}` in team `{}`", team.id),
                    suggest::hint(member, "agent", agent_ids()),
                );
                meant.extend(suggest::closest(member, agent_ids()));
            }
        }
        check_assignees(report, team_index, team, &meant, index, agent_ids);
    }
}

fn check_assignees<'a, I>(
    report: &mut Report,
    team_index: usize,
    team: &Team,
    members: &[&str],
    index: &Index,
    agent_ids: impl Fn() -> I,
) where
    I: Iterator<Item = &'a str> + Clone,
{
    let member_set: HashSet<&str> = members.iter().copied().collect();
    for (task_index, task) in team.tasks.iter().enumerate() {
        let id = task.assignee.as_ref();
        if member_set.contains(id) {
            continue;
        }
        let path = Path::task(team_index, task_index).field(field::ASSIGNEE);
        if index.agents.contains_key(id) {
            if team.agents.is_empty() {
                continue; // the team's missing members are reported already
            }
            let instead = if members.is_empty() {
                String::new()
            } else {
                format!(
                    ", or assign one of its members: {}",
                    suggest::alternatives(members)
                )
            };
            report.push(
                Rule::AssigneeNotMember,
                path,
                format!("agent `{id}` is not a member of team `{}`", team.id),
                format!("add it to `members`{instead}"),
            );
        } else {
            let hint = match suggest::closest(id, members.iter().copied()) {
                Some(found) => format!("did you mean `{found}`?"),
                None => suggest::hint(id, "agent", agent_ids()),
            };
            report.push(
                Rule::UnknownAssignee,
                path,
                format!("unknown agent `{id}` assigned to task `{}`", task.id),
                hint,
            );
        }
    }
}

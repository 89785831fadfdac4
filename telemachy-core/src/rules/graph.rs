//! Dependencies: each `after` entry names a task that exists (not the task itself, not
//! twice), and the tasks, as one graph across teams, have no cycle.
//!
//! Cycles are found by one iterative depth-first search (no recursion, so a chain of
//! thousands of tasks cannot overflow the stack).

use std::collections::{HashMap, HashSet};

use super::index::Index;
use super::{Path, Report, Rule, field};
use crate::spec::{Task, TaskRef, Team, Workflow};
use crate::suggest;

/// How many dependency cycles are spelled out before the rest are only counted.
pub(super) const CYCLES_MAX: usize = 16;

/// A cycle of more tasks than this is shortened to its first and last steps and a count.
const CYCLE_SHOWN_MAX: usize = 12;

/// How many steps a shortened cycle shows at each end.
const CYCLE_ENDS: usize = 5;

pub(super) fn check(report: &mut Report, workflow: &Workflow, index: &Index) {
    let graph = Graph::build(report, &workflow.teams, index);
    graph.report_cycles(report, &workflow.teams);
}

/// The tasks as one graph: node `n` is the `n`-th task counting through the teams in
/// order; an edge goes from a task to each task it waits for.
struct Graph {
    /// For each node, its team's index and its index within the team.
    nodes: Vec<(usize, usize)>,
    /// For each node, the nodes it waits for, with the position in `after` that says so.
    edges: Vec<Vec<(usize, usize)>>,
}

impl Graph {
    /// Resolves every dependency, reporting those that point nowhere (or at themselves, or
    /// twice at one task).
    fn build(report: &mut Report, teams: &[Team], index: &Index) -> Graph {
        let mut nodes = Vec::new();
        let mut first_node = Vec::with_capacity(teams.len());
        for (team_index, team) in teams.iter().enumerate() {
            first_node.push(nodes.len());
            nodes.extend((0..team.tasks.len()).map(|task_index| (team_index, task_index)));
        }
        let mut teams_of_task: HashMap<&str, usize> = HashMap::new();
        for (team_index, team) in teams.iter().enumerate() {
            for task in &team.tasks {
                teams_of_task.entry(task.id.as_ref()).or_insert(team_index);
            }
        }
        let resolver = Resolver {
            teams,
            index,
            teams_of_task,
        };
        let mut edges = vec![Vec::new(); nodes.len()];
        for (t, team) in teams.iter().enumerate() {
            for (i, task) in team.tasks.iter().enumerate() {
                let node = first_node[t] + i;
                let mut targets = HashSet::with_capacity(task.after.len());
                for (k, dependency) in task.after.iter().enumerate() {
                    let path = Path::task(t, i).field(field::AFTER).index(k);
                    let Some((dt, di)) = resolver.resolve(report, t, task, dependency, &path)
                    else {
                        continue;
                    };
                    let target = first_node[dt] + di;
                    if target == node {
                        report.push(
                            Rule::SelfDependency,
                            path,
                            format!("task `{}` depends on itself", task.id),
                            "remove it from `after`",
                        );
                    } else if !targets.insert(target) {
                        report.push(
                            Rule::DuplicateDependency,
                            path,
                            format!(
                                "`{}` is listed twice in `after` of task `{}`",
                                teams[dt].tasks[di].id, task.id
                            ),
                            "list each dependency once",
                        );
                    } else {
                        edges[node].push((target, k));
                    }
                }
            }
        }
        Graph { nodes, edges }
    }

    /// Reports every dependency cycle, each at the `after` entry that closes it, naming its
    /// tasks in order. One iterative depth-first search over the whole graph.
    fn report_cycles(&self, report: &mut Report, teams: &[Team]) {
        const NEW: u8 = 0;
        const ACTIVE: u8 = 1;
        const DONE: u8 = 2;
        let count = self.nodes.len();
        let mut state = vec![NEW; count];
        let mut depth = vec![0usize; count];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let mut cycles = 0usize;
        for root in 0..count {
            if state[root] != NEW {
                continue;
            }
            state[root] = ACTIVE;
            depth[root] = 0;
            stack.push((root, 0));
            while let Some(top) = stack.last_mut() {
                let (node, next) = *top;
                let Some(&(target, entry)) = self.edges[node].get(next) else {
                    state[node] = DONE;
                    stack.pop();
                    continue;
                };
                top.1 += 1;
                match state[target] {
                    NEW => {
                        state[target] = ACTIVE;
                        depth[target] = stack.len();
                        stack.push((target, 0));
                    }
                    ACTIVE => {
                        cycles += 1;
                        let (t, i) = self.nodes[node];
                        let path = Path::task(t, i).field(field::AFTER).index(entry);
                        if cycles <= CYCLES_MAX {
                            let steps: Vec<usize> = std::iter::once(node)
                                .chain(stack[depth[target]..].iter().map(|(n, _)| *n))
                                .collect();
                            report.push(
                                Rule::Cycle,
                                path,
                                self.describe_cycle(teams, &steps),
                                "remove one of these dependencies",
                            );
                        } else if cycles == CYCLES_MAX + 1 {
                            report.push(
                                Rule::MoreCycles,
                                path,
                                "more dependency cycles, not listed",
                                "break the ones above first",
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// "dependency cycle: `a` -> `b` -> `a` (each task waits for the next)", qualified by
    /// team when the cycle crosses teams; a long cycle shows only its ends and a count.
    fn describe_cycle(&self, teams: &[Team], steps: &[usize]) -> String {
        let first_team = steps.first().map(|&node| self.nodes[node].0);
        let one_team = steps
            .iter()
            .all(|&node| Some(self.nodes[node].0) == first_team);
        let name = |node: usize| {
            let (t, i) = self.nodes[node];
            if one_team {
                format!("`{}`", teams[t].tasks[i].id)
            } else {
                format!("`{}.{}`", teams[t].id, teams[t].tasks[i].id)
            }
        };
        // `steps` ends where it starts: a cycle of n tasks has n + 1 steps.
        let tasks = steps.len().saturating_sub(1);
        if steps.len() <= CYCLE_SHOWN_MAX {
            let names: Vec<String> = steps.iter().map(|&node| name(node)).collect();
            return format!(
                "dependency cycle: {} (each task waits for the next)",
                names.join(" -> ")
            );
        }
        let head: Vec<String> = steps[..CYCLE_ENDS].iter().map(|&n| name(n)).collect();
        let tail: Vec<String> = steps[steps.len() - CYCLE_ENDS..]
            .iter()
            .map(|&n| name(n))
            .collect();
        let left_out = steps.len() - 2 * CYCLE_ENDS;
        format!(
            "dependency cycle through {tasks} tasks: {} -> ... {left_out} more ... -> {} (each \
             task waits for the next)",
            head.join(" -> "),
            tail.join(" -> ")
        )
    }
}

/// Finds the task an `after` entry names.
struct Resolver<'a> {
    teams: &'a [Team],
    index: &'a Index<'a>,
    /// For each task identifier, the first team that has a task so named.
    teams_of_task: HashMap<&'a str, usize>,
}

impl Resolver<'_> {
    /// The (team, task) indices `dependency` names, or `None` after reporting why not.
    /// A reference into the task's own team reads as if unqualified (`task`), one into
    /// another team as `team.task`.
    fn resolve(
        &self,
        report: &mut Report,
        own_team: usize,
        task: &Task,
        dependency: &TaskRef,
        path: &Path,
    ) -> Option<(usize, usize)> {
        let Some(&team) = self.index.teams.get(dependency.team.as_ref()) else {
            let known = self.teams.iter().map(|team| team.id.as_ref());
            report.push(
                Rule::UnknownTeam,
                path.clone().field(field::TEAM),
                format!(
                    "unknown team `{}` in `after` of task `{}`",
                    dependency.team, task.id
                ),
                suggest::hint(&dependency.team, "team", known),
            );
            return None;
        };
        let id = dependency.task.as_ref();
        if let Some(&position) = self.index.tasks[team].get(id) {
            return Some((team, position));
        }
        let team_id = &self.teams[team].id;
        let qualify = |task_id: &str| {
            if team == own_team {
                task_id.to_owned()
            } else {
                format!("{team_id}.{task_id}")
            }
        };
        // Candidates: the team's tasks, less the dependent task itself (which it cannot
        // depend on).
        let known = self.teams[team]
            .tasks
            .iter()
            .map(|t| t.id.as_ref())
            .filter(|&candidate| !(team == own_team && candidate == task.id));
        let elsewhere = match self.teams_of_task.get(id) {
            Some(&other) if team == own_team && other != own_team => Some(&self.teams[other].id),
            _ => None,
        };
        let hint = match (elsewhere, suggest::closest(id, known.clone())) {
            (Some(other), _) => format!("it is a task of team `{other}`: write `{other}.{id}`"),
            (None, Some(found)) => format!("did you mean `{}`?", qualify(found)),
            (None, None) => suggest::known("task", known),
        };
        let message = if team == own_team {
            format!("unknown task `{id}` in `after` of task `{}`", task.id)
        } else {
            format!("team `{team_id}` has no task `{id}`")
        };
        report.push(
            Rule::UnknownTask,
            path.clone().field(field::TASK),
            message,
            hint,
        );
        None
    }
}

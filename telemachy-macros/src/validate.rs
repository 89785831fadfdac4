//! Checks that need the whole workflow: names, duplicates, references, membership,
//! dependency cycles and the rules of each runtime.
//!
//! Everything here is linear in agents + tasks + dependencies: lookups go through hash
//! maps, and cycles are found by one iterative depth-first search (no recursion, so a chain
//! of thousands of tasks cannot overflow the stack). Only a reported error pays for more
//! (a "did you mean" compares one name with its candidates).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use syn::Ident;
use syn::ext::IdentExt;

use crate::ctxt::Ctxt;
use crate::model::{Agent, Dependency, Runtime, Spanned, Target, Task, Team, Workflow};
use crate::suggest;
use telemachy_core::key::is_name_char;

/// How many dependency cycles are spelled out before the rest are only counted.
const CYCLES_MAX: usize = 16;

/// Runs every check, reporting into `ctxt`.
pub(crate) fn check(ctxt: &Ctxt, workflow: &Workflow) {
    if let Some(name) = &workflow.name {
        check_name(ctxt, &name.value, name.span, "the workflow", true);
    }
    check_agents(ctxt, &workflow.agents);
    check_teams(ctxt, &workflow.teams);
    check_server_names(ctxt, workflow);
    check_members(ctxt, workflow);
    check_tasks(ctxt, &workflow.teams);
    let graph = Graph::build(ctxt, &workflow.teams);
    graph.report_cycles(ctxt, &workflow.teams);
}

/// A server-side name: non-empty, only `[A-Za-z0-9_.-]`.
fn check_name(ctxt: &Ctxt, name: &str, span: Span, owner: &str, explicit: bool) {
    if name.is_empty() {
        let fix = if explicit && owner != "the workflow" {
            ": give it one, or leave `name` out to use the identifier"
        } else {
            ""
        };
        ctxt.error_at(span, format!("the name of {owner} is empty{fix}"));
        return;
    }
    if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
        let fix = if explicit {
            "change it"
        } else {
            "set `name: \"...\"` to give it a valid server-side name"
        };
        ctxt.error_at(
            span,
            format!(
                "`{name}` is not a valid name for {owner}: names may contain only ASCII \
                 letters, digits, `_`, `.` and `-`, not `{bad}`; {fix}"
            ),
        );
    }
}

/// A string field that may not be empty when given.
fn non_empty(ctxt: &Ctxt, value: &Option<Spanned<String>>, key: &str, owner: &str) {
    if let Some(value) = value.as_ref().filter(|value| value.value.is_empty()) {
        ctxt.error_at(
            value.span,
            format!("`{key}` of {owner} is empty: give it a value, or leave it out"),
        );
    }
}

/// The constant a resource's identifier becomes: `scout_alpha` -> `SCOUT_ALPHA`.
pub(crate) fn constant_name(id: &str) -> String {
    id.to_uppercase()
}

fn check_agents(ctxt: &Ctxt, agents: &[Agent]) {
    let mut ids: HashMap<&str, &Ident> = HashMap::with_capacity(agents.len());
    let mut constants: HashMap<String, &Ident> = HashMap::with_capacity(agents.len());
    for agent in agents {
        let owner = format!("agent `{}`", agent.id);
        match ids.entry(&agent.id) {
            Entry::Occupied(_) => {
                ctxt.error_spanned_by(&agent.ident, format!("{owner} is declared twice"));
                continue;
            }
            Entry::Vacant(slot) => {
                slot.insert(&agent.ident);
            }
        }
        same_constant(ctxt, &mut constants, &agent.ident, "agents", "agents");
        match &agent.name {
            Some(name) => check_name(ctxt, &name.value, name.span, &owner, true),
            None => check_name(ctxt, &agent.id, agent.ident.span(), &owner, false),
        }
        non_empty(ctxt, &agent.program, "program", &owner);
        non_empty(ctxt, &agent.model, "model", &owner);
        non_empty(ctxt, &agent.working_dir, "working_dir", &owner);
        check_runtime(ctxt, agent, &owner);
    }
}

/// Two identifiers that differ only in case would become the same constant.
fn same_constant<'a>(
    ctxt: &Ctxt,
    constants: &mut HashMap<String, &'a Ident>,
    ident: &'a Ident,
    what: &str,
    module: &str,
) {
    let constant = constant_name(&ident.unraw().to_string());
    match constants.entry(constant) {
        Entry::Occupied(first) => ctxt.error_spanned_by(
            ident,
            format!(
                "{what} `{}` and `{}` would both become the constant `{module}::{}`: rename one",
                first.get().unraw(),
                ident.unraw(),
                first.key()
            ),
        ),
        Entry::Vacant(slot) => {
            slot.insert(ident);
        }
    }
}

fn check_runtime(ctxt: &Ctxt, agent: &Agent, owner: &str) {
    let given = |key: &str| agent.given.iter().find(|(k, _)| *k == key).map(|(_, i)| i);
    if let Some(cpus) = &agent.cpus {
        if cpus.value == 0 {
            ctxt.error_at(cpus.span, "`cpus` must be at least 1");
        } else if u32::try_from(cpus.value).is_err() {
            ctxt.error_at(
                cpus.span,
                format!("`cpus` is too large: at most {}", u32::MAX),
            );
        }
    }
    if let Some(memory) = agent
        .memory
        .as_ref()
        .filter(|memory| !is_size(&memory.value))
    {
        ctxt.error_at(
            memory.span,
            format!(
                "`{}` is not a memory size: write a number above 0 with an optional unit \
                 `b`, `k`, `m`, `g` or `t`, e.g. \"512m\" or \"4g\"",
                memory.value
            ),
        );
    }
    match &agent.runtime {
        Some(Spanned {
            value: Runtime::Docker,
            span,
        }) => {
            if !agent.meant.contains(&"image") {
                ctxt.error_at(
                    *span,
                    format!("docker {owner} has no image: add `image: \"<image>\"`"),
                );
            }
            non_empty(ctxt, &agent.image, "image", owner);
        }
        Some(_) => local_only(ctxt, owner, "", &given),
        // `runtime:` is there but unreadable (already reported): its rules cannot apply.
        None if given("runtime").is_some() => {}
        None => local_only(ctxt, owner, " (the default runtime)", &given),
    }
}

fn local_only<'a>(
    ctxt: &Ctxt,
    owner: &str,
    default: &str,
    given: &dyn Fn(&str) -> Option<&'a Ident>,
) {
    for key in ["image", "cpus", "memory"] {
        if let Some(ident) = given(key) {
            ctxt.error_spanned_by(
                ident,
                format!(
                    "{owner} runs locally{default}, so `{key}` does not apply: add \
                     `runtime: docker`, or remove `{key}`"
                ),
            );
        }
    }
}

/// A docker memory size: digits, more than zero, then optionally one unit of `b`, `k`,
/// `m`, `g` or `t` in either case (`512m`, `4G`, `100`).
pub(crate) fn is_size(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| "bkmgtBKMGT".contains(c));
    let unit_len = text.len() - digits.len();
    unit_len <= 1
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.bytes().any(|b| b != b'0')
}

fn check_teams(ctxt: &Ctxt, teams: &[Team]) {
    let mut ids: HashMap<&str, &Ident> = HashMap::with_capacity(teams.len());
    let mut constants: HashMap<String, &Ident> = HashMap::with_capacity(teams.len());
    for team in teams {
        let owner = format!("team `{}`", team.id);
        if ids.insert(&team.id, &team.ident).is_some() {
            ctxt.error_spanned_by(&team.ident, format!("{owner} is declared twice"));
            continue;
        }
        same_constant(ctxt, &mut constants, &team.ident, "teams", "teams");
        match &team.name {
            Some(name) => check_name(ctxt, &name.value, name.span, &owner, true),
            None => check_name(ctxt, &team.id, team.ident.span(), &owner, false),
        }
    }
}

/// Keys are made from the workflow's name and the resource's name alone, so two resources
/// (agents or teams) with one server-side name would share a key.
fn check_server_names(ctxt: &Ctxt, workflow: &Workflow) {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut declared: HashSet<(&str, &str)> = HashSet::new();
    let agents = workflow.agents.iter().map(|agent| {
        let span = agent.name.as_ref().map_or(agent.ident.span(), |n| n.span);
        ("agent", agent.id.as_str(), agent.server_name(), span)
    });
    let teams = workflow.teams.iter().map(|team| {
        let span = team.name.as_ref().map_or(team.ident.span(), |n| n.span);
        ("team", team.id.as_str(), team.server_name(), span)
    });
    for (kind, id, name, span) in agents.chain(teams) {
        if !declared.insert((kind, id)) {
            continue; // a duplicate identifier, reported already
        }
        match seen.entry(name) {
            Entry::Occupied(first) => ctxt.error_at(
                span,
                format!(
                    "{kind} `{id}` has the server-side name `{name}`, as {} has: their keys \
                     would be the same; give one a different `name`",
                    first.get()
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(format!("{kind} `{id}`"));
            }
        }
    }
}

fn check_members(ctxt: &Ctxt, workflow: &Workflow) {
    let agent_ids: HashSet<&str> = workflow.agents.iter().map(|a| a.id.as_str()).collect();
    let agent_names = || workflow.agents.iter().map(|agent| agent.id.as_str());
    for team in &workflow.teams {
        let Some(members) = &team.members else {
            continue;
        };
        if members.value.is_empty() {
            ctxt.error_at(
                members.span,
                format!("team `{}` has no members: list at least one agent", team.id),
            );
        }
        // The members as meant: a misspelt member counts as the agent it is closest to, so
        // that the tasks assigned to that agent do not fail as well.
        let mut meant: Vec<&str> = Vec::with_capacity(members.value.len());
        let mut listed: HashSet<String> = HashSet::with_capacity(members.value.len());
        for member in &members.value {
            let id = member.unraw().to_string();
            if let Some(&known) = agent_ids.get(id.as_str()) {
                if listed.insert(id.clone()) {
                    meant.push(known);
                } else {
                    ctxt.error_spanned_by(
                        member,
                        format!("agent `{id}` is listed twice in team `{}`", team.id),
                    );
                }
            } else {
                ctxt.error_spanned_by(
                    member,
                    format!(
                        "unknown agent `{id}` in team `{}`: {}",
                        team.id,
                        suggest::hint(&id, "agent", agent_names())
                    ),
                );
                meant.extend(suggest::closest(&id, agent_names()));
            }
        }
        check_assignees(ctxt, team, &meant, &agent_ids, agent_names);
    }
}

fn check_assignees<'a, I>(
    ctxt: &Ctxt,
    team: &Team,
    members: &[&str],
    agent_ids: &HashSet<&str>,
    agent_names: impl Fn() -> I,
) where
    I: Iterator<Item = &'a str> + Clone,
{
    let member_set: HashSet<&str> = members.iter().copied().collect();
    for task in &team.tasks {
        let Some(assignee) = &task.assignee else {
            continue;
        };
        let id = assignee.unraw().to_string();
        if member_set.contains(id.as_str()) {
            continue;
        }
        let message = if agent_ids.contains(id.as_str()) {
            let instead = if members.is_empty() {
                String::new()
            } else {
                format!(
                    ", or assign one of its members: {}",
                    suggest::alternatives(members)
                )
            };
            format!(
                "agent `{id}` is not a member of team `{}`: add it to `members`{instead}",
                team.id
            )
        } else {
            let hint = match suggest::closest(&id, members.iter().copied()) {
                Some(found) => format!("did you mean `{found}`?"),
                None => suggest::hint(&id, "agent", agent_names()),
            };
            format!(
                "unknown agent `{id}` assigned to task `{}`: {hint}",
                task.id
            )
        };
        ctxt.error_spanned_by(assignee, message);
    }
}

fn check_tasks(ctxt: &Ctxt, teams: &[Team]) {
    for team in teams {
        let mut ids: HashSet<&str> = HashSet::with_capacity(team.tasks.len());
        let mut subjects: HashMap<&str, &str> = HashMap::with_capacity(team.tasks.len());
        for task in &team.tasks {
            let owner = format!("task `{}`", task.id);
            if !ids.insert(&task.id) {
                ctxt.error_spanned_by(
                    &task.ident,
                    format!("{owner} is declared twice in team `{}`", team.id),
                );
                continue;
            }
            non_empty(ctxt, &task.subject, "subject", &owner);
            non_empty(ctxt, &task.kind, "type", &owner);
            if let Some(subject) = &task.subject {
                match subjects.entry(&subject.value) {
                    Entry::Occupied(first) => ctxt.error_at(
                        subject.span,
                        format!(
                            "tasks `{}` and `{}` of team `{}` have the same subject: the \
                             server tells a team's tasks apart by subject; give each its own",
                            first.get(),
                            task.id,
                            team.id
                        ),
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(&task.id);
                    }
                }
            }
        }
    }
}

/// The tasks as one graph: node `n` is the `n`-th task counting through the teams in
/// order; an edge goes from a task to each task it waits for.
struct Graph<'a> {
    /// For each node, its team's index and its index within the team.
    nodes: Vec<(usize, usize)>,
    /// For each node, the nodes it waits for, with the `after` entry that says so.
    edges: Vec<Vec<(usize, &'a TokenStream)>>,
}

impl<'a> Graph<'a> {
    /// Resolves every dependency, reporting those that point nowhere (or at themselves).
    fn build(ctxt: &Ctxt, teams: &'a [Team]) -> Graph<'a> {
        let mut nodes = Vec::new();
        let mut first_node = Vec::with_capacity(teams.len());
        for (team_index, team) in teams.iter().enumerate() {
            first_node.push(nodes.len());
            nodes.extend((0..team.tasks.len()).map(|task_index| (team_index, task_index)));
        }
        // First declaration wins; duplicates are reported by `check_tasks`/`check_teams`.
        let mut team_index: HashMap<&str, usize> = HashMap::with_capacity(teams.len());
        let mut task_index: Vec<HashMap<&str, usize>> = Vec::with_capacity(teams.len());
        let mut teams_of_task: HashMap<&str, usize> = HashMap::new();
        for (t, team) in teams.iter().enumerate() {
            team_index.entry(&team.id).or_insert(t);
            let mut tasks = HashMap::with_capacity(team.tasks.len());
            for (i, task) in team.tasks.iter().enumerate() {
                tasks.entry(task.id.as_str()).or_insert(i);
                teams_of_task.entry(task.id.as_str()).or_insert(t);
            }
            task_index.push(tasks);
        }
        let resolver = Resolver {
            teams,
            team_index,
            task_index,
            teams_of_task,
        };
        let mut edges = vec![Vec::new(); nodes.len()];
        for (t, team) in teams.iter().enumerate() {
            for (i, task) in team.tasks.iter().enumerate() {
                let node = first_node[t] + i;
                let mut targets = HashSet::with_capacity(task.after.len());
                for dependency in &task.after {
                    let Some((dt, di)) = resolver.resolve(ctxt, t, task, dependency) else {
                        continue;
                    };
                    let target = first_node[dt] + di;
                    if target == node {
                        ctxt.error_spanned_by(
                            &dependency.tokens,
                            format!(
                                "task `{}` depends on itself: remove it from `after`",
                                task.id
                            ),
                        );
                    } else if !targets.insert(target) {
                        ctxt.error_spanned_by(
                            &dependency.tokens,
                            format!(
                                "`{}` is listed twice in `after` of task `{}`",
                                teams[dt].tasks[di].id, task.id
                            ),
                        );
                    } else {
                        edges[node].push((target, &dependency.tokens));
                    }
                }
            }
        }
        Graph { nodes, edges }
    }

    /// Reports every dependency cycle, each at the `after` entry that closes it, naming its
    /// tasks in order. One iterative depth-first search over the whole graph.
    fn report_cycles(&self, ctxt: &Ctxt, teams: &[Team]) {
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
                let Some(&(target, tokens)) = self.edges[node].get(next) else {
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
                        if cycles <= CYCLES_MAX {
                            let path = std::iter::once(node)
                                .chain(stack[depth[target]..].iter().map(|(n, _)| *n));
                            let names = self.cycle_names(teams, path);
                            ctxt.error_spanned_by(
                                tokens,
                                format!(
                                    "dependency cycle: {names} (each task waits for the \
                                     next); remove one of these dependencies"
                                ),
                            );
                        } else if cycles == CYCLES_MAX + 1 {
                            ctxt.error_spanned_by(
                                tokens,
                                "more dependency cycles, not listed: break the ones above \
                                 first",
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// "`a` -> `b` -> `a`", qualified by team when the cycle crosses teams.
    fn cycle_names(&self, teams: &[Team], path: impl Iterator<Item = usize> + Clone) -> String {
        let first_team = path.clone().next().map(|node| self.nodes[node].0);
        let one_team = path
            .clone()
            .all(|node| Some(self.nodes[node].0) == first_team);
        let names: Vec<String> = path
            .map(|node| {
                let (t, i) = self.nodes[node];
                if one_team {
                    format!("`{}`", teams[t].tasks[i].id)
                } else {
                    format!("`{}.{}`", teams[t].id, teams[t].tasks[i].id)
                }
            })
            .collect();
        names.join(" -> ")
    }
}

/// Finds the task an `after` entry names.
struct Resolver<'a> {
    teams: &'a [Team],
    team_index: HashMap<&'a str, usize>,
    task_index: Vec<HashMap<&'a str, usize>>,
    /// For each task identifier, the first team that has a task so named.
    teams_of_task: HashMap<&'a str, usize>,
}

impl Resolver<'_> {
    /// The (team, task) indices `dependency` names, or `None` after reporting why not.
    fn resolve(
        &self,
        ctxt: &Ctxt,
        own_team: usize,
        task: &Task,
        dependency: &Dependency,
    ) -> Option<(usize, usize)> {
        let team = match &dependency.team {
            None => own_team,
            Some(ident) => {
                let id = ident.unraw().to_string();
                let Some(&index) = self.team_index.get(id.as_str()) else {
                    let known = self.teams.iter().map(|team| team.id.as_str());
                    ctxt.error_spanned_by(
                        ident,
                        format!(
                            "unknown team `{id}` in `after` of task `{}`: {}",
                            task.id,
                            suggest::hint(&id, "team", known)
                        ),
                    );
                    return None;
                };
                index
            }
        };
        let team_id = &self.teams[team].id;
        let qualify = |task_id: &str| {
            if team == own_team {
                task_id.to_owned()
            } else {
                format!("{team_id}.{task_id}")
            }
        };
        let ident = match &dependency.target {
            Target::Task(ident) => ident,
            Target::Subject(lit) => {
                let subject = lit.value();
                let by_subject = self.teams[team]
                    .tasks
                    .iter()
                    .find(|t| t.subject.as_ref().is_some_and(|s| s.value == subject));
                let hint = match by_subject {
                    Some(found) => format!("write `{}`", qualify(&found.id)),
                    None => "write `task` or `team.task`".to_owned(),
                };
                ctxt.error_spanned_by(
                    lit,
                    format!("`after` names tasks by identifier, not by subject: {hint}"),
                );
                return None;
            }
        };
        let id = ident.unraw().to_string();
        if let Some(&index) = self.task_index[team].get(id.as_str()) {
            return Some((team, index));
        }
        // Candidates: the team's tasks, less the dependent task itself (which it cannot
        // depend on).
        let known = self.teams[team]
            .tasks
            .iter()
            .map(|t| t.id.as_str())
            .filter(|&id| !(team == own_team && id == task.id));
        let elsewhere = match (&dependency.team, self.teams_of_task.get(id.as_str())) {
            (None, Some(&other)) if other != own_team => Some(&self.teams[other].id),
            _ => None,
        };
        let hint = match (elsewhere, suggest::closest(&id, known.clone())) {
            (Some(other), _) => format!("it is a task of team `{other}`: write `{other}.{id}`"),
            (None, Some(found)) => format!("did you mean `{}`?", qualify(found)),
            (None, None) => suggest::known("task", known),
        };
        let message = match &dependency.team {
            None => format!(
                "unknown task `{id}` in `after` of task `{}`: {hint}",
                task.id
            ),
            Some(_) => format!("team `{team_id}` has no task `{id}`: {hint}"),
        };
        ctxt.error_spanned_by(ident, message);
        None
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::ast::Input;
    use crate::model;

    /// Every error message for `input`, in order.
    fn messages(input: TokenStream) -> Vec<String> {
        let input: Input = syn::parse2(input).expect("the input parses");
        let ctxt = Ctxt::new();
        let workflow = model::read(&ctxt, input);
        check(&ctxt, &workflow);
        match ctxt.check() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    /// A workflow of one agent and one team holding `tasks` (source text).
    fn one_team(tasks: &str) -> TokenStream {
        let source = format!(
            "pub workflow w {{ name: \"w\", agent a {{}} team t {{ members: [a], {tasks} }} }}"
        );
        source.parse().expect("the generated source lexes")
    }

    /// `count` tasks `t0`..: each after the one before; `t0` after `first_after`, if any.
    fn chain(count: usize, first_after: Option<&str>) -> String {
        let mut tasks = String::new();
        for i in 0..count {
            let after = match (i, first_after) {
                (0, Some(last)) => format!("after: [{last}],"),
                (0, None) => String::new(),
                _ => format!("after: [t{}],", i - 1),
            };
            let _ = write!(
                tasks,
                "task t{i} {{ subject: \"T{i}\", assignee: a, {after} }}"
            );
        }
        tasks
    }

    #[test]
    fn a_valid_workflow_has_no_errors() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w",
                agent a {}
                agent b { runtime: docker, image: "i", cpus: 1, memory: "512M" }
                team t {
                    members: [a, b],
                    task x { subject: "X", assignee: a }
                    task y { subject: "Y", assignee: b, after: [x] }
                }
                team u {
                    members: [a],
                    task z { subject: "X", assignee: a, after: [t.y, t.x] }
                }
            }
        });
        assert_eq!(errors, Vec::<String>::new());
    }

    #[test]
    fn a_cycle_is_named_in_order_from_the_entry_that_closes_it() {
        let errors = messages(one_team(
            "task a1 { subject: \"1\", assignee: a, after: [a3] }
             task a2 { subject: \"2\", assignee: a, after: [a1] }
             task a3 { subject: \"3\", assignee: a, after: [a2] }",
        ));
        assert_eq!(
            errors,
            [
                "dependency cycle: `a2` -> `a1` -> `a3` -> `a2` (each task waits for the next); \
                 remove one of these dependencies"
            ]
        );
    }

    #[test]
    fn a_long_chain_is_checked_without_deep_recursion() {
        // 5,000 tasks in one chain, checked on a thread with a small stack: a recursive
        // search would overflow it.
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let open = messages(one_team(&chain(5_000, None)));
                let closed = messages(one_team(&chain(5_000, Some("t4999"))));
                (open, closed)
            })
            .expect("the thread starts");
        let (open, closed) = worker
            .join()
            .expect("checking a long chain does not overflow");
        assert_eq!(open, Vec::<String>::new());
        assert_eq!(closed.len(), 1, "one cycle");
        assert_eq!(closed[0].matches(" -> ").count(), 5_000);
        assert!(
            closed[0].starts_with("dependency cycle: `t1` -> `t0` -> `t4999` -> `t4998`"),
            "{}",
            &closed[0][..80]
        );
    }

    #[test]
    fn many_cycles_are_listed_up_to_a_limit() {
        let mut tasks = String::new();
        for i in 0..20 {
            let _ = write!(
                tasks,
                "task x{i} {{ subject: \"X{i}\", assignee: a, after: [y{i}] }}
                 task y{i} {{ subject: \"Y{i}\", assignee: a, after: [x{i}] }}"
            );
        }
        let errors = messages(one_team(&tasks));
        assert_eq!(errors.len(), CYCLES_MAX + 1);
        assert!(
            errors[..CYCLES_MAX]
                .iter()
                .all(|e| e.starts_with("dependency cycle"))
        );
        assert!(errors[CYCLES_MAX].starts_with("more dependency cycles"));
    }

    #[test]
    fn a_misspelt_member_does_not_fail_its_tasks_as_well() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w",
                agent implementer {}
                team t {
                    members: [implementor],
                    task x { subject: "X", assignee: implementer }
                }
            }
        });
        assert_eq!(
            errors,
            ["unknown agent `implementor` in team `t`: did you mean `implementer`?"]
        );
    }

    #[test]
    fn an_unqualified_task_of_another_team_gets_its_qualified_name() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w",
                agent a {}
                team t { members: [a], task x { subject: "X", assignee: a } }
                team u { members: [a], task y { subject: "Y", assignee: a, after: [x] } }
            }
        });
        assert_eq!(
            errors,
            ["unknown task `x` in `after` of task `y`: it is a task of team `t`: write `t.x`"]
        );
    }

    #[test]
    fn agents_and_teams_share_one_namespace_of_names() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w",
                agent worker {}
                team crew { name: "worker", members: [worker] }
            }
        });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("team `crew` has the server-side name `worker`"));
    }

    #[test]
    fn names_allow_only_key_characters() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w.v-1_x",
                agent a { name: "scout alpha" }
                agent b { name: "Scout-Beta.2" }
            }
        });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("not ` `"), "{errors:?}");
    }

    #[test]
    fn sizes() {
        for size in ["1", "100", "512m", "512M", "4g", "4G", "1024k", "2t", "10b"] {
            assert!(is_size(size), "{size} is a size");
        }
        for not in [
            "", "g", "0", "0g", "4gb", "4.5g", "-1g", "4 g", "four", "4x", "g4",
        ] {
            assert!(!is_size(not), "{not:?} is not a size");
        }
    }
}

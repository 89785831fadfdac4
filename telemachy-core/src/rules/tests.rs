//! The rules on workflows built by hand.

use std::time::Duration;

use super::*;
use crate::spec::{Agent, Docker, Runtime, Task, TaskRef, Team};

/// Agents `a` and `b`; team `build` of both with `compile` (after `docs.write`) and `lint`;
/// team `docs` of `b` with `write`.
fn two_teams() -> Workflow {
    let mut workflow = Workflow::new("rules-test");
    workflow.agents = vec![Agent::new("a"), Agent::new("b")];
    let mut build = Team::new("build", ["a", "b"]);
    let mut compile = Task::new("compile", "Compile", "a");
    compile.after = vec![TaskRef::new("docs", "write")];
    build.tasks = vec![compile, Task::new("lint", "Lint", "b")];
    let mut docs = Team::new("docs", ["b"]);
    docs.tasks = vec![Task::new("write", "Write", "b")];
    workflow.teams = vec![build, docs];
    workflow
}

/// Each problem as `(rule, path, text)`.
fn found(workflow: &Workflow) -> Vec<(Rule, String, String)> {
    problems(workflow)
        .into_iter()
        .map(|p| (p.rule, p.path.to_string(), p.to_string()))
        .collect()
}

fn only(workflow: &Workflow) -> (Rule, String, String) {
    let mut all = found(workflow);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

/// The one problem of `workflow`: its rule and path as given, and its text.
fn only_at(workflow: &Workflow, rule: Rule, path: &str) -> String {
    let (found_rule, found_path, text) = only(workflow);
    assert_eq!((found_rule, found_path.as_str()), (rule, path), "{text}");
    text
}

fn docker(agent: &mut Agent, edit: impl FnOnce(&mut Docker)) {
    let mut docker = Docker::new("alpine:3");
    edit(&mut docker);
    agent.runtime = Runtime::Docker(docker);
}

#[test]
fn a_valid_workflow_has_no_problems() {
    let mut workflow = two_teams();
    docker(&mut workflow.agents[1], |d| d.memory = "6m".into());
    workflow.timeout = Some(bounds::TIMEOUT_MAX);
    assert_eq!(found(&workflow), []);
    assert_eq!(check(&workflow), Ok(()));
}

/// A change that makes a valid workflow invalid.
type Edit = Box<dyn Fn(&mut Workflow)>;

/// The workflows `Plan::new` used to accept although `workflow!` refused them.
#[test]
fn the_mistakes_the_runtime_used_to_let_through() {
    let cases: Vec<(&str, Edit, Rule, &str)> = vec![
        (
            "an empty agent name",
            Box::new(|w| w.agents[0].name = "".into()),
            Rule::EmptyName,
            "agents[0].name",
        ),
        (
            "a team with no members",
            Box::new(|w| {
                w.teams[1].agents.clear();
            }),
            Rule::NoMembers,
            "teams[1].members",
        ),
        (
            "an agent and a team with the same key",
            Box::new(|w| w.teams[1].name = "a".into()),
            Rule::SharedKey,
            "teams[1].name",
        ),
        (
            "memory `lots`",
            Box::new(|w| docker(&mut w.agents[0], |d| d.memory = "lots".into())),
            Rule::MemoryNotASize,
            "agents[0].memory",
        ),
        (
            "an empty image",
            Box::new(|w| docker(&mut w.agents[0], |d| d.image = "".into())),
            Rule::NoImage,
            "agents[0].image",
        ),
        (
            "an empty subject",
            Box::new(|w| w.teams[0].tasks[1].subject = "".into()),
            Rule::EmptyField,
            "teams[0].tasks[1].subject",
        ),
        (
            "a dependency listed twice",
            Box::new(|w| {
                let again = w.teams[0].tasks[0].after[0].clone();
                w.teams[0].tasks[0].after.push(again);
            }),
            Rule::DuplicateDependency,
            "teams[0].tasks[0].after[1]",
        ),
        (
            "an empty program",
            Box::new(|w| w.agents[1].program = "".into()),
            Rule::EmptyField,
            "agents[1].program",
        ),
        (
            "an empty task type",
            Box::new(|w| w.teams[1].tasks[0].kind = "".into()),
            Rule::EmptyField,
            "teams[1].tasks[0].type",
        ),
        (
            "an empty workflow name",
            Box::new(|w| w.name = "".into()),
            Rule::EmptyName,
            "name",
        ),
    ];
    for (what, edit, rule, path) in cases {
        let mut workflow = two_teams();
        edit(&mut workflow);
        eprintln!("{what}");
        only_at(&workflow, rule, path);
    }
}

#[test]
fn any_name_without_control_characters_is_a_name() {
    let mut workflow = two_teams();
    workflow.name = "fleet security".into();
    workflow.agents[0].name = "scout alpha".into();
    workflow.agents[1].name = "späher".into();
    workflow.teams[0].name = "équipe/1".into();
    assert_eq!(found(&workflow), []);

    workflow.agents[0].name = "scout\nalpha".into();
    assert_eq!(
        only_at(&workflow, Rule::ControlCharacterInName, "agents[0].name"),
        "the name of agent `a`, \"scout\\nalpha\", holds the control character `\\n`: a name \
         may hold any character except control characters; change it"
    );
}

#[test]
fn names_that_sanitise_alike_have_different_keys_and_pass() {
    // `scout alpha` and `scout-alpha` have the same readable tail but different digests.
    let mut workflow = two_teams();
    workflow.agents[0].name = "scout alpha".into();
    workflow.agents[1].name = "scout-alpha".into();
    assert_ne!(workflow.key("scout alpha"), workflow.key("scout-alpha"));
    assert_eq!(found(&workflow), []);
}

#[test]
fn agents_and_teams_share_one_key_space() {
    let mut workflow = two_teams();
    workflow.teams[0].name = "b".into();
    let (_, _, text) = only(&workflow);
    assert_eq!(
        text,
        "team `build` has the server-side name `b`, as agent `b` has: their keys would be the \
         same; give one a different `name`"
    );
}

#[test]
fn duplicates_are_reported_once_each() {
    let mut workflow = two_teams();
    workflow.agents.push(Agent::new("a"));
    workflow.teams.push(Team::new("docs", ["a"]));
    workflow.teams[0]
        .tasks
        .push(Task::new("lint", "Lint again", "a"));
    workflow.teams[1].agents.push("b".into());
    let texts: Vec<String> = found(&workflow)
        .into_iter()
        .map(|(_, p, t)| format!("{p}: {t}"))
        .collect();
    assert_eq!(
        texts,
        [
            "agents[2].id: agent `a` is declared twice: give each agent its own identifier",
            "teams[2].id: team `docs` is declared twice: give each team its own identifier",
            "teams[1].members[1]: agent `b` is listed twice in team `docs`: list each member once",
            "teams[0].tasks[2].id: task `lint` is declared twice in team `build`: give each \
             task in team `build` its own identifier",
        ]
    );
}

#[test]
fn timeouts_between_zero_and_the_bound() {
    let mut workflow = two_teams();
    workflow.timeout = Some(Duration::ZERO);
    assert_eq!(only(&workflow).0, Rule::TimeoutOutOfRange);
    workflow.timeout = Some(Duration::from_nanos(1));
    assert_eq!(found(&workflow), []);
    workflow.timeout = Some(Duration::MAX);
    let (_, path, text) = only(&workflow);
    assert_eq!(path, "timeout");
    assert_eq!(
        text,
        "`timeout` is out of range: give more than 0 and at most 3153600000 seconds (100 \
         years), or leave `timeout` out to wait as long as it takes"
    );
}

#[test]
fn cpus_and_memory_within_their_ranges() {
    for (cpus, ok) in [
        (0, false),
        (1, true),
        (4096, true),
        (4097, false),
        (u32::MAX, false),
    ] {
        let mut workflow = two_teams();
        docker(&mut workflow.agents[0], |d| d.cpus = cpus);
        assert_eq!(found(&workflow).is_empty(), ok, "cpus {cpus}");
    }
    let mut workflow = two_teams();
    docker(&mut workflow.agents[0], |d| d.cpus = 0);
    assert_eq!(
        only(&workflow).2,
        "`cpus` of agent `a` is out of range: give a whole number from 1 to 4096"
    );
    for (memory, ok) in [
        ("6m", true),
        ("6291455", false),
        ("6291456", true),
        ("5m", false),
        ("0g", false),
        ("1024t", true),
        ("1025t", false),
        ("99999999999999999999t", false),
    ] {
        let mut workflow = two_teams();
        docker(&mut workflow.agents[0], |d| d.memory = memory.into());
        assert_eq!(found(&workflow).is_empty(), ok, "memory {memory}");
    }
    let mut workflow = two_teams();
    docker(&mut workflow.agents[0], |d| {
        d.memory = "99999999999999999999t".into()
    });
    assert_eq!(
        only(&workflow).2,
        "`memory` of agent `a` is out of range: give a size from 6m (Docker's minimum) to \
         1024t, not `99999999999999999999t`"
    );
}

#[test]
fn references_get_a_did_you_mean() {
    let mut workflow = two_teams();
    workflow.teams[0].agents[1] = "bb".into();
    workflow.teams[0].tasks[0].after =
        vec![TaskRef::new("docs", "wirte"), TaskRef::new("dcos", "write")];
    workflow.teams[0].tasks[1].after = vec![TaskRef::new("build", "write")];
    let texts: Vec<String> = found(&workflow)
        .into_iter()
        .map(|(_, p, t)| format!("{p}: {t}"))
        .collect();
    assert_eq!(
        texts,
        [
            "teams[0].members[1]: unknown agent `bb` in team `build`: did you mean `b`?",
            "teams[0].tasks[0].after[0].task: team `docs` has no task `wirte`: did you mean \
             `docs.write`?",
            "teams[0].tasks[0].after[1].team: unknown team `dcos` in `after` of task `compile`: \
             did you mean `docs`?",
            "teams[0].tasks[1].after[0].task: unknown task `write` in `after` of task `lint`: it \
             is a task of team `docs`: write `docs.write`",
        ]
    );
}

#[test]
fn assignees_must_be_members() {
    let mut workflow = two_teams();
    workflow.teams[1].tasks[0].assignee = "a".into();
    assert_eq!(
        only(&workflow).2,
        "agent `a` is not a member of team `docs`: add it to `members`, or assign one of its \
         members: `b`"
    );
    workflow.teams[1].tasks[0].assignee = "zebra".into();
    assert_eq!(
        only(&workflow).2,
        "unknown agent `zebra` assigned to task `write`: the agents are `a` and `b`"
    );
}

#[test]
fn a_cycle_is_named_in_order_from_the_entry_that_closes_it() {
    let mut workflow = two_teams();
    workflow.teams[1].tasks[0].after = vec![TaskRef::new("build", "compile")];
    assert_eq!(
        only_at(&workflow, Rule::Cycle, "teams[1].tasks[0].after[0]"),
        "dependency cycle: `docs.write` -> `build.compile` -> `docs.write` (each task waits \
         for the next): remove one of these dependencies"
    );
    workflow.teams[1].tasks[0].after = vec![TaskRef::new("docs", "write")];
    assert_eq!(
        only(&workflow).2,
        "task `write` depends on itself: remove it from `after`"
    );
}

/// `count` tasks `t0`.. in one team: each after the one before, `t0` after the last.
fn ring(count: usize) -> Workflow {
    let mut workflow = Workflow::new("ring");
    workflow.agents = vec![Agent::new("a")];
    let mut team = Team::new("crew", ["a"]);
    team.tasks = (0..count)
        .map(|i| {
            let mut task = Task::new(format!("t{i}"), format!("T{i}"), "a");
            let before = (i + count - 1) % count;
            task.after = vec![TaskRef::new("crew", format!("t{before}"))];
            task
        })
        .collect();
    workflow.teams = vec![team];
    workflow
}

#[test]
fn a_long_cycle_is_checked_without_deep_recursion_and_told_briefly() {
    // 20,000 tasks in one cycle, checked on a thread with a small stack: a recursive search
    // would overflow it.
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| found(&ring(20_000)))
        .expect("the thread starts");
    let problems = worker
        .join()
        .expect("checking a long cycle does not overflow");
    assert_eq!(problems.len(), 1);
    let (rule, path, text) = &problems[0];
    assert_eq!(
        (*rule, path.as_str()),
        (Rule::Cycle, "teams[0].tasks[1].after[0]")
    );
    assert_eq!(
        text,
        "dependency cycle through 20000 tasks: `t1` -> `t0` -> `t19999` -> `t19998` -> \
         `t19997` -> ... 19991 more ... -> `t5` -> `t4` -> `t3` -> `t2` -> `t1` (each task \
         waits for the next): remove one of these dependencies"
    );
    // Eleven steps still read whole.
    assert!(
        only(&ring(10))
            .2
            .starts_with("dependency cycle: `t1` -> `t0` -> `t9`")
    );
}

#[test]
fn many_cycles_are_listed_up_to_a_limit() {
    let mut workflow = Workflow::new("cycles");
    workflow.agents = vec![Agent::new("a")];
    let mut team = Team::new("crew", ["a"]);
    for i in 0..20 {
        let mut x = Task::new(format!("x{i}"), format!("X{i}"), "a");
        x.after = vec![TaskRef::new("crew", format!("y{i}"))];
        let mut y = Task::new(format!("y{i}"), format!("Y{i}"), "a");
        y.after = vec![TaskRef::new("crew", format!("x{i}"))];
        team.tasks.extend([x, y]);
    }
    workflow.teams = vec![team];
    let problems = found(&workflow);
    assert_eq!(problems.len(), graph::CYCLES_MAX + 1);
    assert!(
        problems[..graph::CYCLES_MAX]
            .iter()
            .all(|p| p.0 == Rule::Cycle)
    );
    assert_eq!(problems[graph::CYCLES_MAX].0, Rule::MoreCycles);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut workflow = two_teams();
    workflow.name = "".into();
    workflow.agents[0].program = "".into();
    workflow.teams[0].tasks[1].assignee = "zz".into();
    workflow.teams[1].tasks[0].after = vec![TaskRef::new("build", "nope")];
    let error = check(&workflow).expect_err("four problems");
    assert_eq!(error.len(), 4);
    assert!(
        error
            .to_string()
            .starts_with("4 problems:\n  name: the name")
    );
}

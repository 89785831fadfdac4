//! One set of rules, whatever the front end: each semantic mistake is made three times,
//! through `workflow!` (a UI case, whose compile errors `tests/ui/<case>.stderr` records and
//! the UI suite checks), through the model built by hand, and through a workflow file (the
//! hand-built model written in its file form and read back by `telemachy::load`, each error
//! at a line and column), and all three must give the same messages.
//!
//! To cover another front end, give [`Case`] a column for it and compare its messages in
//! [`same_messages_from_every_front_end`].

use std::time::Duration;

use telemachy::rules;
use telemachy::spec::{Agent, Docker, Runtime, Task, TaskRef, Team, Workflow};

/// One mistake, made through each front end.
struct Case {
    /// The UI case (`tests/ui/<ui>.rs`) that makes it with `workflow!`.
    ui: &'static str,
    /// The same workflows (one per `workflow!` in the case), built by hand.
    model: fn() -> Vec<Workflow>,
}

const CASES: &[Case] = &[
    Case {
        ui: "empty-team",
        model: || {
            let mut w = audit(&["architect"]);
            team(&mut w, "audit_team", &[]);
            vec![w]
        },
    },
    Case {
        ui: "duplicate-subject",
        model: || {
            let mut w = audit(&["architect"]);
            let t = team(&mut w, "audit_team", &["architect"]);
            task(
                t,
                "analyse",
                "Analyse repository structure",
                "architect",
                &[],
            );
            task(
                t,
                "analyse_again",
                "Analyse repository structure",
                "architect",
                &[],
            );
            let t = team(&mut w, "other_team", &["architect"]);
            task(
                t,
                "analyse",
                "Analyse repository structure",
                "architect",
                &[],
            );
            vec![w]
        },
    },
    Case {
        ui: "duplicate-identifiers",
        model: || {
            let mut w = audit(&["architect", "architect"]);
            w.agents[1].model = Some("claude-opus-4-5".into());
            let t = team(&mut w, "audit_team", &["architect"]);
            task(t, "analyse", "Analyse", "architect", &[]);
            task(t, "analyse", "Analyse again", "architect", &[]);
            team(&mut w, "audit_team", &["architect"]);
            vec![w]
        },
    },
    Case {
        ui: "server-name-collision",
        model: || {
            let mut w = workflow("fleet", &["scout_alpha", "scout_beta", "lead"]);
            w.agents[0].name = "scout-alpha".into();
            w.agents[1].name = "scout-alpha".into();
            team(&mut w, "lead_team", &["lead"]).name = "lead".into();
            vec![w]
        },
    },
    Case {
        ui: "invalid-resource-name",
        model: || {
            let mut w = audit(&["architect", "café"]);
            w.agents[0].name = "lead\narchitect".into();
            team(&mut w, "audit_team", &["architect", "café"]).name = "".into();
            vec![w]
        },
    },
    Case {
        ui: "invalid-workflow-name",
        model: || vec![workflow("codebase\taudit", &[]), workflow("", &[])],
    },
    Case {
        ui: "unknown-agent-in-team",
        model: || {
            let mut w = workflow("codebase-audit", &["architect", "implementer"]);
            let t = team(&mut w, "audit_team", &["architect", "implementor"]);
            task(
                t,
                "analyse",
                "Analyse repository structure",
                "architect",
                &[],
            );
            vec![w]
        },
    },
    Case {
        ui: "unknown-agent-no-suggestion",
        model: || {
            let mut w = audit(&["architect", "implementer"]);
            team(&mut w, "audit_team", &["architect", "zebra"]);
            vec![w]
        },
    },
    Case {
        ui: "unknown-assignee",
        model: || {
            let mut w = audit(&["architect", "implementer"]);
            let t = team(&mut w, "audit_team", &["architect", "implementer"]);
            task(t, "refactor", "Refactor", "implementor", &[]);
            vec![w]
        },
    },
    Case {
        ui: "assignee-not-a-member",
        model: || {
            let mut w = audit(&["architect", "implementer", "tester"]);
            let t = team(&mut w, "audit_team", &["architect", "implementer"]);
            task(t, "test", "Write tests", "tester", &[]);
            vec![w]
        },
    },
    Case {
        ui: "listed-twice",
        model: || {
            let mut w = audit(&["architect"]);
            let t = team(&mut w, "audit_team", &["architect", "architect"]);
            task(t, "analyse", "Analyse", "architect", &[]);
            let after = [("audit_team", "analyse"), ("audit_team", "analyse")];
            task(t, "refactor", "Refactor", "architect", &after);
            vec![w]
        },
    },
    Case {
        ui: "self-dependency",
        model: || {
            let mut w = audit(&["architect"]);
            let t = team(&mut w, "audit_team", &["architect"]);
            task(
                t,
                "analyse",
                "Analyse",
                "architect",
                &[("audit_team", "analyse")],
            );
            task(
                t,
                "review",
                "Review",
                "architect",
                &[("audit_team", "review")],
            );
            vec![w]
        },
    },
    Case {
        ui: "unknown-dependency",
        model: || {
            let mut w = audit(&["architect"]);
            let t = team(&mut w, "audit_team", &["architect"]);
            task(t, "analyse", "Analyse", "architect", &[]);
            task(
                t,
                "refactor",
                "Refactor",
                "architect",
                &[("audit_team", "analyze")],
            );
            vec![w]
        },
    },
    Case {
        ui: "unknown-dependency-in-other-team",
        model: || {
            let mut w = workflow("fleet", &["scout", "lead"]);
            task(
                team(&mut w, "scouts", &["scout"]),
                "survey",
                "Survey",
                "scout",
                &[],
            );
            let after = [
                ("scuots", "survey"),
                ("scouts", "servey"),
                ("scouts", "summary"),
            ];
            task(
                team(&mut w, "leads", &["lead"]),
                "report",
                "Report",
                "lead",
                &after,
            );
            vec![w]
        },
    },
    Case {
        ui: "dependency-in-other-team-unqualified",
        model: || {
            let mut w = workflow("fleet", &["scout", "lead"]);
            task(
                team(&mut w, "scouts", &["scout"]),
                "survey",
                "Survey",
                "scout",
                &[],
            );
            let after = [("leads", "survey")];
            task(
                team(&mut w, "leads", &["lead"]),
                "report",
                "Report",
                "lead",
                &after,
            );
            vec![w]
        },
    },
    Case {
        ui: "dependency-cycle",
        model: || {
            let mut w = audit(&["architect"]);
            let t = team(&mut w, "audit_team", &["architect"]);
            for (id, subject, after) in [
                ("analyse", "Analyse", "test"),
                ("refactor", "Refactor", "analyse"),
                ("test", "Test", "refactor"),
                ("report", "Report", "test"),
            ] {
                task(t, id, subject, "architect", &[("audit_team", after)]);
            }
            vec![w]
        },
    },
    Case {
        ui: "dependency-cycle-across-teams",
        model: || {
            let mut w = workflow("fleet", &["scout", "lead"]);
            let t = team(&mut w, "scouts", &["scout"]);
            task(t, "survey", "Survey", "scout", &[("leads", "plan")]);
            let t = team(&mut w, "leads", &["lead"]);
            task(t, "plan", "Plan", "lead", &[("leads", "report")]);
            task(t, "report", "Report", "lead", &[("scouts", "survey")]);
            vec![w]
        },
    },
    Case {
        ui: "long-cycle",
        model: || {
            let mut w = workflow("ring", &["worker"]);
            let t = team(&mut w, "crew", &["worker"]);
            for i in 0..30 {
                let before = format!("t{}", (i + 29) % 30);
                let mut step = Task::new(format!("t{i}"), format!("Step {i}"), "worker");
                step.after = vec![TaskRef::new("crew", before)];
                t.tasks.push(step);
            }
            vec![w]
        },
    },
    Case {
        ui: "empty-values",
        model: || {
            let mut w = audit(&["architect"]);
            let a = &mut w.agents[0];
            a.program = "".into();
            a.model = Some("".into());
            a.working_dir = "".into();
            let t = team(&mut w, "audit_team", &["architect"]);
            task(t, "analyse", "", "architect", &[]).kind = "".into();
            vec![w]
        },
    },
    Case {
        ui: "docker-without-image",
        model: || {
            let mut w = workflow("fleet", &["scout"]);
            docker(&mut w.agents[0], "", |_| {});
            vec![w]
        },
    },
    Case {
        ui: "zero-cpus",
        model: || {
            let mut w = workflow("fleet", &["scout"]);
            let image = "ghcr.io/homericintelligence/achaeanfleet:latest";
            docker(&mut w.agents[0], image, |d| d.cpus = 0);
            vec![w]
        },
    },
    Case {
        ui: "memory-not-a-size",
        model: || {
            let mut w = workflow("fleet", &["scout_alpha", "scout_beta", "scout_gamma"]);
            let image = "ghcr.io/homericintelligence/achaeanfleet:latest";
            for (agent, memory) in w.agents.iter_mut().zip(["lots", "4gb", "0g"]) {
                docker(agent, image, |d| d.memory = memory.into());
            }
            vec![w]
        },
    },
    Case {
        ui: "docker-settings-out-of-range",
        model: || {
            let ids = ["huge", "tiny", "bytes", "smallest", "many", "beyond_u32"];
            let mut w = workflow("fleet", &ids);
            let settings: [(&str, u32); 6] = [
                ("99999999999999999999t", 2),
                ("5m", 2),
                ("6291455", 2),
                ("6m", 4096),
                ("4g", 4097),
                ("4g", u32::MAX),
            ];
            for (agent, (memory, cpus)) in w.agents.iter_mut().zip(settings) {
                docker(agent, "alpine:3", |d| {
                    d.memory = memory.into();
                    d.cpus = cpus;
                });
            }
            vec![w]
        },
    },
    Case {
        ui: "zero-timeout",
        model: || vec![timed("audit", Duration::ZERO)],
    },
    Case {
        ui: "timeout-out-of-range",
        model: || {
            vec![
                timed("largest", Duration::from_secs(u64::MAX)),
                timed("beyond-u64", Duration::MAX),
                timed("just-over", Duration::from_secs(3_153_600_001)),
                timed("decimal", Duration::MAX),
                timed("at-the-bound", Duration::from_secs(3_153_600_000)),
            ]
        },
    },
];

#[test]
fn same_messages_from_every_front_end() {
    let mut compared = 0;
    for case in CASES {
        let from_macro = macro_messages(case.ui);
        let from_model: Vec<String> = (case.model)()
            .iter()
            .flat_map(rules::problems)
            .map(|problem| problem.to_string())
            .collect();
        assert!(
            !from_model.is_empty(),
            "{}: the model has no mistake",
            case.ui
        );
        let from_file: Vec<String> = (case.model)().iter().flat_map(file_messages).collect();
        assert_eq!(
            sorted(from_macro),
            sorted(from_model.clone()),
            "{}: the macro (tests/ui/{0}.stderr) and the model disagree",
            case.ui
        );
        assert_eq!(
            sorted(from_file),
            sorted(from_model),
            "{}: a workflow file and the model disagree",
            case.ui
        );
        compared += 1;
    }
    assert_eq!(compared, CASES.len());
}

#[test]
fn every_case_names_a_ui_case() {
    for case in CASES {
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../tests/ui/{}.rs", case.ui));
        assert!(source.is_file(), "{} is missing", source.display());
    }
}

/// The messages of `tests/ui/<case>.stderr`: every `error: ...` line, without `error: `.
fn macro_messages(case: &str) -> Vec<String> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/ui/{case}.stderr"));
    let stderr = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("error: "))
        .map(str::to_owned)
        .collect()
}

/// The messages of `workflow` written as a workflow file (its file form, in JSON) and read
/// back by the loader; each error must have its line and column.
fn file_messages(workflow: &Workflow) -> Vec<String> {
    let text = serde_json::to_string_pretty(workflow).expect("the model has a file form");
    let error = match telemachy::load::load_str(&text, "case.json") {
        Ok(_) => return Vec::new(),
        Err(error) => error,
    };
    error
        .diagnostics()
        .iter()
        .map(|diagnostic| {
            assert!(
                diagnostic.position.is_some(),
                "{diagnostic} has no position"
            );
            diagnostic.message.clone()
        })
        .collect()
}

/// Every front end reports every mistake; the order is the front end's (the macro's is the
/// source's).
fn sorted(mut messages: Vec<String>) -> Vec<String> {
    messages.sort();
    messages
}

fn workflow(name: &str, agents: &[&str]) -> Workflow {
    let mut workflow = Workflow::new(name.to_owned());
    workflow.agents = agents.iter().map(|id| Agent::new(id.to_string())).collect();
    workflow
}

fn audit(agents: &[&str]) -> Workflow {
    workflow("audit", agents)
}

fn timed(name: &str, timeout: Duration) -> Workflow {
    let mut workflow = workflow(name, &[]);
    workflow.timeout = Some(timeout);
    workflow
}

fn team<'w>(workflow: &'w mut Workflow, id: &str, members: &[&str]) -> &'w mut Team {
    let members = members.iter().map(|member| member.to_string());
    workflow.teams.push(Team::new(id.to_owned(), members));
    let last = workflow.teams.len() - 1;
    &mut workflow.teams[last]
}

fn task<'t>(
    team: &'t mut Team,
    id: &str,
    subject: &str,
    assignee: &str,
    after: &[(&str, &str)],
) -> &'t mut Task {
    let mut task = Task::new(id.to_owned(), subject.to_owned(), assignee.to_owned());
    task.after = after
        .iter()
        .map(|(team, task)| TaskRef::new(team.to_string(), task.to_string()))
        .collect();
    team.tasks.push(task);
    let last = team.tasks.len() - 1;
    &mut team.tasks[last]
}

fn docker(agent: &mut Agent, image: &str, edit: impl FnOnce(&mut Docker)) {
    let mut docker = Docker::new(image.to_owned());
    edit(&mut docker);
    agent.runtime = Runtime::Docker(docker);
}

//! Workflows from files: the Python tool's three example files plan with the keys of the
//! ported examples; `telemachy convert` turns each into source that compiles (the files in
//! `tests/data/converted/`, compiled here as modules) and plans exactly like the file; the
//! `telemachy` binary runs, validates and converts them.
//!
//! After a deliberate change to what `convert` writes, regenerate the converted files with
//! `TELEMACHY_BLESS=1 cargo test --test files`, and review the diff.
#![allow(
    clippy::duplicate_mod,
    reason = "each example brings its copy of the shared plan printer"
)]

#[path = "files/binary.rs"]
mod binary;

use std::path::{Path, PathBuf};

use telemachy::executor::Plan;
use telemachy::load::{self, Format};
use telemachy::spec::Workflow;

// The ported examples, compiled here as modules so that their specs can be planned.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/codebase_audit.rs"]
mod codebase_audit_example;
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/fleet_security.rs"]
mod fleet_security_example;
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/hello_world.rs"]
mod hello_world_example;

// What `telemachy convert` made of the three files, compiled as they are.
#[allow(dead_code, unreachable_pub)]
#[path = "data/converted/edge-cases.rs"]
mod edge_cases_converted;
#[allow(dead_code, unreachable_pub)]
#[path = "data/converted/example.rs"]
mod example_converted;
#[allow(dead_code, unreachable_pub)]
#[path = "data/converted/fleet-deploy.rs"]
mod fleet_deploy_converted;
#[allow(dead_code, unreachable_pub)]
#[path = "data/converted/hello-world.rs"]
mod hello_world_converted;

/// The Python tool's files, each with its ported example's spec.
fn ported() -> [(&'static str, Workflow); 3] {
    [
        ("hello-world", hello_world_example::hello_world::spec()),
        ("example", codebase_audit_example::codebase_audit::spec()),
        (
            "fleet-deploy",
            fleet_security_example::fleet_security::spec(),
        ),
    ]
}

/// Every file of `tests/data/workflows/`, each with the spec of its converted source
/// (`edge-cases` holds every awkward name: keywords, names that are no identifiers, names
/// that give the same identifier, text that needs escaping).
fn converted() -> [(&'static str, Workflow); 4] {
    [
        (
            "hello-world",
            hello_world_converted::hello_world_e2e::spec(),
        ),
        ("example", example_converted::codebase_audit::spec()),
        (
            "fleet-deploy",
            fleet_deploy_converted::fleet_security_analysis::spec(),
        ),
        ("edge-cases", edge_cases_converted::edge_cases_v1::spec()),
    ]
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(path)
}

fn python_file(name: &str) -> PathBuf {
    data(&format!("workflows/{name}.yaml"))
}

fn loaded(name: &str) -> Workflow {
    let loaded = load::load_file(python_file(name)).expect("the Python tool's file loads");
    assert_eq!(loaded.format, Format::Python);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.workflow
}

/// A plan by what the server sees: keys, definitions, subjects and dependencies by
/// subject, descriptions with their whitespace folded (YAML folds lines, `\` joins them).
fn by_keys(plan: &Plan) -> Vec<String> {
    let fold = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut lines = vec![format!(
        "workflow {} teardown {} timeout {:?}",
        plan.workflow, plan.teardown, plan.timeout
    )];
    for agent in &plan.agents {
        lines.push(format!("agent {} {:?}", agent.key, agent.definition));
    }
    for team in &plan.teams {
        let members: Vec<&str> = team
            .members
            .iter()
            .map(|&agent| plan.agents[agent].key.as_str())
            .collect();
        lines.push(format!("team {} members {members:?}", team.key));
    }
    for &index in &plan.order {
        let task = &plan.tasks[index];
        let after: Vec<&str> = task
            .after
            .iter()
            .map(|&dependency| plan.tasks[dependency].subject.as_str())
            .collect();
        lines.push(format!(
            "task {} {:?} by {} after {after:?} type {} description {:?}",
            plan.teams[task.team].key,
            task.subject,
            plan.agents[task.assignee].key,
            task.kind,
            fold(&task.description),
        ));
    }
    lines
}

#[test]
fn names_stay_and_identifiers_are_derived() {
    let fleet = loaded("fleet-deploy");
    assert_eq!(fleet.name, "fleet-security-analysis");
    let lead = fleet.agent("lead_analyst").expect("derived identifier");
    assert_eq!(lead.name, "lead-analyst");
    assert_eq!(
        lead.runtime,
        telemachy::spec::Runtime::Docker(telemachy::spec::Docker {
            image: "ghcr.io/homericintelligence/achaeanfleet:latest".into(),
            cpus: 4,
            memory: "8g".into(),
        })
    );
    let team = &fleet.teams[0];
    assert_eq!(
        (&*team.id, &*team.name),
        ("security_fleet", "security-fleet")
    );
    let aggregate = &team.tasks[3];
    assert_eq!(aggregate.id, "aggregate_findings_into_executive");
    assert_eq!(aggregate.assignee, "lead_analyst");
    let after: Vec<String> = aggregate.after.iter().map(ToString::to_string).collect();
    assert_eq!(
        after,
        [
            "security_fleet.audit_auth_service_for_security",
            "security_fleet.audit_payment_service_for_security",
            "security_fleet.audit_notification_service_for_security",
        ]
    );
}

#[test]
fn the_python_files_plan_with_the_keys_of_the_ported_examples() {
    for (name, ported) in ported() {
        let from_file = Plan::new(&loaded(name)).expect("the file plans");
        let ported = Plan::new(&ported).expect("the example plans");
        assert_eq!(by_keys(&from_file), by_keys(&ported), "{name}");
    }
}

#[test]
fn converted_sources_are_what_convert_writes_and_plan_exactly_like_their_files() {
    let bless = std::env::var_os("TELEMACHY_BLESS").is_some();
    for (name, converted) in converted() {
        let workflow = loaded(name);
        let source = telemachy::convert::to_rust(&workflow);
        let path = data(&format!("converted/{name}.rs"));
        if bless {
            std::fs::write(&path, &source).expect("the converted file is written");
        } else {
            let committed = std::fs::read_to_string(&path).expect("the converted file is there");
            assert_eq!(
                committed, source,
                "{name}: `convert` writes other source now: TELEMACHY_BLESS=1 cargo test --test files"
            );
        }
        assert_eq!(
            Plan::new(&converted).expect("the converted source plans"),
            Plan::new(&workflow).expect("the file plans"),
            "{name}"
        );
        assert_eq!(
            converted.description.trim(),
            workflow.description.trim(),
            "{name}"
        );
    }
}

#[test]
fn the_model_round_trips_through_its_file_form() {
    let specs = ported().into_iter().chain(converted());
    for (name, ported) in specs {
        for text in [
            serde_json::to_string_pretty(&ported).expect("serialises"),
            to_yaml(&ported),
        ] {
            let back = load::load_str(&text, name).expect("the file form loads");
            assert_eq!(back.format, Format::Model);
            assert_eq!(back.workflow, ported, "{name}:\n{text}");
        }
    }
}

/// The file form as block YAML: JSON values are YAML, one per line under its key.
fn to_yaml(workflow: &Workflow) -> String {
    fn write(out: &mut String, value: &serde_json::Value, depth: usize) {
        let pad = "  ".repeat(depth);
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        serde_json::Value::Object(_) => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            write(out, value, depth + 1);
                        }
                        serde_json::Value::Array(items) if !items.is_empty() => {
                            out.push_str(&format!("{pad}{key}:\n"));
                            for item in items {
                                out.push_str(&format!("{pad}  -\n"));
                                write(out, item, depth + 2);
                            }
                        }
                        scalar => out.push_str(&format!("{pad}{key}: {scalar}\n")),
                    }
                }
            }
            scalar => out.push_str(&format!("{pad}{scalar}\n")),
        }
    }
    let value = serde_json::to_value(workflow).expect("serialises");
    let mut out = String::new();
    write(&mut out, &value, 0);
    out
}

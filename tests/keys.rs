//! The idempotency keys match, byte for byte, the keys the Python tool produced, both from
//! the runtime function and from the constants `workflow!` computes while it expands; and
//! the ported examples' `spec()` is exactly the model each declares.
#![allow(
    clippy::duplicate_mod,
    reason = "each example brings its copy of the shared plan printer"
)]

use serde::Deserialize;
use telemachy::key::{is_key, make_key};

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    workflow: String,
    resource: String,
    key: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/key-vectors.json");
    let parsed: Vectors = serde_json::from_str(text).expect("tests/data/key-vectors.json parses");
    parsed.vectors
}

#[test]
fn every_python_vector_matches() {
    let vectors = vectors();
    assert!(vectors.len() >= 17, "the vector file lost entries");
    for v in &vectors {
        assert_eq!(
            make_key(&v.workflow, &v.resource),
            v.key,
            "key of workflow {:?} resource {:?}",
            v.workflow,
            v.resource
        );
    }
}

#[test]
fn every_python_key_is_recognised_as_a_key() {
    for v in vectors() {
        assert!(is_key(&v.key), "{} is a key", v.key);
    }
    assert!(!is_key("tlm-short-name"));
    assert!(!is_key("architect"));
    assert!(!is_key("tlm-239586DD8390F095-architect"));
}

// The ported examples, compiled here as modules so that their key constants can be checked.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/hello_world.rs"]
mod hello_world_example;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/codebase_audit.rs"]
mod codebase_audit_example;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/fleet_security.rs"]
mod fleet_security_example;

telemachy::workflow! {
    /// Names that exercise every rule of a key: kept characters, and the cut at 40.
    workflow key_rules {
        name: "wf-a",

        agent worker {}
        agent dotted { name: "under_score.dot-dash" }
        agent long { name: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }

        team crew { name: "crew.v2", members: [worker] }
    }
}

telemachy::workflow! {
    /// Names as the Python tool allows them: spaces and non-ASCII, resumable with its keys.
    workflow python_names {
        name: "fleet security",

        agent scout { name: "scout alpha" }
        agent späher {}
        agent emoji { name: "emoji 🚀 agent" }

        team crew { name: "fleet security", members: [scout, späher, emoji] }
    }
}

/// The Python tool's key for `resource` in `workflow`, from the vector file.
fn python_key(workflow: &str, resource: &str) -> String {
    vectors()
        .into_iter()
        .find(|v| v.workflow == workflow && v.resource == resource)
        .map(|v| v.key)
        .unwrap_or_else(|| panic!("no vector for {workflow:?} / {resource:?}"))
}

#[test]
fn generated_constants_equal_the_runtime_function() {
    let spec = key_rules::spec();
    assert_eq!(key_rules::NAME, "wf-a");
    assert_eq!(key_rules::agents::WORKER, make_key("wf-a", "worker"));
    assert_eq!(
        key_rules::agents::DOTTED,
        make_key("wf-a", "under_score.dot-dash")
    );
    assert_eq!(key_rules::agents::LONG, make_key("wf-a", &"x".repeat(50)),);
    assert_eq!(key_rules::teams::CREW, make_key("wf-a", "crew.v2"));
    // The same keys as the specification derives at run time.
    for agent in &spec.agents {
        let constant = match agent.id.as_ref() {
            "worker" => key_rules::agents::WORKER,
            "dotted" => key_rules::agents::DOTTED,
            "long" => key_rules::agents::LONG,
            other => panic!("unexpected agent {other}"),
        };
        assert_eq!(constant, spec.key(&agent.name));
    }
}

#[test]
fn generated_constants_equal_python_vectors() {
    assert_eq!(key_rules::agents::WORKER, python_key("wf-a", "worker"));
    assert_eq!(
        key_rules::agents::DOTTED,
        python_key("wf-a", "under_score.dot-dash")
    );
}

#[test]
fn names_with_spaces_and_non_ascii_keep_the_python_keys() {
    assert_eq!(
        python_names::agents::SCOUT,
        python_key("fleet security", "scout alpha")
    );
    assert_eq!(
        python_names::agents::SPÄHER,
        python_key("fleet security", "späher")
    );
    assert_eq!(
        python_names::agents::EMOJI,
        python_key("fleet security", "emoji 🚀 agent")
    );
    assert_eq!(
        python_names::teams::CREW,
        python_key("fleet security", "fleet security")
    );
    // The runtime checks and plans the same workflow with the same keys.
    let plan = telemachy::executor::Plan::new(&python_names::spec()).expect("the names are valid");
    assert_eq!(plan.agents[0].key, python_names::agents::SCOUT);
    assert_eq!(plan.agents[0].definition.label, "scout alpha");
}

#[test]
fn ported_examples_keep_the_python_keys() {
    use codebase_audit_example::codebase_audit;
    use fleet_security_example::fleet_security;
    use hello_world_example::hello_world;

    assert_eq!(hello_world::NAME, "hello-world-e2e");
    assert_eq!(codebase_audit::NAME, "codebase-audit");
    assert_eq!(fleet_security::NAME, "fleet-security-analysis");
    // Each workflow's generated constants, with the resource names of the Python workflow.
    let keys: [(&str, &[(&str, &str)]); 3] = [
        (
            hello_world::NAME,
            &[
                (hello_world::agents::HELLO_WORKER, "hello-worker"),
                (hello_world::teams::HELLO_TEAM, "hello-team"),
            ],
        ),
        (
            codebase_audit::NAME,
            &[
                (codebase_audit::agents::ARCHITECT, "architect"),
                (codebase_audit::agents::IMPLEMENTER, "implementer"),
                (codebase_audit::teams::AUDIT_TEAM, "audit-team"),
            ],
        ),
        (
            fleet_security::NAME,
            &[
                (fleet_security::agents::SCOUT_ALPHA, "scout-alpha"),
                (fleet_security::agents::LEAD_ANALYST, "lead-analyst"),
                (fleet_security::teams::SECURITY_FLEET, "security-fleet"),
            ],
        ),
    ];
    for (workflow, constants) in keys {
        for &(constant, resource) in constants {
            assert_eq!(
                constant,
                python_key(workflow, resource),
                "{workflow}: {resource}"
            );
        }
    }
}

#[test]
fn ported_examples_match_the_python_workflows() {
    use codebase_audit_example::codebase_audit;
    use fleet_security_example::fleet_security;
    use telemachy::spec::{Runtime, TaskRef};

    let audit = codebase_audit::spec();
    let team = audit.team("audit_team").expect("audit_team is declared");
    let subjects: Vec<&str> = team.tasks.iter().map(|t| t.subject.as_ref()).collect();
    assert_eq!(
        subjects,
        [
            "Analyse repository structure",
            "Refactor highest-priority module",
            "Write unit tests for refactored module",
        ]
    );
    assert_eq!(
        team.tasks[2].after,
        [TaskRef::new("audit_team", "refactor")]
    );

    let fleet = fleet_security::spec();
    let docker_agents = fleet
        .agents
        .iter()
        .filter(|agent| matches!(agent.runtime, Runtime::Docker(_)))
        .count();
    assert_eq!(docker_agents, 4);
    let aggregate = fleet
        .task(&TaskRef::new("security_fleet", "aggregate"))
        .expect("aggregate is declared");
    assert_eq!(aggregate.after.len(), 3);
}

/// `spec()` of each ported example, as `{:#?}`, is what `tests/data/specs/` holds: the model
/// as written when `spec()` was still a function of struct literals, before it became static
/// tables. (The passing UI cases check themselves against the same directory.) Should the
/// model gain a field, add it to these files by hand, with the value each workflow means.
#[test]
fn ported_examples_keep_their_spec() {
    let examples = [
        (
            hello_world_example::hello_world::spec(),
            include_str!("data/specs/hello_world.txt"),
        ),
        (
            codebase_audit_example::codebase_audit::spec(),
            include_str!("data/specs/codebase_audit.txt"),
        ),
        (
            fleet_security_example::fleet_security::spec(),
            include_str!("data/specs/fleet_security.txt"),
        ),
    ];
    for (spec, expected) in examples {
        assert_eq!(
            format!("{spec:#?}\n"),
            expected,
            "spec() of `{}`",
            spec.name
        );
    }
}

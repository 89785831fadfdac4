//! The loader on the Python tool's files and on mistakes, message by message.

use super::*;

fn errors(text: &str) -> Vec<String> {
    match load_str(text, "w.yaml") {
        Ok(_) => Vec::new(),
        Err(error) => error
            .diagnostics()
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

#[test]
fn unknown_fields_get_the_other_formats_name_and_a_position() {
    let text = "apiVersion: telemachy/v1\nmetadata: {name: w}\nagents:\n  - name: a\n    image: x\nteams:\n  - name: t\n    members: [a]\n    agents: [a]\n    tasks:\n      - subject: S\n        description: D\n        assignee: a\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:5:5: error: unknown field `image` in agent `a`: did you mean `docker_image`?",
            "w.yaml:8:5: error: unknown field `members` in team `t`: did you mean `agents`?",
            "w.yaml:13:9: error: unknown field `assignee` in task `S`: did you mean `assign_to`?",
        ]
    );
    let text = "name: w\ntimeout_seconds: 5\nagents:\n  - id: a\n    docker_image: x\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:2:1: error: unknown field `timeout_seconds` in workflow `w`: did you mean `timeout`?",
            "w.yaml:5:5: error: unknown field `docker_image` in agent `a`: did you mean `image`?",
        ]
    );
}

#[test]
fn values_of_the_wrong_kind_say_what_to_write() {
    let text = "name: w\nagents:\n  - id: a\n    runtime: docker\n    image: x\n    cpus: \"2\"\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:6:11: error: `cpus` expects a whole number, found a string: write it without quotes"
        ]
    );
    let text = "name: w\nteardown: on_complete\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:2:11: error: unknown teardown policy `on_complete`: did you mean `on_completion`?"
        ]
    );
    let text = "name: w\nagents:\n  - id: a\n    runtime: dokcer\n";
    assert_eq!(
        errors(text),
        ["w.yaml:4:14: error: unknown runtime `dokcer`: did you mean `docker`?"]
    );
    let text = "name: w\nteams:\n  - id: t\n    tasks: []\n";
    assert_eq!(
        errors(text),
        ["w.yaml:3:5: error: team `t` has no `members`: add it"]
    );
}

#[test]
fn python_references_are_resolved_by_name_and_subject() {
    let text = "metadata: {name: w}\nagents: [{name: scout-alpha}]\nteams:\n  - name: t\n    agents: [scout-alpah]\n    tasks:\n      - {subject: One, description: d, assign_to: scout-alpha}\n      - {subject: Two, description: d, assign_to: scout-alpha, blocked_by: [one]}\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:5:14: error: unknown agent `scout-alpah` in team `t`: did you mean `scout-alpha`?",
            "w.yaml:8:77: error: task `Two` is blocked by `one`, which no task of team `t` has as its subject: did you mean `One`?",
        ]
    );
}

#[test]
fn syntax_errors_have_a_position() {
    let errors = errors("name: w\nagents: [\n");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("w.yaml:3:1: error: not valid YAML or JSON"),
        "{errors:?}"
    );
    let errors = super::tests::errors("name: w\nname: v\n");
    assert!(errors[0].starts_with("w.yaml:2:1:"), "{errors:?}");
}

#[test]
fn json_is_read_too() {
    let text = "{\n  \"name\": \"w\",\n  \"agents\": [{\"id\": \"a\", \"modle\": \"m\"}]\n}\n";
    assert_eq!(
        errors(text),
        ["w.yaml:3:26: error: unknown field `modle` in agent `a`: did you mean `model`?"]
    );
}

#[test]
fn the_models_form_places_its_own_mistakes() {
    let text = "name: w\nagents:\n  - id: a\n    image: alpine\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:3:5: error: agent `a` runs locally, so `image` does not apply: add `runtime: docker`, or remove `image`"
        ]
    );
    let text = "name: w\nagents:\n  - {id: a, runtime: docker}\n";
    assert_eq!(
        errors(text),
        ["w.yaml:3:5: error: docker agent `a` has no image: add `image: \"<image>\"`"]
    );
    let text = "name: w\nagents:\n  - id: a\n    modle: m\n    colour: blue\n";
    assert_eq!(
        errors(text),
        [
            "w.yaml:4:5: error: unknown field `modle` in agent `a`: did you mean `model`?",
            "w.yaml:5:5: error: unknown field `colour` in agent `a`: expected `id`, `name`, `program`, `model`, `working_dir`, `runtime`, `image`, `cpus` and 1 more",
        ]
    );
}

#[test]
fn local_docker_settings_in_a_python_file_are_ignored_with_a_warning() {
    let text = "metadata: {name: w}\nagents:\n  - name: a\n    cpus: 2\nteams:\n  - name: t\n    agents: [a]\n    tasks: [{subject: S, description: D, assign_to: a}]\n";
    let loaded = load_str(text, "w.yaml").expect("loads");
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "w.yaml:4:11: warning: agent `a` runs locally, so `cpus` does not apply and is ignored: add `runtime: docker`, or remove `cpus`"
        ]
    );
    assert_eq!(
        loaded.workflow.agents[0].runtime,
        crate::spec::Runtime::Local
    );
}

#[test]
fn a_python_file_needs_its_name_and_version() {
    let text = "apiVersion: telemachy/v2\nmetadata: {description: d}\nagents: []\nteams: []\n";
    let errors = errors(text);
    assert_eq!(
        errors[0],
        "w.yaml:1:13: error: unknown `apiVersion` `telemachy/v2`: this version reads `telemachy/v1`"
    );
    assert!(
        errors[1].starts_with("w.yaml:2:1: error: `metadata` has no `name`"),
        "{errors:?}"
    );
}

#[test]
fn rule_problems_are_placed_in_the_python_files_words() {
    let text = "metadata: {name: w}\nagents:\n  - {name: a, runtime: docker, memory: lots}\n  - {name: b}\nteams:\n  - name: t\n    agents: [a]\n    tasks:\n      - {subject: S, description: D, assign_to: b}\n      - {subject: S, description: D, assign_to: a}\n";
    let errors = errors(text);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "w.yaml:3:5: error: docker agent `a` has no image: add `docker_image: <image>`"
        ),
        "{errors:?}"
    );
    assert!(errors[1].starts_with("w.yaml:3:40: error: "), "{errors:?}");
    assert!(errors[1].contains("lots"), "{errors:?}");
    assert!(errors[2].starts_with("w.yaml:9:49: error: "), "{errors:?}");
    assert!(errors[2].contains("not a member"), "{errors:?}");
    assert!(errors[3].starts_with("w.yaml:10:19: error: "), "{errors:?}");
    assert!(errors[3].contains("subject"), "{errors:?}");
}

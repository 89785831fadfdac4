//! The `telemachy` binary from outside: the Python tool's files run (on the embedded
//! simulator), validate and convert; an invalid file gives every error at
//! file:line:column and exit status 2.

use std::process::{Command, Output};

use super::{data, python_file};

fn telemachy(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_telemachy"));
    command.args(args);
    for variable in [
        "AGAMEMNON_URL",
        "AGAMEMNON_API_KEY",
        "RUST_LOG",
        "CI",
        "TELEMACHY_SIM",
    ] {
        command.env_remove(variable);
    }
    command.output().expect("the telemachy binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_python_files_run_validate_and_convert() {
    for name in ["hello-world", "example", "fleet-deploy", "edge-cases"] {
        let file = python_file(name);
        let file = file.to_str().expect("a UTF-8 path");

        let validate = telemachy(&["validate", file]);
        assert_eq!(
            validate.status.code(),
            Some(0),
            "{}",
            text(&validate.stderr)
        );
        assert!(
            text(&validate.stdout).contains("is valid"),
            "{}",
            text(&validate.stdout)
        );

        let convert = telemachy(&["convert", file]);
        assert_eq!(convert.status.code(), Some(0), "{}", text(&convert.stderr));
        let committed = std::fs::read_to_string(data(&format!("converted/{name}.rs")))
            .expect("the converted file is there");
        assert_eq!(text(&convert.stdout), committed, "{name}");

        if name == "edge-cases" {
            continue; // Not one of the Python tool's files, and its timeout is 1.5 s.
        }
        let run = telemachy(&["run", file, "--sim", "--json", "--poll-interval", "0.05"]);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", text(&run.stderr));
        let report: serde_json::Value =
            serde_json::from_slice(&run.stdout).expect("`run --json` prints one JSON document");
        assert_eq!(report["status"], "succeeded", "{name}: {report}");
    }
}

#[test]
fn plan_takes_the_workflow_binarys_arguments() {
    let file = python_file("fleet-deploy");
    let file = file.to_str().expect("a UTF-8 path");
    let plan = telemachy(&["plan", file, "--json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("JSON");
    assert_eq!(
        plan["agents"][3]["key"],
        "tlm-3d00a65c7f572103-lead-analyst"
    );

    let help = telemachy(&["run", file, "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help.stdout);
    assert!(help.contains("--dry-run"), "{help}");

    let wrong = telemachy(&["plan", file, "--frobnicate"]);
    assert_eq!(wrong.status.code(), Some(2));
}

#[test]
fn an_invalid_file_gives_every_error_at_its_line_and_column() {
    let dir = std::env::temp_dir().join(format!("telemachy-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("broken.yaml");
    std::fs::write(
        &file,
        "apiVersion: telemachy/v1\n\
         metadata:\n  name: broken\n\
         agents:\n  - name: architect\n    modle: claude-opus-4-5\n\
         teams:\n  - name: crew\n    agents: [architect, implementor]\n    tasks:\n\
         \x20     - subject: Analyse\n        description: Look\n        assign_to: architect\n        priority: high\n",
    )
    .expect("the file is written");
    let path = file.to_str().expect("a UTF-8 path");
    for command in ["validate", "run", "convert", "plan"] {
        let output = telemachy(&[command, path]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert!(
            output.stdout.is_empty(),
            "{command}: {}",
            text(&output.stdout)
        );
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&format!("{path}:6:5: error: unknown field `modle` in agent `architect`: did you mean `model`?")), "{command}: {stderr}");
        assert!(stderr.contains(&format!("{path}:14:9: error: unknown field `priority` in task `Analyse`: expected `subject`, `description`, `assign_to` or `blocked_by`")), "{command}: {stderr}");
        assert!(stderr.contains(&format!("{path}:9:25: error: unknown agent `implementor` in team `crew`: the only agent is `architect`")), "{command}: {stderr}");
        assert!(
            stderr.ends_with(&format!("{path}: 3 errors\n")),
            "{command}: {stderr}"
        );
    }
    let missing = telemachy(&["validate", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("could not read `no/such/file.yaml`"));
    let _ = std::fs::remove_dir_all(&dir);
}

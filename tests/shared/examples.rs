//! The example workflow binaries as child processes: where `cargo test` builds them, a
//! command with none of the client's settings from this process's environment, and what a
//! finished command said.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The example binary `name`, which `cargo test` builds next to this test's own directory
/// (`cargo test --test <binary>` alone does not: build the examples first).
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows where it is");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    let path = profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo test` (which builds the examples) or `cargo build --examples`",
        path.display()
    );
    path
}

/// `name args...` with none of the client's variables from this process's environment, and
/// `AGAMEMNON_URL` set to `url` when given.
pub(crate) fn command(name: &str, args: &[&str], url: Option<&str>) -> Command {
    let mut command = Command::new(example(name));
    command.args(args);
    for variable in [
        "AGAMEMNON_URL",
        "AGAMEMNON_API_KEY",
        "AGAMEMNON_TIMEOUT",
        "AGAMEMNON_MAX_RETRIES",
        "AGAMEMNON_RATE_LIMIT",
        "AGAMEMNON_RATE_BURST",
        "AGAMEMNON_CA_FILE",
        "REQUIRE_TLS",
        "RUST_LOG",
        "CI",
        "TELEMACHY_SIM",
        // The Python tool's names, which a binary also reads.
        "AGAMEMNON_RATE_LIMIT_RPS",
        "AGAMEMNON_RATE_LIMIT_BURST",
        "LOG_LEVEL",
        "DEFAULT_WORKFLOW_TIMEOUT",
        "MONITOR_TIMEOUT_SECONDS",
        "MONITOR_MAX_POLLS",
        "TELEMACHY_STATE_DIR",
    ] {
        command.env_remove(variable);
    }
    if let Some(url) = url {
        command.env("AGAMEMNON_URL", url);
    }
    command
}

/// What a finished command said.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The exit status, `None` when a signal ended it.
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Outcome {
    /// Stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is JSON ({error}): {self:?}"))
    }
}

impl From<Output> for Outcome {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

//! Exit statuses, one-line failures, and JSON output.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

/// Exit status: the workflow failed or was cancelled, or `check` found orphans.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage or configuration.
pub(crate) const EXIT_USAGE: u8 = 2;

/// Why a command could not do its job: one line for stderr, and the exit status.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// A usage or configuration error (exit status 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// A failure at run time, such as an unreachable server (exit status 1).
    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Failure {
            code: EXIT_FAILED,
            message: message.into(),
        }
    }

    /// Prints the reason on one line of stderr and returns the exit status.
    pub(crate) fn report(self) -> ExitCode {
        let line = self.message.replace('\n', " ");
        let _ = writeln!(std::io::stderr().lock(), "error: {line}");
        ExitCode::from(self.code)
    }
}

/// Exit status 0 when `ok`, else 1.
pub(crate) fn exit_status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

/// Writes `value` as pretty JSON and a newline on stdout.
pub(crate) fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|error| Failure::runtime(format!("could not write JSON: {error}")))?;
    print_text(&text);
    Ok(())
}

/// Writes `text` and a newline on stdout; a closed stdout (`| head`) is not an error.
pub(crate) fn print_text(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

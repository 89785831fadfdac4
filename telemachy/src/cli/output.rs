//! One-line failures, exit statuses, and what goes to stdout: text, or the JSON document.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::document::{Document, View};
use crate::cli::exit;
use crate::cli::stderr;

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
            code: exit::USAGE,
            message: message.into(),
        }
    }

    /// Another run of the workflow holds its lease (exit status 4).
    pub(crate) fn lease_held(message: impl Into<String>) -> Self {
        Failure {
            code: exit::LEASE_HELD,
            message: message.into(),
        }
    }

    /// A failure at run time, such as an unreachable server (exit status 1).
    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Failure {
            code: exit::FAILED,
            message: message.into(),
        }
    }

    /// Prints the reason on one line of stderr and returns the exit status.
    pub(crate) fn report(self) -> ExitCode {
        stderr::error(&self.message);
        ExitCode::from(self.code)
    }
}

/// Exit status 0 when `ok`, else 1.
pub(crate) fn exit_status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::FAILED)
    }
}

/// Writes `view`'s JSON document (see [`Document`]) and a newline on stdout.
pub(crate) fn print_json<T: View>(view: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(&Document::new(view))
        .map_err(|error| Failure::runtime(format!("could not write JSON: {error}")))?;
    print_text(&text);
    Ok(())
}

/// Writes `view` on stdout: its JSON document when `json`, else `text(view)`.
pub(crate) fn print_view<T: View>(
    view: &T,
    json: bool,
    text: impl FnOnce(&T) -> String,
) -> Result<(), Failure> {
    if json {
        print_json(view)
    } else {
        print_text(&text(view));
        Ok(())
    }
}

/// Writes `text` and a newline on stdout; a closed stdout (`| head`) is not an error.
pub(crate) fn print_text(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

//! Everything a workflow binary writes on stderr besides clap's own messages: the logs
//! (`tracing`), notices, progress lines and the one-line error, in the format `--log-format`
//! chose (text, or one JSON object per line for log shippers), coloured only where
//! `--color` and `NO_COLOR` allow it.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::SystemTime;

use clap::ValueEnum;

use crate::python_env;
use crate::timestamp::format_rfc3339;

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set and not empty.
    Auto,
    /// Always, even when `NO_COLOR` is set.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// The choice for this process: `--color` if given, else `never` when `NO_COLOR` is
    /// set and not empty, else `auto`.
    pub(crate) fn resolve(flag: Option<ColorChoice>, no_color: Option<&str>) -> ColorChoice {
        match flag {
            Some(choice) => choice,
            None if no_color.is_some_and(|value| !value.is_empty()) => ColorChoice::Never,
            None => ColorChoice::Auto,
        }
    }

    /// Whether to colour a stream that `is_terminal` says is (or is not) a terminal.
    pub(crate) fn colours(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal,
        }
    }

    /// The same choice for clap's help and error messages.
    pub(crate) fn for_clap(self) -> clap::ColorChoice {
        match self {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

/// The format of what goes to stderr (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum LogFormat {
    /// Lines of text.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields.message`.
    Json,
}

/// The format chosen for this process, once [`init`] ran.
static FORMAT: OnceLock<LogFormat> = OnceLock::new();

fn format() -> LogFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Whether stderr takes JSON lines.
pub(crate) fn is_json() -> bool {
    format() == LogFormat::Json
}

/// Installs the log subscriber (filtered by `RUST_LOG`, or the Python tool's `LOG_LEVEL`,
/// default `warn`) in `format`, coloured as `color` says.
pub(crate) fn init(format: LogFormat, color: ColorChoice) {
    let _ = FORMAT.set(format);
    let lookup = |var: &str| std::env::var(var).ok();
    let from_python = match python_env::read_quietly(&lookup, "RUST_LOG") {
        Some((level, alias)) if alias != "RUST_LOG" => Some(level),
        _ => None,
    };
    let filter = match &from_python {
        Some(level) => python_env::log_filter(level).map(tracing_subscriber::EnvFilter::new),
        None => tracing_subscriber::EnvFilter::try_from_default_env().ok(),
    }
    .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Another subscriber may be installed already (a test harness); keep it.
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(color.colours(std::io::stderr().is_terminal()))
            .try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
    // Now that they can be seen.
    python_env::warn_about_alias(&lookup, "RUST_LOG");
    if let Some(level) = from_python.filter(|level| python_env::log_filter(level).is_none()) {
        tracing::warn!(
            "`LOG_LEVEL={level}` is not a level (DEBUG, INFO, WARNING, ERROR, CRITICAL): logging at `warn`"
        );
    }
}

/// Writes a notice (not a log line, not an error) on stderr.
pub(crate) fn notice(line: &str) {
    write_line("INFO", "telemachy::cli", line, None);
}

/// Writes the one line of a failed command on stderr: `error: <line>`.
pub(crate) fn error(line: &str) {
    write_line("ERROR", "telemachy::cli", line, None);
}

/// Writes one progress line on stderr, with the event as data in JSON.
pub(crate) fn progress(line: &str, event: &impl serde::Serialize) {
    let data = serde_json::to_value(event).ok();
    write_line("INFO", "telemachy::progress", line, data);
}

fn write_line(level: &str, target: &str, line: &str, data: Option<serde_json::Value>) {
    let line = line.replace('\n', " ");
    let text = match format() {
        LogFormat::Text if level == "ERROR" => format!("error: {line}"),
        LogFormat::Text => line,
        LogFormat::Json => {
            let mut fields = serde_json::json!({ "message": line });
            if let Some(data) = data {
                fields["event"] = data;
            }
            serde_json::json!({
                "timestamp": format_rfc3339(SystemTime::now()),
                "level": level,
                "target": target,
                "fields": fields,
            })
            .to_string()
        }
    };
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_colour_off_unless_the_flag_says_otherwise() {
        assert_eq!(ColorChoice::resolve(None, None), ColorChoice::Auto);
        assert_eq!(ColorChoice::resolve(None, Some("")), ColorChoice::Auto);
        assert_eq!(ColorChoice::resolve(None, Some("1")), ColorChoice::Never);
        assert_eq!(
            ColorChoice::resolve(Some(ColorChoice::Always), Some("1")),
            ColorChoice::Always
        );
        assert!(!ColorChoice::Never.colours(true));
        assert!(ColorChoice::Always.colours(false));
        assert!(ColorChoice::Auto.colours(true));
        assert!(!ColorChoice::Auto.colours(false));
    }
}

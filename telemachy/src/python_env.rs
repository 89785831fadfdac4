//! The Python tool's environment variables.
//!
//! Where one of them means the same as a variable of this crate, it is read as an alias:
//! this crate's name wins when both are set, and each alias in use is warned about once per
//! process, so that the environment can be renamed at leisure. The Python tool's variables
//! that have no counterpart here (its default workflow timeout, its monitor limits, its local
//! state directory) are named in a warning once, instead of being silently ignored.
//! README's "Coming from the Python tool" lists them all, with the defaults that differ.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

/// The Python tool's variables that mean the same as one of this crate's: (its name, ours).
pub(crate) const ALIASES: &[(&str, &str)] = &[
    ("AGAMEMNON_RATE_LIMIT_RPS", "AGAMEMNON_RATE_LIMIT"),
    ("AGAMEMNON_RATE_LIMIT_BURST", "AGAMEMNON_RATE_BURST"),
    ("LOG_LEVEL", "RUST_LOG"),
];

/// The Python tool's variables that nothing here reads, with what to do instead.
pub(crate) const WITHOUT_COUNTERPART: &[(&str, &str)] = &[
    (
        "DEFAULT_WORKFLOW_TIMEOUT",
        "a workflow without `timeout` has no time limit here; give it one",
    ),
    (
        "MONITOR_TIMEOUT_SECONDS",
        "watching ends with the workflow's `timeout`",
    ),
    (
        "MONITOR_MAX_POLLS",
        "watching ends with the workflow's `timeout`",
    ),
    (
        "TELEMACHY_STATE_DIR",
        "nothing is kept locally; the server is the only record",
    ),
];

/// The value of `ours` through `lookup`, or else of the Python tool's alias for it, with
/// the name of the variable it came from; warns (once) when the alias is in use. Empty
/// values count as unset.
pub(crate) fn read(
    lookup: &impl Fn(&str) -> Option<String>,
    ours: &'static str,
) -> Option<(String, &'static str)> {
    warn_about_alias(lookup, ours);
    read_quietly(lookup, ours)
}

/// [`read`] without the warning: for a caller that cannot log yet and calls
/// [`warn_about_alias`] once it can.
pub(crate) fn read_quietly(
    lookup: &impl Fn(&str) -> Option<String>,
    ours: &'static str,
) -> Option<(String, &'static str)> {
    let get = |var: &str| lookup(var).filter(|value| !value.trim().is_empty());
    if let Some(value) = get(ours) {
        return Some((value, ours));
    }
    let alias = alias_of(ours)?;
    get(alias).map(|value| (value, alias))
}

/// Warns, once per process, that the Python tool's name for `ours` is read in its place,
/// or is ignored because `ours` is set too.
pub(crate) fn warn_about_alias(lookup: &impl Fn(&str) -> Option<String>, ours: &'static str) {
    let set = |var: &str| lookup(var).is_some_and(|value| !value.trim().is_empty());
    let Some(alias) = alias_of(ours).filter(|alias| set(alias)) else {
        return;
    };
    if set(ours) {
        warn_once(alias, || {
            tracing::warn!("`{alias}` (the Python tool's name) is ignored: `{ours}` is set too");
        });
    } else {
        warn_once(alias, || {
            tracing::warn!(
                "reading `{alias}` (the Python tool's name) as `{ours}`; rename it to `{ours}`"
            );
        });
    }
}

/// The Python tool's name for `ours`, if it has one.
fn alias_of(ours: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(_, target)| *target == ours)
        .map(|(python, _)| *python)
}

/// Warns once about the Python tool's variables in `lookup` that nothing here reads.
pub(crate) fn warn_without_counterpart(lookup: &impl Fn(&str) -> Option<String>) {
    for (var, instead) in WITHOUT_COUNTERPART {
        if lookup(var).is_some_and(|value| !value.trim().is_empty()) {
            warn_once(var, || {
                tracing::warn!("`{var}` (a Python tool setting) is ignored: {instead}");
            });
        }
    }
}

/// The `RUST_LOG` filter that the Python tool's `LOG_LEVEL` means (`DEBUG`, `INFO`,
/// `WARNING`, `ERROR`, `CRITICAL`, any case), or `None` for another value. The command line
/// reads it; a library leaves logging to its user.
#[cfg(feature = "cli")]
pub(crate) fn log_filter(level: &str) -> Option<&'static str> {
    match level.trim().to_ascii_lowercase().as_str() {
        "trace" => Some("trace"),
        "debug" => Some("debug"),
        "info" => Some("info"),
        "warning" | "warn" => Some("warn"),
        "error" | "critical" => Some("error"),
        _ => None,
    }
}

/// Runs `warn` the first time `var` is warned about in this process.
fn warn_once(var: &'static str, warn: impl FnOnce()) {
    static WARNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let first = WARNED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(var);
    if first {
        warn();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn ours_wins_and_an_alias_stands_in() {
        let both = lookup(&[
            ("AGAMEMNON_RATE_LIMIT", "5"),
            ("AGAMEMNON_RATE_LIMIT_RPS", "9"),
        ]);
        assert_eq!(
            read(&both, "AGAMEMNON_RATE_LIMIT"),
            Some(("5".to_owned(), "AGAMEMNON_RATE_LIMIT"))
        );
        let python = lookup(&[
            ("AGAMEMNON_RATE_LIMIT_BURST", "16"),
            ("AGAMEMNON_RATE_BURST", " "),
        ]);
        assert_eq!(
            read(&python, "AGAMEMNON_RATE_BURST"),
            Some(("16".to_owned(), "AGAMEMNON_RATE_LIMIT_BURST"))
        );
        assert_eq!(read(&python, "AGAMEMNON_TIMEOUT"), None);
    }

    #[test]
    fn each_variable_is_warned_about_once() {
        let mut calls = 0;
        warn_once("TEST_ONLY_VARIABLE", || calls += 1);
        warn_once("TEST_ONLY_VARIABLE", || calls += 1);
        assert_eq!(calls, 1);
    }

    #[cfg(feature = "cli")]
    #[test]
    fn python_log_levels_map_to_filters() {
        assert_eq!(log_filter("WARNING"), Some("warn"));
        assert_eq!(log_filter("Critical"), Some("error"));
        assert_eq!(log_filter("info"), Some("info"));
        assert_eq!(log_filter("loud"), None);
    }
}

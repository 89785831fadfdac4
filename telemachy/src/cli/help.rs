//! The parts of `--help` beyond the options: the environment variables and the exit
//! statuses.

use std::fmt::Write as _;

use crate::cli::exit::EXIT_STATUSES;

/// The environment variables a workflow binary reads, and what each means.
pub(crate) const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "AGAMEMNON_URL",
        "the server (http:// or https://); --url overrides it; with neither, `run`, `check`, \
         `status` and `destroy` use an embedded simulator on 127.0.0.1 (not with CI set)",
    ),
    (
        "AGAMEMNON_API_KEY",
        "sent as `Authorization: Bearer <key>`; never printed",
    ),
    (
        "AGAMEMNON_TIMEOUT",
        "seconds one attempt of a request may take, 0.1 to 3600 [default: 30]",
    ),
    (
        "AGAMEMNON_MAX_RETRIES",
        "retries after the first attempt, when retrying is safe, 0 to 20 [default: 5]",
    ),
    (
        "AGAMEMNON_RATE_LIMIT",
        "client-side pacing in requests per second, 0.1 to 10000; 0 = off [default: off]",
    ),
    (
        "AGAMEMNON_RATE_BURST",
        "requests allowed at once before pacing starts, 1 to 10000 [default: the rate]",
    ),
    (
        "AGAMEMNON_CA_FILE",
        "a PEM certificate to trust besides the usual roots",
    ),
    (
        "REQUIRE_TLS",
        "1/true/yes/on: refuse a plain http:// URL [default: off]",
    ),
    (
        "CI",
        "set (not 0/false/no/off): a real server is expected; without AGAMEMNON_URL or \
         --url a command refuses instead of using the simulator",
    ),
    (
        "TELEMACHY_LEASE_EXPIRY",
        "seconds without a heartbeat after which another run's lease is stale, 2 to 3600 \
         [default: 30]",
    ),
    (
        "TELEMACHY_SIM",
        "1/true/yes/on: use the embedded simulator, like --sim",
    ),
    (
        "RUST_LOG",
        "the filter for the logs on stderr [default: warn]",
    ),
    (
        "AGAMEMNON_RATE_LIMIT_RPS",
        "the Python tool's AGAMEMNON_RATE_LIMIT: read if that is unset, with a warning",
    ),
    (
        "AGAMEMNON_RATE_LIMIT_BURST",
        "the Python tool's AGAMEMNON_RATE_BURST: read if that is unset, with a warning",
    ),
    (
        "LOG_LEVEL",
        "the Python tool's level (DEBUG ... CRITICAL): read if RUST_LOG is unset, with a warning",
    ),
    (
        "NO_COLOR",
        "set and not empty: no colour unless --color says otherwise",
    ),
];

/// What `--help` prints after the options.
pub(crate) fn after_long_help() -> String {
    let mut text = String::from("Environment:\n");
    let width = ENVIRONMENT
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, meaning) in ENVIRONMENT {
        let _ = writeln!(text, "  {name:<width$}  {meaning}");
    }
    text.push_str("\nExit status:\n");
    for (code, meaning) in EXIT_STATUSES {
        let _ = writeln!(text, "  {code:<3}  {meaning}");
    }
    text.trim_end().to_owned()
}

//! Why a run could not start.

use crate::client;
use crate::executor::plan::PlanError;

/// Why [`run`](crate::executor::run) returned no report: nothing on the server was changed.
///
/// Once a run has begun to change the server, everything that goes wrong (a create or a
/// start that fails, a failed task, a teardown error) is recorded in its
/// [`Report`](crate::executor::Report) instead, so that the caller always learns what was
/// created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The workflow is invalid.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The server's agents and teams could not be read.
    #[error("could not read the agents and teams on the server; nothing was changed")]
    Snapshot(#[source] client::Error),
}

/// An error and its sources on one line, `: `-separated.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

//! The run lease as the commands that change the server take it (`run`, `destroy`): waiting
//! as `--wait`/`--no-wait` say, saying so on stderr, and giving it back at the end.

use std::future::Future;
use std::time::Duration;

use crate::cli::args::LeaseArgs;
use crate::cli::connect::Server;
use crate::cli::output::Failure;
use crate::cli::progress::Progress;
use crate::executor::lease::{self, Lease, LeaseError, LeaseEvent, LeaseSettings};
use crate::executor::{Cancellation, chain};

/// Takes the run lease for `workflow`, waiting as `--wait`/`--no-wait` say and saying so on
/// stderr. Another run holding it is exit status 4 and one line; nothing was changed.
pub(crate) async fn take_lease(
    server: &Server,
    workflow: &str,
    args: &LeaseArgs,
    cancellation: &Cancellation,
    progress: &Progress,
) -> Result<Lease, Failure> {
    let wait = if args.no_wait {
        Duration::ZERO
    } else {
        args.wait.unwrap_or(lease::DEFAULT_WAIT)
    };
    let settings = LeaseSettings::default()
        .wait(wait)
        .from_env()
        .map_err(|error| Failure::usage(error.to_string()))?;
    let observe = |event: &LeaseEvent| match event {
        LeaseEvent::Waiting { holder, up_to } => progress.note(&format!(
            "waiting for the run lease: another run of this workflow holds it ({holder}); \
             waiting up to {:.0} s (--wait, --no-wait)",
            up_to.as_secs_f64()
        )),
        LeaseEvent::Stale { record } => progress.note(&format!(
            "removing a stale run lease ({record}): its run is gone"
        )),
        LeaseEvent::Acquired { waited } if !waited.is_zero() && *waited > lease::SETTLE * 2 => {
            progress.note(&format!(
                "took the run lease after waiting {:.1} s",
                waited.as_secs_f64()
            ));
        }
        _ => {}
    };
    Lease::acquire(&server.client, workflow, &settings, cancellation, observe)
        .await
        .map_err(|error| match error {
            LeaseError::Held { .. } => Failure::lease_held(error.to_string()),
            LeaseError::Expiry { .. } => Failure::usage(error.to_string()),
            other => Failure::runtime(chain(&other)),
        })
}

/// Gives `lease` back. A stopped command does not wait on a stalled server to do it: the
/// record it leaves is stale at once on this machine, and expires elsewhere.
pub(crate) async fn give_back(lease: Lease, cancellation: &Cancellation, progress: &Progress) {
    let release = lease.release();
    let released = if cancellation.is_cancelled() {
        tokio::time::timeout(lease::RELEASE_WHEN_STOPPED, release)
            .await
            .unwrap_or_else(|_| Ok(()))
    } else {
        release.await
    };
    if let Err(error) = released {
        progress.note(&format!(
            "could not give the run lease back ({}); it expires on its own",
            chain(&error)
        ));
    }
}

/// Runs `work` while holding the run lease for `workflow`, for the commands that delete
/// (`destroy`, `check --prune`): none of them deletes what a running run is still making,
/// and no run starts before they are done. They print no progress of their own, only the
/// lease's notes.
pub(crate) async fn under_lease<T, W>(
    server: &Server,
    workflow: &str,
    args: &LeaseArgs,
    work: W,
) -> Result<T, Failure>
where
    W: Future<Output = Result<T, Failure>>,
{
    let progress = Progress::new(true, 0);
    let cancellation = Cancellation::new();
    let lease = take_lease(server, workflow, args, &cancellation, &progress).await?;
    let result = work.await;
    give_back(lease, &cancellation, &progress).await;
    result
}

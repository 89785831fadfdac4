//! Signals that stop a run: Ctrl-C (SIGINT), SIGTERM (CI cancellation, systemd, Kubernetes,
//! `timeout`) and SIGHUP (a closed terminal) all stop it the same way.
//!
//! The first cancels the run: no new task is submitted, requests under way get 0.4 s to
//! answer (then they are abandoned), the teardown policy applies, the lease is given back
//! and the summary is printed (exit status 1, or 0 if the run had already succeeded). The
//! second quits at once, without teardown,
//! with the shell's status for that signal: 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).

use crate::cli::exit;
use crate::cli::progress::Progress;
use crate::executor::Cancellation;

/// A signal that stops a run, and the exit status of quitting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopping {
    Interrupt,
    Terminate,
    HangUp,
}

impl Stopping {
    fn name(self) -> &'static str {
        match self {
            Stopping::Interrupt => "SIGINT",
            Stopping::Terminate => "SIGTERM",
            Stopping::HangUp => "SIGHUP",
        }
    }

    /// 128 + the signal's number, as a shell reports a process the signal ended.
    fn exit_status(self) -> i32 {
        i32::from(match self {
            Stopping::Interrupt => exit::INTERRUPTED,
            Stopping::Terminate => exit::TERMINATED,
            Stopping::HangUp => exit::HUNG_UP,
        })
    }
}

/// Waits for the signals that stop a run: on the first, cancels `cancellation` and says so;
/// on the second, quits the process at once.
pub(crate) async fn watch(cancellation: Cancellation, progress: Progress) {
    let Some(mut next) = Signals::install() else {
        return;
    };
    let first = next.recv().await;
    cancellation.cancel();
    progress.note(&format!(
        "{}: cancelling: no new tasks will be submitted; tearing down by policy \
         (a second signal quits at once)",
        first.name()
    ));
    let second = next.recv().await;
    progress.note(&format!("{}: quitting without teardown", second.name()));
    std::process::exit(second.exit_status());
}

/// The stopping signals, installed once for the whole run.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hang_up: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        let installed = (|| {
            Ok::<_, std::io::Error>(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                hang_up: signal(SignalKind::hangup())?,
            })
        })();
        match installed {
            Ok(signals) => Some(signals),
            Err(error) => {
                tracing::warn!(%error, "cannot watch for signals; Ctrl-C ends the run at once");
                None
            }
        }
    }

    #[cfg(not(unix))]
    fn install() -> Option<Signals> {
        Some(Signals {})
    }

    #[cfg(unix)]
    async fn recv(&mut self) -> Stopping {
        tokio::select! {
            _ = self.interrupt.recv() => Stopping::Interrupt,
            _ = self.terminate.recv() => Stopping::Terminate,
            _ = self.hang_up.recv() => Stopping::HangUp,
        }
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) -> Stopping {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        Stopping::Interrupt
    }
}

//! How one run behaves: [`RunOptions`], and the [`Cancellation`] handle that stops it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::executor::event::Event;
use crate::spec::Teardown;

/// How often a run asks the server about its tasks when nothing says otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How many requests a run has under way at once when nothing says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// A callback that observes a run's events.
type EventObserver = Arc<dyn Fn(&Event) + Send + Sync>;

/// Options for [`run`](crate::executor::run).
///
/// ```
/// use std::time::Duration;
/// use telemachy::executor::{Cancellation, RunOptions};
/// use telemachy::spec::Teardown;
///
/// let cancellation = Cancellation::new();
/// let options = RunOptions::new()
///     .teardown(Teardown::Never)
///     .poll_interval(Duration::from_millis(250))
///     .cancellation(cancellation.clone())
///     .on_event(|event| eprintln!("{event}"));
/// // Later, from anywhere: cancellation.cancel();
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct RunOptions {
    pub(crate) force: bool,
    pub(crate) dry_run: bool,
    pub(crate) teardown: Option<Teardown>,
    pub(crate) poll_interval: Duration,
    pub(crate) concurrency: usize,
    pub(crate) events: Option<EventObserver>,
    pub(crate) cancellation: Cancellation,
    pub(crate) nats_url: Option<String>,
}

impl RunOptions {
    /// The defaults: reuse what exists, change the server, the workflow's own teardown
    /// policy, a poll every second, 8 provisioning requests at once, no event observer.
    pub fn new() -> Self {
        RunOptions {
            force: false,
            dry_run: false,
            teardown: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
            concurrency: DEFAULT_CONCURRENCY,
            events: None,
            cancellation: Cancellation::new(),
            nats_url: None,
        }
    }

    /// Skip reuse: create every agent and team afresh, leaving what exists in place (the
    /// report counts it in [`Report::left_behind`](crate::executor::Report::left_behind)).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Read the server and report what a run would do, without changing anything.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Use `policy` instead of the workflow's teardown policy for this run.
    pub fn teardown(mut self, policy: Teardown) -> Self {
        self.teardown = Some(policy);
        self
    }

    /// How often to list each team's tasks while waiting for them (kept within 1 ms to
    /// an hour).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.clamp(Duration::from_millis(1), Duration::from_secs(3600));
        self
    }

    /// How many requests to have under way at once (kept within 1 to 256): agents or teams
    /// provisioned or torn down, tasks submitted and teams read, all sharing the bound.
    pub fn concurrency(mut self, bound: usize) -> Self {
        self.concurrency = bound.clamp(1, 256);
        self
    }

    /// Call `observer` with every [`Event`] of the run, in the order they happen. It runs
    /// on the executor's tasks: keep it quick.
    pub fn on_event(mut self, observer: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(observer));
        self
    }

    /// Listen for task events on the NATS server at `url` (the `NATS_URL` of the command
    /// line; several servers may be given, separated by commas), and read a team as soon as
    /// one of its tasks changes instead of at its next poll. Polling goes on as a fallback:
    /// at the poll interval until events flow, five times as far apart while they do, and
    /// at the poll interval again when NATS is unreachable or quiet. A NATS server that is
    /// down, or goes down, never fails a run. Credentials in the URL are never shown.
    pub fn nats_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.nats_url = (!url.trim().is_empty()).then_some(url);
        self
    }

    /// Stop the run when `cancellation` is cancelled.
    pub fn cancellation(mut self, cancellation: Cancellation) -> Self {
        self.cancellation = cancellation;
        self
    }

    /// The teardown policy this run applies, given the workflow's own.
    pub fn teardown_policy(&self, workflow_policy: Teardown) -> Teardown {
        self.teardown.unwrap_or(workflow_policy)
    }

    pub(crate) fn emit(&self, event: Event) {
        if let Some(observer) = &self.events {
            observer(&event);
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions::new()
    }
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("force", &self.force)
            .field("dry_run", &self.dry_run)
            .field("teardown", &self.teardown)
            .field("poll_interval", &self.poll_interval)
            .field("concurrency", &self.concurrency)
            .field("events", &self.events.as_ref().map(|_| "Fn(&Event)"))
            .field("cancellation", &self.cancellation)
            .field(
                "nats_url",
                &self
                    .nats_url
                    .as_deref()
                    .map(crate::executor::nats::redacted),
            )
            .finish()
    }
}

/// A handle that cancels a run: clone it into [`RunOptions::cancellation`] and call
/// [`cancel`](Cancellation::cancel) from anywhere (a signal handler, another task).
///
/// Within a poll of the cancellation the run stops submitting tasks, records itself as
/// cancelled, applies its teardown policy and returns. Requests already on their way are
/// allowed to finish, so that nothing the server creates goes unrecorded.
#[derive(Clone)]
pub struct Cancellation {
    sender: Arc<watch::Sender<bool>>,
}

impl Cancellation {
    /// A handle that has not been cancelled.
    pub fn new() -> Self {
        Cancellation {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Cancels every run that holds a clone of this handle. Idempotent.
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`cancel`](Cancellation::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.sender.borrow()
    }

    /// Waits until the handle is cancelled; returns at once if it already is.
    pub async fn cancelled(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

impl Default for Cancellation {
    fn default() -> Self {
        Cancellation::new()
    }
}

impl fmt::Debug for Cancellation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancellation")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancellation_wakes_waiters_and_stays_cancelled() {
        let cancellation = Cancellation::new();
        assert!(!cancellation.is_cancelled());
        let waiter = {
            let cancellation = cancellation.clone();
            tokio::spawn(async move { cancellation.cancelled().await })
        };
        tokio::task::yield_now().await;
        cancellation.cancel();
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .expect("the waiter wakes up")
            .expect("the waiter does not panic");
        assert!(cancellation.is_cancelled());
        // Waiting after the fact returns at once.
        tokio::time::timeout(Duration::from_millis(100), cancellation.cancelled())
            .await
            .expect("an already cancelled handle does not block");
    }

    #[test]
    fn bounds_are_kept_sane() {
        let options = RunOptions::new()
            .concurrency(0)
            .poll_interval(Duration::ZERO);
        assert_eq!(options.concurrency, 1);
        assert_eq!(options.poll_interval, Duration::from_millis(1));
        assert_eq!(
            options.teardown_policy(Teardown::OnFailure),
            Teardown::OnFailure
        );
        let options = options.teardown(Teardown::Never);
        assert_eq!(
            options.teardown_policy(Teardown::OnFailure),
            Teardown::Never
        );
    }
}

//! When a run must stop early: cancelled, or past the workflow's timeout.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::executor::options::Cancellation;
use crate::executor::report::RunStatus;

/// How long a request under way (a create, say) may take to answer once the run must stop,
/// before it is abandoned: a stop takes effect within a second even on a stalled server.
/// What an abandoned create made is named by its key, so the next run finds it.
pub(crate) const ABANDON_AFTER: Duration = Duration::from_millis(400);

/// The two reasons a run stops before it is done, watched together.
#[derive(Debug, Clone)]
pub(crate) struct Stop {
    cancellation: Cancellation,
    deadline: Option<Instant>,
}

impl Stop {
    /// Stops on `cancellation`, or at `deadline` if there is one.
    pub(crate) fn new(cancellation: Cancellation, deadline: Option<Instant>) -> Self {
        Stop {
            cancellation,
            deadline,
        }
    }

    /// `Cancelled` or `TimedOut` if the run must stop now; cancellation wins.
    pub(crate) fn reason(&self) -> Option<RunStatus> {
        if self.cancellation.is_cancelled() {
            Some(RunStatus::Cancelled)
        } else if self
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            Some(RunStatus::TimedOut)
        } else {
            None
        }
    }

    /// Waits until the run must stop, and says why.
    pub(crate) async fn stopped(&self) -> RunStatus {
        let deadline = async {
            match self.deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = self.cancellation.cancelled() => RunStatus::Cancelled,
            () = deadline => RunStatus::TimedOut,
        }
    }

    /// Runs `work` unless the run must stop first. Only for work that changes nothing on
    /// the server: abandoning a create could leave a resource nobody recorded.
    pub(crate) async fn interrupt<F: Future>(&self, work: F) -> Result<F::Output, RunStatus> {
        if let Some(reason) = self.reason() {
            return Err(reason);
        }
        tokio::select! {
            biased;
            reason = self.stopped() => Err(reason),
            output = work => Ok(output),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn sleeps_until_cancelled() {
        let cancellation = Cancellation::new();
        let stop = Stop::new(cancellation.clone(), None);
        assert_eq!(stop.reason(), None);
        assert_eq!(
            stop.interrupt(tokio::time::sleep(Duration::from_millis(5)))
                .await,
            Ok(())
        );
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancellation.cancel();
        });
        let started = std::time::Instant::now();
        assert_eq!(
            stop.interrupt(tokio::time::sleep(Duration::from_secs(30)))
                .await,
            Err(RunStatus::Cancelled)
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        canceller.await.expect("the canceller does not panic");
        assert_eq!(stop.interrupt(async { 1 }).await, Err(RunStatus::Cancelled));
    }

    #[tokio::test]
    async fn times_out_at_the_deadline() {
        let deadline = Instant::now() + Duration::from_millis(20);
        let stop = Stop::new(Cancellation::new(), Some(deadline));
        assert_eq!(stop.interrupt(async { 7 }).await, Ok(7));
        assert_eq!(
            stop.interrupt(std::future::pending::<()>()).await,
            Err(RunStatus::TimedOut)
        );
        assert_eq!(stop.reason(), Some(RunStatus::TimedOut));
    }
}

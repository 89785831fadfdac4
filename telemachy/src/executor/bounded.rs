//! Running jobs concurrently, at most a bounded number at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::executor::stop::{ABANDON_AFTER, Stop};

/// Sleeps until `at`, or forever without one.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// How one job of [`run_bounded`] ended.
#[derive(Debug)]
pub(crate) enum JobEnd<T> {
    /// It ran to the end.
    Done(T),
    /// The run stopped before the job started; it did nothing.
    NotStarted,
    /// It panicked (a bug); the message says where.
    Panicked(String),
    /// It was under way when the run stopped and did not end within
    /// [`ABANDON_AFTER`](crate::executor::stop::ABANDON_AFTER): it was dropped, and what
    /// it did on the server (if anything) is unknown.
    Abandoned,
}

/// Runs `jobs` with at most `bound` of them at once; results come back in the jobs' order.
///
/// A job that has not started when `stop` fires never starts. A job that has started gets
/// [`ABANDON_AFTER`] to end, so that what it made is recorded; past that it is abandoned
/// ([`JobEnd::Abandoned`]): a stalled server must not hold up a stop. Jobs make resources
/// named by their keys, so the next run finds what an abandoned one made.
pub(crate) async fn run_bounded<T, F>(jobs: Vec<F>, bound: usize, stop: &Stop) -> Vec<JobEnd<T>>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(bound.max(1)));
    let mut set = JoinSet::new();
    let mut positions = HashMap::new();
    let count = jobs.len();
    for (position, job) in jobs.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        let stop = stop.clone();
        let handle = set.spawn(async move {
            let permit = tokio::select! {
                biased;
                _ = stop.stopped() => return None,
                permit = permits.acquire_owned() => permit,
            };
            // The semaphore is never closed, so a permit always comes.
            let _permit = permit.ok()?;
            if stop.reason().is_some() {
                return None;
            }
            Some(job.await)
        });
        positions.insert(handle.id(), position);
    }

    let mut ends: Vec<JobEnd<T>> = (0..count).map(|_| JobEnd::NotStarted).collect();
    let mut abandon_at = None;
    let mut abandoned = false;
    loop {
        let joined = tokio::select! {
            biased;
            joined = set.join_next_with_id() => match joined {
                Some(joined) => joined,
                None => break,
            },
            _ = stop.stopped(), if abandon_at.is_none() => {
                abandon_at = Some(tokio::time::Instant::now() + ABANDON_AFTER);
                continue;
            }
            () = sleep_until(abandon_at), if abandon_at.is_some() && !abandoned => {
                set.abort_all();
                abandoned = true;
                continue;
            }
        };
        match joined {
            Ok((id, Some(output))) => {
                if let Some(&position) = positions.get(&id) {
                    ends[position] = JobEnd::Done(output);
                }
            }
            Ok((_, None)) => {}
            Err(error) => {
                if let Some(&position) = positions.get(&error.id()) {
                    ends[position] = if error.is_cancelled() {
                        JobEnd::Abandoned
                    } else {
                        JobEnd::Panicked(error.to_string())
                    };
                }
            }
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::options::Cancellation;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn keeps_to_the_bound_and_the_order() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..10)
            .map(|index| {
                let running = Arc::clone(&running);
                let most = Arc::clone(&most);
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    index * 10
                }
            })
            .collect();
        let stop = Stop::new(Cancellation::new(), None);
        let ends = run_bounded(jobs, 3, &stop).await;
        let values: Vec<usize> = ends
            .into_iter()
            .map(|end| match end {
                JobEnd::Done(value) => value,
                other => panic!("every job runs: {other:?}"),
            })
            .collect();
        assert_eq!(values, (0..10).map(|i| i * 10).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 3);
        assert!(most.load(Ordering::SeqCst) >= 2, "jobs do run concurrently");
    }

    #[tokio::test]
    async fn jobs_not_started_when_stopped_never_start() {
        let cancellation = Cancellation::new();
        let stop = Stop::new(cancellation.clone(), None);
        let started = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..4)
            .map(|_| {
                let started = Arc::clone(&started);
                let cancellation = cancellation.clone();
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    cancellation.cancel();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .collect();
        let ends = run_bounded(jobs, 1, &stop).await;
        assert_eq!(started.load(Ordering::SeqCst), 1);
        assert!(matches!(ends[0], JobEnd::Done(())));
        assert!(
            ends[1..]
                .iter()
                .all(|end| matches!(end, JobEnd::NotStarted))
        );
    }

    #[tokio::test]
    async fn a_job_under_way_is_abandoned_soon_after_a_stop() {
        let cancellation = Cancellation::new();
        let stop = Stop::new(cancellation.clone(), None);
        let jobs = vec![std::future::pending::<()>()];
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancellation.cancel();
        });
        let started = std::time::Instant::now();
        let ends = run_bounded(jobs, 1, &stop).await;
        assert!(matches!(ends[0], JobEnd::Abandoned), "{:?}", ends[0]);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        canceller.await.expect("the canceller does not panic");
    }
}

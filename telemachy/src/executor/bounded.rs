//! Running jobs concurrently, at most a bounded number at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::executor::stop::Stop;

/// How one job of [`run_bounded`] ended.
#[derive(Debug)]
pub(crate) enum JobEnd<T> {
    /// It ran to the end.
    Done(T),
    /// The run stopped before the job started; it did nothing.
    NotStarted,
    /// It panicked (a bug); the message says where.
    Panicked(String),
}

/// Runs `jobs` with at most `bound` of them at once; results come back in the jobs' order.
///
/// A job that has not started when `stop` fires never starts. A job that has started runs
/// to its end: jobs change the server, and abandoning one midway could leave a resource
/// that nobody recorded.
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
    while let Some(joined) = set.join_next_with_id().await {
        match joined {
            Ok((id, Some(output))) => {
                if let Some(&position) = positions.get(&id) {
                    ends[position] = JobEnd::Done(output);
                }
            }
            Ok((_, None)) => {}
            Err(error) => {
                if let Some(&position) = positions.get(&error.id()) {
                    ends[position] = JobEnd::Panicked(error.to_string());
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
}

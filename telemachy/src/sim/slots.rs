//! The connection limit: like the real server's fixed pool of threads, at most a number of
//! connections are served at once; others wait, unread, until one closes. An idle
//! connection holds its slot until its client closes it or it has been idle for
//! [`IDLE_CLOSE`], as on the real server, where a connection beyond its 8 waits about 5 s
//! while 8 idle ones are held open.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::app::lock;

/// How long an idle connection keeps its slot when connections are limited.
pub(crate) const IDLE_CLOSE: Duration = Duration::from_secs(5);

/// The slots connections are served in, and how long connections waited for one.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    /// `None`: no limit.
    permits: Option<Arc<Semaphore>>,
    waits: Mutex<Waits>,
}

/// How connections waited for a slot.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Waits {
    /// Connections that found every slot taken.
    pub(crate) count: usize,
    /// The longest any of them waited.
    pub(crate) longest: Duration,
}

/// A connection's slot, held while it is served.
#[derive(Debug)]
pub(crate) struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Slots {
    /// At most `limit` connections served at once (`None`: any number).
    pub(crate) fn new(limit: Option<usize>) -> Slots {
        Slots {
            permits: limit.map(|limit| Arc::new(Semaphore::new(limit.max(1)))),
            waits: Mutex::default(),
        }
    }

    /// Whether connections are limited (and idle ones are therefore closed after
    /// [`IDLE_CLOSE`]).
    pub(crate) fn limited(&self) -> bool {
        self.permits.is_some()
    }

    /// Waits for a free slot.
    pub(crate) async fn take(&self) -> Slot {
        let Some(permits) = &self.permits else {
            return Slot { _permit: None };
        };
        if let Ok(permit) = Arc::clone(permits).try_acquire_owned() {
            return Slot {
                _permit: Some(permit),
            };
        }
        let started = Instant::now();
        // The semaphore is never closed.
        let permit = Arc::clone(permits).acquire_owned().await.ok();
        let waited = started.elapsed();
        let mut waits = lock(&self.waits);
        waits.count += 1;
        waits.longest = waits.longest.max(waited);
        Slot { _permit: permit }
    }

    /// How connections waited so far.
    pub(crate) fn waits(&self) -> Waits {
        *lock(&self.waits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_beyond_the_limit_waits_for_a_slot() {
        let slots = Arc::new(Slots::new(Some(1)));
        let first = slots.take().await;
        assert_eq!(slots.waits().count, 0);
        let waiting = {
            let slots = Arc::clone(&slots);
            tokio::spawn(async move { slots.take().await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "every slot is taken");
        drop(first);
        let _second = waiting.await.expect("the waiter gets the slot");
        let waits = slots.waits();
        assert_eq!(waits.count, 1);
        assert!(waits.longest >= Duration::from_millis(15));
    }

    #[tokio::test]
    async fn without_a_limit_nobody_waits() {
        let slots = Slots::new(None);
        let _held: Vec<Slot> = vec![slots.take().await, slots.take().await];
        assert!(!slots.limited());
        assert_eq!(slots.waits().count, 0);
    }
}

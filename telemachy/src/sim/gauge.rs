//! Gauges of what is under way at once (requests, connections), with their peak.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many of something are under way now, and the most there have been at once.
#[derive(Debug, Default)]
pub(crate) struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    /// Counts one more until the returned guard is dropped.
    pub(crate) fn enter(self: &Arc<Gauge>) -> GaugeGuard {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        GaugeGuard {
            gauge: Arc::clone(self),
        }
    }

    /// How many are under way now.
    pub(crate) fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    /// The most there have been at once.
    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// One counted in a [`Gauge`] while it lives.
#[derive(Debug)]
pub(crate) struct GaugeGuard {
    gauge: Arc<Gauge>,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.gauge.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_is_under_way_and_keeps_the_peak() {
        let gauge = Arc::new(Gauge::default());
        let first = gauge.enter();
        let second = gauge.enter();
        assert_eq!((gauge.now(), gauge.peak()), (2, 2));
        drop(first);
        drop(second);
        let _third = gauge.enter();
        assert_eq!((gauge.now(), gauge.peak()), (1, 2));
    }
}

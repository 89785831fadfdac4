//! When to read each team's tasks next.
//!
//! A team with tasks being watched is read once per poll interval, counted from its last
//! read. A submission of a task that others wait for brings the next read forward to a
//! quarter of the interval after it, so that a quick task hands over to its dependents
//! long before a full interval has passed. A nudge (an event saying the team changed)
//! makes the team due after [`GATHER`]; a nudge during a read makes it due again
//! [`GATHER`] after that read ends, since the read may have been answered before the
//! change. The short wait gathers the events of tasks that finish together into one read:
//! every read lists all of a team's tasks, so reading once per event would cost more than
//! the events save.
//!
//! With polling alone a completion waits on average half an interval for the next read,
//! and a quick task a quarter of one.

use std::time::Duration;

use tokio::time::Instant;

/// The share of the poll interval after which a submission is followed by a read.
const EARLY_READ_DIVISOR: u32 = 4;

/// How long a nudged team waits for more events before it is read.
pub(crate) const GATHER: Duration = Duration::from_millis(10);

/// The read timing of every team of a run.
#[derive(Debug)]
pub(crate) struct ReadSchedule {
    teams: Vec<TeamReads>,
    /// The time between reads of a team.
    gap: Duration,
}

#[derive(Debug, Clone, Copy, Default)]
struct TeamReads {
    /// When the next read is due; `None` when nothing calls for one.
    due: Option<Instant>,
    /// Whether a read of the team is under way.
    in_flight: bool,
    /// Whether the team was nudged while a read was under way.
    again: bool,
}

impl ReadSchedule {
    /// No team due yet; reads `gap` apart.
    pub(crate) fn new(teams: usize, gap: Duration) -> ReadSchedule {
        ReadSchedule {
            teams: vec![TeamReads::default(); teams],
            gap,
        }
    }

    /// Changes the time between reads (from the next scheduled read on).
    pub(crate) fn set_gap(&mut self, gap: Duration) {
        self.gap = gap;
    }

    /// A team gained a watched task at `now`: it is read within a gap, or within a quarter
    /// of one when `soon` (another task waits for this one).
    pub(crate) fn watching(&mut self, team: usize, now: Instant, soon: bool) {
        let wait = if soon {
            self.gap / EARLY_READ_DIVISOR
        } else {
            self.gap
        };
        let reads = &mut self.teams[team];
        reads.due = Some(reads.due.map_or(now + wait, |due| due.min(now + wait)));
    }

    /// Something says `team` changed: read it [`GATHER`] from now, or that long after the
    /// read under way ends.
    pub(crate) fn nudge(&mut self, team: usize, now: Instant) {
        let reads = &mut self.teams[team];
        if reads.in_flight {
            reads.again = true;
        } else {
            reads.due = Some(reads.due.map_or(now + GATHER, |due| due.min(now + GATHER)));
        }
    }

    /// The teams due at `now` with no read under way, in team order.
    pub(crate) fn due(&self, now: Instant) -> impl Iterator<Item = usize> + '_ {
        self.teams
            .iter()
            .enumerate()
            .filter(move |(_, reads)| !reads.in_flight && reads.due.is_some_and(|due| due <= now))
            .map(|(team, _)| team)
    }

    /// A read of `team` starts.
    pub(crate) fn started(&mut self, team: usize) {
        let reads = &mut self.teams[team];
        reads.in_flight = true;
        reads.due = None;
        reads.again = false;
    }

    /// A read of `team` ended at `now`; `watching` says whether the team still has tasks
    /// being watched.
    pub(crate) fn finished(&mut self, team: usize, now: Instant, watching: bool) {
        let gap = self.gap;
        let reads = &mut self.teams[team];
        reads.in_flight = false;
        if !watching {
            reads.due = None;
        } else if reads.again {
            reads.due = Some(now + GATHER);
        } else {
            reads.due = Some(reads.due.map_or(now + gap, |due| due.min(now + gap)));
        }
        reads.again = false;
    }

    /// When the next read falls due, if any is scheduled (reads under way aside).
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.teams
            .iter()
            .filter(|reads| !reads.in_flight)
            .filter_map(|reads| reads.due)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAP: Duration = Duration::from_millis(1000);

    #[test]
    fn a_watched_team_is_read_a_gap_after_its_last_read() {
        let mut schedule = ReadSchedule::new(2, GAP);
        let start = Instant::now();
        assert_eq!(schedule.next_due(), None);
        schedule.watching(1, start, false);
        assert_eq!(schedule.next_due(), Some(start + GAP));
        assert_eq!(schedule.due(start).count(), 0);
        assert_eq!(schedule.due(start + GAP).collect::<Vec<_>>(), vec![1]);
        schedule.started(1);
        assert_eq!(schedule.next_due(), None, "under way");
        let end = start + GAP + Duration::from_millis(3);
        schedule.finished(1, end, true);
        assert_eq!(schedule.next_due(), Some(end + GAP));
        schedule.started(1);
        schedule.finished(1, end, false);
        assert_eq!(schedule.next_due(), None, "nothing left to watch");
    }

    #[test]
    fn a_task_others_wait_for_brings_the_read_forward() {
        let mut schedule = ReadSchedule::new(1, GAP);
        let start = Instant::now();
        schedule.watching(0, start, false);
        schedule.watching(0, start, true);
        assert_eq!(schedule.next_due(), Some(start + GAP / 4));
        // A later submission never pushes a read back.
        schedule.watching(0, start + GAP / 8, false);
        assert_eq!(schedule.next_due(), Some(start + GAP / 4));
    }

    #[test]
    fn a_nudge_during_a_read_reads_again_when_it_ends() {
        let mut schedule = ReadSchedule::new(1, GAP);
        let start = Instant::now();
        schedule.nudge(0, start);
        assert_eq!(
            schedule.due(start).count(),
            0,
            "more events are gathered first"
        );
        assert_eq!(schedule.due(start + GATHER).collect::<Vec<_>>(), vec![0]);
        // A later event does not push the read back.
        schedule.nudge(0, start + GATHER / 2);
        assert_eq!(schedule.next_due(), Some(start + GATHER));
        schedule.started(0);
        schedule.nudge(0, start + GATHER);
        assert_eq!(
            schedule.due(start + GATHER).count(),
            0,
            "one read at a time"
        );
        let end = start + GATHER + Duration::from_millis(2);
        schedule.finished(0, end, true);
        assert_eq!(schedule.next_due(), Some(end + GATHER));
    }
}

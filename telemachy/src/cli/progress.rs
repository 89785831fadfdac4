//! The progress display of `run`, built on the executor's events: a progress bar on a
//! terminal, plain lines otherwise (JSON lines with `--log-format json`), nothing with
//! `--json`. Progress goes to stderr; the
//! result goes to stdout.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::stderr;
use crate::executor::Event;

/// Where a run's events go.
#[derive(Clone)]
pub(crate) enum Progress {
    /// Nowhere (`--json`).
    Quiet,
    /// One plain line per event on stderr.
    Lines,
    /// Lines above a bar that counts finished tasks.
    Bar(ProgressBar),
}

impl Progress {
    /// The display for a run of `tasks` tasks; none when `quiet`.
    pub(crate) fn new(quiet: bool, tasks: usize) -> Progress {
        if quiet {
            return Progress::Quiet;
        }
        // A bar needs a terminal, and would break JSON lines.
        if !std::io::stderr().is_terminal() || stderr::is_json() {
            return Progress::Lines;
        }
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(tasks).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {pos}/{len} tasks {msg}")
        {
            bar.set_style(style);
        }
        bar.set_message("provisioning");
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress::Bar(bar)
    }

    /// Shows `event`.
    pub(crate) fn show(&self, event: &Event) {
        match self {
            Progress::Quiet => {}
            Progress::Lines => stderr::progress(&event.to_string(), event),
            Progress::Bar(bar) => {
                bar.println(event.to_string());
                match event {
                    Event::TaskCompleted { .. }
                    | Event::TaskAlreadyCompleted { .. }
                    | Event::TaskFailed { .. }
                    | Event::TaskSkipped { .. } => bar.inc(1),
                    Event::TaskSubmitted { .. } | Event::TaskAdopted { .. } => {
                        bar.set_message("running");
                    }
                    Event::TeardownStarted { .. } => bar.set_message("tearing down"),
                    _ => {}
                }
            }
        }
    }

    /// Prints a line that is not an event (a notice), out of the bar's way.
    pub(crate) fn note(&self, line: &str) {
        match self {
            Progress::Bar(bar) => bar.suspend(|| stderr::notice(line)),
            _ => stderr::notice(line),
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

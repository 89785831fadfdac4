//! Every exit status a workflow binary returns, in one table: `--help` prints it, the
//! README lists it, and a test checks that the two agree.

/// Exit status: success.
pub(crate) const OK: u8 = 0;
/// Exit status: the workflow failed, timed out or was cancelled; `check` found orphans;
/// `destroy` could not delete everything; the server failed in the middle of a command.
pub(crate) const FAILED: u8 = 1;
/// Exit status: bad usage or configuration, or a server that cannot be used; nothing was
/// changed.
pub(crate) const USAGE: u8 = 2;
/// Exit status: `run --dry-run --detailed-exitcode` found changes pending.
pub(crate) const CHANGES_PENDING: u8 = 3;
/// Exit status: another run of the workflow holds its lease, and `--no-wait` (or the end of
/// `--wait`) gave up; nothing was changed.
pub(crate) const LEASE_HELD: u8 = 4;
/// Exit status: a second SIGHUP quit a run at once, without teardown (128 + SIGHUP).
pub(crate) const HUNG_UP: u8 = 129;
/// Exit status: a second Ctrl-C quit at once, without teardown (128 + SIGINT).
pub(crate) const INTERRUPTED: u8 = 130;
/// Exit status: a second SIGTERM quit a run at once, without teardown (128 + SIGTERM).
pub(crate) const TERMINATED: u8 = 143;

/// Every exit status and what it means, in ascending order.
pub(crate) const EXIT_STATUSES: &[(u8, &str)] = &[
    (
        OK,
        "success: the run succeeded, `check` found no orphans, `destroy` left nothing, \
         `run --dry-run --detailed-exitcode` found nothing to change",
    ),
    (
        FAILED,
        "the workflow failed, timed out or was cancelled; `check` found orphans of this \
         workflow; `destroy` could not delete everything; the server failed mid-command",
    ),
    (
        USAGE,
        "usage or configuration error, or a server that is unreachable or refuses the key; \
         nothing was changed",
    ),
    (
        CHANGES_PENDING,
        "`run --dry-run --detailed-exitcode`: a run would change something (create, \
         reconcile, update or replace a resource, or submit a task)",
    ),
    (
        LEASE_HELD,
        "another run of this workflow holds its lease and `--no-wait`, or the end of \
         `--wait`, gave up; nothing was changed",
    ),
    (
        HUNG_UP,
        "a second SIGHUP quit a run at once, without teardown",
    ),
    (
        INTERRUPTED,
        "a second Ctrl-C quit at once, without teardown",
    ),
    (
        TERMINATED,
        "a second SIGTERM quit a run at once, without teardown",
    ),
];

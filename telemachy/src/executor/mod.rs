//! The idempotent executor: provisions a workflow on an Agamemnon server, runs its tasks in
//! dependency order, watches them to the end and tears down by policy.

mod event;
mod inventory;
mod options;
mod plan;
mod report;
mod snapshot;
mod timestamp;

pub use event::Event;
pub use inventory::{Inventory, InventoryEntry, Relation};
pub use options::{Cancellation, DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL, RunOptions};
pub use plan::{
    OWNER_TAG, Plan, PlanError, PlannedAgent, PlannedTask, PlannedTeam, WORKFLOW_TAG_PREFIX,
};
pub use report::{
    LeftBehind, Report, ResourceAction, ResourceKind, ResourceReport, RunStatus, TaskOrigin,
    TaskOutcome, TaskReport, TeardownReport, Timings,
};
pub use snapshot::Snapshot;

//! `check`: which of the workflow's resources exist, and which `tlm-*` resources no declared
//! resource accounts for; `--prune` deletes this workflow's orphans.

use std::fmt::Write as _;
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cli::args::CheckArgs;
use crate::cli::connect::Server;
use crate::cli::document::View;
use crate::cli::lease::under_lease;
use crate::cli::output::{Failure, exit_status, print_view};
use crate::cli::status::LeaseState;
use crate::executor::lease;
use crate::executor::{
    DEFAULT_CONCURRENCY, Inventory, InventoryEntry, Plan, Relation, ResourceKind, Snapshot, chain,
    delete_each,
};
use crate::spec::Workflow;

/// What `check` found, as `check --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CheckView {
    workflow: String,
    /// Every declared agent and team, and whether it exists.
    declared: Vec<DeclaredView>,
    /// This workflow's `tlm-*` resources that no declared resource accounts for.
    orphans: Vec<OrphanView>,
    /// `tlm-*` resources of other workflows; never touched.
    foreign: Vec<OrphanView>,
    /// The run lease's records, oldest first; a stale one counts as an orphan and
    /// `--prune` deletes it.
    lease: Vec<LeaseCheck>,
    /// Whether `--prune` was given.
    prune: bool,
    /// How many orphans remain (after pruning, those that could not be deleted).
    orphans_remaining: usize,
}

/// One record of the run lease, and what `--prune` did with it.
#[derive(Debug, Serialize, JsonSchema)]
struct LeaseCheck {
    #[serde(flatten)]
    state: LeaseState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pruned: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl View for CheckView {
    const COMMAND: &'static str = "check";
}

#[derive(Debug, Serialize, JsonSchema)]
struct DeclaredView {
    kind: ResourceKind,
    id: String,
    key: String,
    exists: bool,
    server_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct OrphanView {
    kind: ResourceKind,
    /// Its name on the server.
    key: String,
    server_id: String,
    /// Why it belongs to this workflow, or that it belongs to another.
    relation: Relation,
    /// The same in words.
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pruned: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl OrphanView {
    fn new(entry: &InventoryEntry) -> Self {
        OrphanView {
            kind: entry.kind,
            key: entry.name.clone(),
            server_id: entry.server_id.clone(),
            relation: entry.relation,
            reason: entry.relation.describe(),
            pruned: None,
            error: None,
        }
    }
}

/// Checks the server; exit status 1 when orphans remain.
pub(crate) async fn check(
    workflow: &Workflow,
    args: &CheckArgs,
    json: bool,
    url: Option<&str>,
) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    let server = Server::connect(url).await?;
    let result = if args.prune {
        under_lease(
            &server,
            &plan.workflow,
            &args.lease,
            inspect(&plan, &server, true),
        )
        .await
    } else {
        inspect(&plan, &server, false).await
    };
    server.close().await;
    let view = result?;
    print_view(&view, json, text)?;
    Ok(exit_status(view.orphans_remaining == 0))
}

/// Reads the server's agents and teams, and sorts the `tlm-*` ones by their relation to
/// `plan`.
pub(crate) async fn take_inventory(
    plan: &Plan,
    server: &Server,
) -> Result<(Snapshot, Inventory), Failure> {
    let snapshot = Snapshot::take(&server.client).await.map_err(|error| {
        Failure::runtime(format!(
            "could not read the agents and teams on the server: {}",
            chain(&error)
        ))
    })?;
    let inventory = Inventory::new(plan, &snapshot);
    Ok((snapshot, inventory))
}

async fn inspect(plan: &Plan, server: &Server, prune: bool) -> Result<CheckView, Failure> {
    let (snapshot, inventory) = take_inventory(plan, server).await?;

    let mut declared = Vec::new();
    for agent in &plan.agents {
        let existing = snapshot.agent(&agent.key);
        declared.push(DeclaredView {
            kind: ResourceKind::Agent,
            id: agent.id.clone(),
            key: agent.key.clone(),
            exists: existing.is_some(),
            server_id: existing.map(|agent| agent.id.clone()),
            status: existing.map(|agent| agent.status.to_string()),
        });
    }
    for team in &plan.teams {
        let existing = snapshot.team(&team.key);
        declared.push(DeclaredView {
            kind: ResourceKind::Team,
            id: team.id.clone(),
            key: team.key.clone(),
            exists: existing.is_some(),
            server_id: existing.map(|team| team.id.clone()),
            status: None,
        });
    }

    // Teams first, so that no team is left pointing at a deleted agent.
    let mut orphans: Vec<OrphanView> = inventory.orphans().map(OrphanView::new).collect();
    orphans.sort_by_key(|orphan| orphan.kind != ResourceKind::Team);
    if prune {
        let targets: Vec<(ResourceKind, String)> = orphans
            .iter()
            .map(|orphan| (orphan.kind, orphan.server_id.clone()))
            .collect();
        let outcomes = delete_each(&server.client, &targets, DEFAULT_CONCURRENCY).await;
        for (orphan, outcome) in orphans.iter_mut().zip(outcomes) {
            orphan.pruned = Some(outcome.is_ok());
            orphan.error = outcome.err();
        }
    }
    let records = lease::records_in(snapshot.teams(), &plan.workflow);
    let mut leases: Vec<LeaseCheck> = LeaseState::of(&records)
        .into_iter()
        .map(|state| LeaseCheck {
            state,
            pruned: None,
            error: None,
        })
        .collect();
    if prune {
        for lease in leases.iter_mut().filter(|lease| lease.state.is_stale()) {
            let outcome = server.client.delete_team(lease.state.server_id()).await;
            lease.pruned = Some(outcome.is_ok());
            lease.error = outcome.err().map(|error| chain(&error));
        }
    }
    let orphans_remaining = orphans
        .iter()
        .filter(|orphan| orphan.pruned != Some(true))
        .count()
        + leases
            .iter()
            .filter(|lease| lease.state.is_stale() && lease.pruned != Some(true))
            .count();
    Ok(CheckView {
        workflow: plan.workflow.clone(),
        declared,
        orphans,
        foreign: inventory.foreign().map(OrphanView::new).collect(),
        lease: leases,
        prune,
        orphans_remaining,
    })
}

fn text(view: &CheckView) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "workflow {}:", view.workflow);
    for resource in &view.declared {
        let state = match (&resource.server_id, &resource.status) {
            (Some(id), Some(status)) => format!("exists ({status}, id {id})"),
            (Some(id), None) => format!("exists (id {id})"),
            _ => "missing".to_owned(),
        };
        let _ = writeln!(
            text,
            "  {} {}  {}  {state}",
            resource.kind, resource.id, resource.key
        );
    }
    for lease in &view.lease {
        let outcome = match (lease.pruned, &lease.error) {
            (Some(true), _) => " - deleted".to_owned(),
            (Some(false), Some(error)) => format!(" - could not delete: {error}"),
            _ if lease.state.is_stale() && !view.prune => {
                " - a leftover: `check --prune` deletes it".to_owned()
            }
            _ => String::new(),
        };
        let _ = writeln!(text, "  {}{outcome}", lease.state.line());
    }
    if view.orphans.is_empty() {
        let _ = writeln!(text, "no orphans");
    } else {
        let _ = writeln!(
            text,
            "{} orphan(s), resources of this workflow that nothing declared accounts for:",
            view.orphans.len()
        );
        for orphan in &view.orphans {
            let outcome = match (orphan.pruned, &orphan.error) {
                (Some(true), _) => " - deleted".to_owned(),
                (Some(false), Some(error)) => format!(" - could not delete: {error}"),
                _ => String::new(),
            };
            let _ = writeln!(
                text,
                "  {} {}  id {}  ({}){outcome}",
                orphan.kind, orphan.key, orphan.server_id, orphan.reason
            );
        }
        if !view.prune {
            let _ = writeln!(text, "run `check --prune` to delete them");
        }
    }
    if !view.foreign.is_empty() {
        let _ = writeln!(
            text,
            "{} tlm-* resource(s) that no declared resource of this workflow accounts for and \
             that belong to other workflows (or to none that can be told), left alone:",
            view.foreign.len()
        );
        for foreign in &view.foreign {
            let _ = writeln!(
                text,
                "  {} {}  id {}",
                foreign.kind, foreign.key, foreign.server_id
            );
        }
    }
    text.trim_end().to_owned()
}

//! `destroy`: delete every resource of this workflow on the server, the declared agents and
//! teams and their orphans (what [`Inventory::owned`] finds), after listing them and, on a
//! terminal, asking. Teams go first, so that a team found only through its members is never
//! stranded; an interrupted `destroy` is finished by running it again, since whatever
//! remains is still found by its key, its tag or its members. Resources of other workflows
//! are never touched. The API cannot delete tasks: they stay under their deleted teams.
//!
//! `destroy` holds the run lease while it reads and deletes, as a run does: it waits for a
//! run of the workflow that is under way (`--wait`, `--no-wait`), and no run starts
//! provisioning in the middle of it.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cli::args::DestroyArgs;
use crate::cli::check::take_inventory;
use crate::cli::connect::Server;
use crate::cli::document::View;
use crate::cli::lease::under_lease;
use crate::cli::output::{Failure, exit_status, print_view};
use crate::executor::{
    DEFAULT_CONCURRENCY, InventoryEntry, Plan, Relation, ResourceKind, delete_each,
};
use crate::spec::Workflow;

/// What `destroy` did, as `destroy --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct DestroyView {
    workflow: String,
    /// Every resource of this workflow that was on the server, teams first.
    resources: Vec<DestroyedView>,
    /// How many were deleted (or were gone already).
    deleted: usize,
    /// How many could not be deleted.
    remaining: usize,
    /// How many `tlm-*` resources of other workflows were left alone.
    foreign_left_alone: usize,
}

impl View for DestroyView {
    const COMMAND: &'static str = "destroy";
}

#[derive(Debug, Serialize, JsonSchema)]
struct DestroyedView {
    kind: ResourceKind,
    /// The identifier in the workflow of the declared resource it is; none for an orphan.
    id: Option<String>,
    key: String,
    server_id: String,
    /// How it belongs to this workflow.
    relation: Relation,
    /// Whether it is gone.
    deleted: bool,
    /// Why it could not be deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl DestroyedView {
    fn new(entry: &InventoryEntry) -> Self {
        DestroyedView {
            kind: entry.kind,
            id: entry.declared_as.clone(),
            key: entry.name.clone(),
            server_id: entry.server_id.clone(),
            relation: entry.relation,
            deleted: false,
            error: None,
        }
    }
}

/// Deletes the workflow's resources; exit status 0 once none remain, 1 when some could not
/// be deleted, 2 when it was not confirmed.
pub(crate) async fn destroy(
    workflow: &Workflow,
    args: &DestroyArgs,
    json: bool,
    url: Option<&str>,
) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    let server = Server::connect(url).await?;
    let result = under_lease(
        &server,
        &plan.workflow,
        &args.lease,
        delete(&plan, &server, args.yes),
    )
    .await;
    server.close().await;
    let view = result?;
    print_view(&view, json, text)?;
    Ok(exit_status(view.remaining == 0))
}

async fn delete(plan: &Plan, server: &Server, yes: bool) -> Result<DestroyView, Failure> {
    let (_, inventory) = take_inventory(plan, server).await?;
    let mut resources: Vec<DestroyedView> = inventory.owned().map(DestroyedView::new).collect();
    resources.sort_by_key(|resource| resource.kind != ResourceKind::Team);

    if !resources.is_empty() && !yes {
        confirm(plan, &resources)?;
    }
    let targets: Vec<(ResourceKind, String)> = resources
        .iter()
        .map(|resource| (resource.kind, resource.server_id.clone()))
        .collect();
    let outcomes = delete_each(&server.client, &targets, DEFAULT_CONCURRENCY).await;
    for (resource, outcome) in resources.iter_mut().zip(outcomes) {
        resource.deleted = outcome.is_ok();
        resource.error = outcome.err();
    }
    let deleted = resources.iter().filter(|resource| resource.deleted).count();
    Ok(DestroyView {
        workflow: plan.workflow.clone(),
        remaining: resources.len() - deleted,
        deleted,
        resources,
        foreign_left_alone: inventory.foreign().count(),
    })
}

/// Lists what will be deleted on stderr and asks on the terminal; without a terminal to
/// ask on, refuses: deleting needs `--yes` there.
fn confirm(plan: &Plan, resources: &[DestroyedView]) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::usage(format!(
            "`destroy` would delete {} resource(s) of workflow {}; pass --yes to delete them \
             without asking (there is no terminal to ask on)",
            resources.len(),
            plan.workflow
        )));
    }
    let mut list = format!(
        "destroy will delete {} resource(s) of workflow {}:\n",
        resources.len(),
        plan.workflow
    );
    for resource in resources {
        let _ = writeln!(list, "  {}", describe(resource));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{list}Delete them? Type `yes` to confirm: ");
    let _ = stderr.flush();
    let mut answer = String::new();
    let _ = stdin.lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Failure::usage("not confirmed: nothing was deleted"))
    }
}

fn describe(resource: &DestroyedView) -> String {
    let what = match &resource.id {
        Some(id) => format!("declared as `{id}`"),
        None => resource.relation.describe().to_owned(),
    };
    format!(
        "{} {}  id {}  ({what})",
        resource.kind, resource.key, resource.server_id
    )
}

fn text(view: &DestroyView) -> String {
    let mut text = String::new();
    if view.resources.is_empty() {
        let _ = writeln!(
            text,
            "workflow {}: nothing to destroy, no resource of it is on the server",
            view.workflow
        );
    } else {
        let _ = writeln!(
            text,
            "workflow {}: {} deleted, {} could not be deleted",
            view.workflow, view.deleted, view.remaining
        );
        for resource in &view.resources {
            let outcome = match (&resource.error, resource.deleted) {
                (_, true) => "deleted".to_owned(),
                (Some(error), false) => format!("could not delete: {error}"),
                (None, false) => "not deleted".to_owned(),
            };
            let _ = writeln!(text, "  {} - {outcome}", describe(resource));
        }
        if view.remaining > 0 {
            let _ = writeln!(text, "run `destroy` again to retry");
        }
    }
    if view.foreign_left_alone > 0 {
        let _ = writeln!(
            text,
            "{} tlm-* resource(s) of other workflows left alone (`check` lists them)",
            view.foreign_left_alone
        );
    }
    text.trim_end().to_owned()
}

//! Teardown: stop and delete the run's agents, then delete its teams.
//!
//! Teams go last because a team and its tasks are the server's record of the work done. A
//! run killed in the middle of its teardown leaves its teams in place, so the next run
//! finds every task it had completed and does not do it again: it only recreates the
//! missing agents and tears down once more. Deleting the teams first would lose that record
//! while agents remain, and the next run would submit every task of those teams afresh.
//! (The server does not check a team's member ids, so a team whose agents are gone is
//! harmless for the moment it lasts.)
//!
//! What a run deletes is what it provisioned: the agents and teams it created or reused.
//! Resources a `--force` run left behind, and orphans, are `check --prune`'s business.
//! A resource that is already gone (404) counts as deleted. An error is reported and the
//! teardown carries on; it never changes the run's status.

use crate::client::Client;
use crate::executor::bounded::{JobEnd, run_bounded};
use crate::executor::error::chain;
use crate::executor::event::Event;
use crate::executor::options::{Cancellation, RunOptions};
use crate::executor::report::{ResourceKind, ResourceReport};
use crate::executor::stop::Stop;

/// Deletes every agent in `agents`, then every team in `teams`, that has a server id; marks
/// them deleted and returns what could not be deleted.
pub(crate) async fn tear_down(
    client: &Client,
    options: &RunOptions,
    teams: &mut [ResourceReport],
    agents: &mut [ResourceReport],
) -> Vec<String> {
    let mut errors = Vec::new();
    delete_all(ResourceKind::Agent, client, options, agents, &mut errors).await;
    delete_all(ResourceKind::Team, client, options, teams, &mut errors).await;
    errors
}

async fn delete_all(
    kind: ResourceKind,
    client: &Client,
    options: &RunOptions,
    resources: &mut [ResourceReport],
    errors: &mut Vec<String>,
) {
    let targets: Vec<(usize, String)> = resources
        .iter()
        .enumerate()
        .filter_map(|(index, resource)| resource.server_id.clone().map(|id| (index, id)))
        .collect();
    let jobs: Vec<_> = targets
        .iter()
        .map(|(_, id)| {
            let client = client.clone();
            let id = id.clone();
            async move { delete_one(kind, &client, &id).await }
        })
        .collect();
    // Teardown runs after a cancellation too: it must not be stopped by it.
    let never = Stop::new(Cancellation::new(), None);
    let ends = run_bounded(jobs, options.concurrency, &never).await;
    for ((index, id), end) in targets.into_iter().zip(ends) {
        let resource = &mut resources[index];
        let error = match end {
            JobEnd::Done(Ok(())) => None,
            JobEnd::Done(Err(error)) => Some(error),
            JobEnd::NotStarted | JobEnd::Abandoned => {
                Some("the teardown stopped before it".to_owned())
            }
            JobEnd::Panicked(message) => Some(format!("teardown stopped unexpectedly: {message}")),
        };
        match error {
            None => {
                resource.deleted = true;
                options.emit(match kind {
                    ResourceKind::Team => Event::TeamDeleted {
                        team: resource.id.clone(),
                        id,
                    },
                    ResourceKind::Agent => Event::AgentDeleted {
                        agent: resource.id.clone(),
                        id,
                    },
                });
            }
            Some(error) => {
                options.emit(Event::TeardownFailed {
                    kind,
                    resource: resource.id.clone(),
                    error: error.clone(),
                });
                errors.push(format!(
                    "could not delete {kind} `{}` ({}, id {id}): {error}",
                    resource.id, resource.key
                ));
            }
        }
    }
}

/// Deletes each of `targets` (kind and server id), at most `concurrency` at once, every
/// team before any agent: a team found only through its members would no longer be found
/// once they are gone. Returns each one's outcome, in `targets`' order.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) async fn delete_each(
    client: &Client,
    targets: &[(ResourceKind, String)],
    concurrency: usize,
) -> Vec<Result<(), String>> {
    let never = Stop::new(Cancellation::new(), None);
    let mut outcomes: Vec<Result<(), String>> = vec![Ok(()); targets.len()];
    for kind in [ResourceKind::Team, ResourceKind::Agent] {
        let positions: Vec<usize> = (0..targets.len())
            .filter(|&position| targets[position].0 == kind)
            .collect();
        let jobs: Vec<_> = positions
            .iter()
            .map(|&position| {
                let client = client.clone();
                let id = targets[position].1.clone();
                async move { delete_one(kind, &client, &id).await }
            })
            .collect();
        let ends = run_bounded(jobs, concurrency, &never).await;
        for (position, end) in positions.into_iter().zip(ends) {
            outcomes[position] = match end {
                JobEnd::Done(outcome) => outcome,
                JobEnd::NotStarted | JobEnd::Abandoned => {
                    Err("the deletion stopped before it".to_owned())
                }
                JobEnd::Panicked(message) => {
                    Err(format!("the deletion stopped unexpectedly: {message}"))
                }
            };
        }
    }
    outcomes
}

/// Deletes one resource; an agent is stopped first. A stop that fails does not prevent the
/// delete (the agent may not be running); 404 on delete means it is gone already.
pub(crate) async fn delete_one(
    kind: ResourceKind,
    client: &Client,
    id: &str,
) -> Result<(), String> {
    let deleted = match kind {
        ResourceKind::Team => client.delete_team(id).await,
        ResourceKind::Agent => {
            if let Err(error) = client.stop_agent(id).await {
                if error.is_not_found() {
                    return Ok(());
                }
                tracing::debug!(agent = id, error = %chain(&error), "stopping the agent failed; deleting it anyway");
            }
            client.delete_agent(id).await
        }
    };
    match deleted {
        Ok(()) => Ok(()),
        Err(error) if error.is_not_found() => Ok(()),
        Err(error) => Err(chain(&error)),
    }
}

//! Provisioning: reuse each agent and team by key or create it; bring reused agents' settings
//! in line (a `PATCH`, or a replacement) and start them; bring reused teams' members in line
//! with the definition; then delete the agents that replacements superseded.

use std::collections::BTreeSet;

use crate::api::{self, AgentStatus};
use crate::client::{self, Client};
use crate::executor::bounded::{JobEnd, run_bounded};
use crate::executor::error::chain;
use crate::executor::event::Event;
use crate::executor::options::Cancellation;
use crate::executor::options::RunOptions;
use crate::executor::plan::{Plan, PlannedAgent};
use crate::executor::report::{ResourceAction, ResourceKind, ResourceReport, RunStatus};
use crate::executor::settings::{
    SettingsAction, SettingsChange, docker_patch, is_superseded, superseded_tags,
};
use crate::executor::snapshot::Snapshot;
use crate::executor::stop::Stop;
use crate::executor::teardown::delete_one;

/// What provisioning did.
#[derive(Debug)]
pub(crate) struct Provisioning {
    /// One report per planned agent.
    pub(crate) agents: Vec<ResourceReport>,
    /// One report per planned team.
    pub(crate) teams: Vec<ResourceReport>,
    /// What went wrong, one line each.
    pub(crate) errors: Vec<String>,
    /// Set when the run was cancelled or timed out while provisioning.
    pub(crate) stopped: Option<RunStatus>,
}

impl Provisioning {
    /// Whether every agent and team is in place.
    pub(crate) fn is_complete(&self) -> bool {
        self.errors.is_empty() && self.stopped.is_none()
    }
}

/// Provisions the agents (at most `options.concurrency` at once), then the teams. Teams are
/// not provisioned when an agent could not be, since their members would be missing.
pub(crate) async fn provision(
    plan: &Plan,
    snapshot: &Snapshot,
    client: &Client,
    options: &RunOptions,
    stop: &Stop,
) -> Provisioning {
    let mut provisioning = unprovisioned(plan);

    let jobs: Vec<_> = plan
        .agents
        .iter()
        .map(|agent| {
            let existing: Vec<api::Agent> = snapshot.agents_named(&agent.key).cloned().collect();
            provision_agent(client.clone(), agent.clone(), existing, options.clone())
        })
        .collect();
    let ends = run_bounded(jobs, options.concurrency, stop).await;
    collect(
        ResourceKind::Agent,
        ends,
        &mut provisioning.agents,
        &mut provisioning.errors,
    );
    if let Some(reason) = stop.reason() {
        provisioning.stopped = Some(reason);
        return provisioning;
    }
    if !provisioning.errors.is_empty() {
        return provisioning;
    }

    let agent_ids: Vec<Option<String>> = provisioning
        .agents
        .iter()
        .map(|agent| agent.server_id.clone())
        .collect();
    let jobs: Vec<_> = plan
        .teams
        .iter()
        .map(|team| {
            let existing = (!options.force)
                .then(|| snapshot.team(&team.key).cloned())
                .flatten();
            let members: Vec<Option<String>> = team
                .members
                .iter()
                .map(|&member| agent_ids[member].clone())
                .collect();
            provision_team(
                client.clone(),
                TeamJob {
                    id: team.id.clone(),
                    key: team.key.clone(),
                    members,
                    existing,
                    preexisting: snapshot
                        .teams_named(&team.key)
                        .map(|team| team.id.clone())
                        .collect(),
                },
                options.clone(),
            )
        })
        .collect();
    let ends = run_bounded(jobs, options.concurrency, stop).await;
    collect(
        ResourceKind::Team,
        ends,
        &mut provisioning.teams,
        &mut provisioning.errors,
    );
    provisioning.stopped = stop.reason();
    if provisioning.is_complete() && !options.dry_run {
        retire_superseded(plan, client, options, &provisioning.agents).await;
    }
    provisioning
}

/// Stops and deletes the agents that replacements superseded, now that every team of the
/// workflow lists the replacements instead. A failure leaves the agent marked as superseded
/// and in no team of the workflow: the next run deletes it.
async fn retire_superseded(
    plan: &Plan,
    client: &Client,
    options: &RunOptions,
    agents: &[ResourceReport],
) {
    let targets: Vec<(String, String)> = agents
        .iter()
        .zip(&plan.agents)
        .flat_map(|(report, planned)| {
            report
                .superseded
                .iter()
                .map(|id| (planned.id.clone(), id.clone()))
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    let jobs: Vec<_> = targets
        .iter()
        .map(|(_, id)| {
            let client = client.clone();
            let id = id.clone();
            async move { delete_one(ResourceKind::Agent, &client, &id).await }
        })
        .collect();
    // Like the teardown, this finishes once started: the teams have moved already.
    let never = Stop::new(Cancellation::new(), None);
    let ends = run_bounded(jobs, options.concurrency, &never).await;
    for ((agent, id), end) in targets.into_iter().zip(ends) {
        let error = match end {
            JobEnd::Done(Ok(())) => None,
            JobEnd::Done(Err(error)) => Some(error),
            JobEnd::NotStarted | JobEnd::Abandoned => Some("it was not done".to_owned()),
            JobEnd::Panicked(message) => Some(format!("it stopped unexpectedly: {message}")),
        };
        options.emit(match error {
            None => Event::AgentRetired { agent, id },
            Some(error) => Event::RetireFailed { agent, id, error },
        });
    }
}

/// Provisioning that never happened: every resource `NotProvisioned`.
pub(crate) fn unprovisioned(plan: &Plan) -> Provisioning {
    Provisioning {
        agents: plan
            .agents
            .iter()
            .map(|agent| not_provisioned(&agent.id, &agent.key))
            .collect(),
        teams: plan
            .teams
            .iter()
            .map(|team| not_provisioned(&team.id, &team.key))
            .collect(),
        errors: Vec::new(),
        stopped: None,
    }
}

fn not_provisioned(id: &str, key: &str) -> ResourceReport {
    ResourceReport {
        id: id.to_owned(),
        key: key.to_owned(),
        server_id: None,
        action: ResourceAction::NotProvisioned,
        differs: Vec::new(),
        superseded: Vec::new(),
        deleted: false,
        error: None,
    }
}

/// The outcome of one agent's or team's job.
struct Provisioned {
    server_id: Option<String>,
    action: ResourceAction,
    differs: Vec<String>,
    /// Agents superseded by a replacement, to delete once the teams have moved.
    superseded: Vec<String>,
    error: Option<String>,
}

impl Provisioned {
    /// A resource provisioned with `action`.
    fn done(server_id: Option<String>, action: ResourceAction) -> Provisioned {
        Provisioned {
            server_id,
            action,
            differs: Vec::new(),
            superseded: Vec::new(),
            error: None,
        }
    }

    /// Reports that provisioning `resource` failed, as an event and as its outcome.
    fn failed(
        options: &RunOptions,
        kind: ResourceKind,
        resource: &str,
        server_id: Option<String>,
        error: String,
    ) -> Provisioned {
        options.emit(Event::ProvisionFailed {
            kind,
            resource: resource.to_owned(),
            error: error.clone(),
        });
        Provisioned {
            server_id,
            action: ResourceAction::Failed,
            differs: Vec::new(),
            superseded: Vec::new(),
            error: Some(error),
        }
    }
}

fn collect(
    kind: ResourceKind,
    ends: Vec<JobEnd<Provisioned>>,
    reports: &mut [ResourceReport],
    errors: &mut Vec<String>,
) {
    for (report, end) in reports.iter_mut().zip(ends) {
        match end {
            JobEnd::Done(done) => {
                if let Some(error) = &done.error {
                    errors.push(format!("{kind} `{}`: {error}", report.id));
                }
                report.server_id = done.server_id;
                report.action = done.action;
                report.differs = done.differs;
                report.superseded = done.superseded;
                report.error = done.error;
            }
            JobEnd::NotStarted => {}
            JobEnd::Abandoned => {
                let error = format!(
                    "the run stopped while its request was under way; if the server made it, \
                     the next run finds it by its key `{}`",
                    report.key
                );
                errors.push(format!("{kind} `{}`: {error}", report.id));
                report.error = Some(error);
            }
            JobEnd::Panicked(message) => {
                let error = format!("provisioning stopped unexpectedly: {message}");
                errors.push(format!("{kind} `{}`: {error}", report.id));
                report.action = ResourceAction::Failed;
                report.error = Some(error);
            }
        }
    }
}

/// Provisions one agent. `existing` holds every agent with its key, the canonical one
/// first; for `--force` none is reused, but their ids still keep a lost create's lookup
/// from adopting one of them.
async fn provision_agent(
    client: Client,
    agent: PlannedAgent,
    existing: Vec<api::Agent>,
    options: RunOptions,
) -> Provisioned {
    let failed = |server_id: Option<String>, error: String| {
        Provisioned::failed(&options, ResourceKind::Agent, &agent.id, server_id, error)
    };
    let existing_ids: Vec<String> = existing.iter().map(|agent| agent.id.clone()).collect();

    let current = if options.force {
        None
    } else {
        existing.first()
    };
    let Some(current) = current else {
        if options.dry_run {
            return Provisioned::done(None, ResourceAction::Created);
        }
        let created = match create(&client, &agent, &existing_ids).await {
            Ok(created) => created,
            Err(failure) => return failed(failure.server_id, failure.error),
        };
        options.emit(Event::AgentCreated {
            agent: agent.id.clone(),
            key: agent.key.clone(),
            id: created.id.clone(),
        });
        return start(&client, &agent, &options, created, ResourceAction::Created).await;
    };

    // Left by an earlier replacement that was interrupted before it deleted them.
    let leftovers: Vec<String> = existing[1..]
        .iter()
        .filter(|other| is_superseded(other))
        .map(|other| other.id.clone())
        .collect();
    let change = SettingsChange::compare(&agent.definition, current);
    let mut done = match change.action {
        SettingsAction::Replace => {
            if options.dry_run {
                let mut done = Provisioned::done(None, ResourceAction::Replaced);
                done.differs = change.settings;
                return done;
            }
            return replace(
                &client,
                &agent,
                &options,
                current,
                &existing_ids,
                change,
                leftovers,
            )
            .await;
        }
        SettingsAction::InLine => {
            if !options.dry_run {
                options.emit(Event::AgentReused {
                    agent: agent.id.clone(),
                    key: agent.key.clone(),
                    id: current.id.clone(),
                    differs: Vec::new(),
                });
            }
            Provisioned::done(Some(current.id.clone()), ResourceAction::Reused)
        }
        SettingsAction::Update => {
            let mut done = Provisioned::done(Some(current.id.clone()), ResourceAction::Updated);
            done.differs = change.settings.clone();
            if !options.dry_run {
                options.emit(Event::AgentReused {
                    agent: agent.id.clone(),
                    key: agent.key.clone(),
                    id: current.id.clone(),
                    differs: change.settings.clone(),
                });
                if let Err(error) = client.update_agent(&current.id, &change.patch).await {
                    return failed(
                        Some(current.id.clone()),
                        format!("could not update its settings: {}", chain(&error)),
                    );
                }
                options.emit(Event::AgentUpdated {
                    agent: agent.id.clone(),
                    id: current.id.clone(),
                    settings: change.settings,
                });
            }
            done
        }
    };
    done.superseded = leftovers;
    if options.dry_run {
        return done;
    }
    let action = done.action;
    let superseded = std::mem::take(&mut done.superseded);
    let mut started = start(&client, &agent, &options, current.clone(), action).await;
    started.differs = done.differs;
    if started.error.is_none() {
        started.superseded = superseded;
    }
    started
}

/// Replaces `current`, whose settings changed beyond a `PATCH`: marks it as superseded,
/// creates the new agent under the same key and starts it. The old one (and `leftovers` of
/// an earlier replacement) are deleted once the teams have moved to the new one.
///
/// A run killed at any point leaves what the next run completes: before the mark, nothing
/// changed; after it, the marked agent is still the teams' member and is replaced again;
/// after the create, the new agent is canonical (marked agents never are) and reused, the
/// teams move to it, and the marked one is deleted.
async fn replace(
    client: &Client,
    agent: &PlannedAgent,
    options: &RunOptions,
    current: &api::Agent,
    existing_ids: &[String],
    change: SettingsChange,
    leftovers: Vec<String>,
) -> Provisioned {
    let failed = |server_id: Option<String>, error: String| {
        Provisioned::failed(options, ResourceKind::Agent, &agent.id, server_id, error)
    };
    if !is_superseded(current) {
        let mut mark = api::AgentPatch::new();
        mark.tags = Some(superseded_tags(&current.tags));
        if let Err(error) = client.update_agent(&current.id, &mark).await {
            return failed(
                Some(current.id.clone()),
                format!(
                    "could not mark it for replacement (changed: {}): {}",
                    change.settings.join(", "),
                    chain(&error)
                ),
            );
        }
    }
    let created = match create(client, agent, existing_ids).await {
        Ok(created) => created,
        // The marked agent stays the teams' member; the next run replaces it.
        Err(failure) => {
            return failed(
                failure.server_id.or_else(|| Some(current.id.clone())),
                failure.error,
            );
        }
    };
    options.emit(Event::AgentReplaced {
        agent: agent.id.clone(),
        key: agent.key.clone(),
        id: created.id.clone(),
        replaced: current.id.clone(),
        settings: change.settings.clone(),
    });
    let mut started = start(client, agent, options, created, ResourceAction::Replaced).await;
    started.differs = change.settings;
    if started.error.is_none() {
        started.superseded = std::iter::once(current.id.clone())
            .chain(leftovers)
            .collect();
    }
    started
}

/// Why creating an agent failed, and its id if it exists.
struct CreateFailure {
    server_id: Option<String>,
    error: String,
}

/// Creates `agent` (leaving the agents `existing_ids` out of a lost create's lookup) and
/// stores its docker settings, which a create drops, with a `PATCH`.
async fn create(
    client: &Client,
    agent: &PlannedAgent,
    existing_ids: &[String],
) -> Result<api::Agent, CreateFailure> {
    let created = client
        .create_agent_excluding(&agent.definition, existing_ids)
        .await
        .map_err(|error| CreateFailure {
            server_id: None,
            error: format!("could not create it: {}", chain(&error)),
        })?;
    let Some(patch) = docker_patch(&agent.definition, &created) else {
        return Ok(created);
    };
    match client.update_agent(&created.id, &patch).await {
        // The answer holds the stored settings; keep the status the create reported.
        Ok(stored) => Ok(api::Agent {
            status: created.status,
            ..stored
        }),
        Err(error) => Err(CreateFailure {
            server_id: Some(created.id),
            error: format!("could not store its docker settings: {}", chain(&error)),
        }),
    }
}

/// Starts `agent` unless the server says it is online; the outcome with `action`.
async fn start(
    client: &Client,
    planned: &PlannedAgent,
    options: &RunOptions,
    agent: api::Agent,
    action: ResourceAction,
) -> Provisioned {
    if agent.status == AgentStatus::Online {
        return Provisioned::done(Some(agent.id), action);
    }
    match client.start_agent(&agent.id).await {
        Ok(_) => options.emit(Event::AgentStarted {
            agent: planned.id.clone(),
            id: agent.id.clone(),
        }),
        Err(error) if is_already_running(&error) => {}
        Err(error) => {
            return Provisioned::failed(
                options,
                ResourceKind::Agent,
                &planned.id,
                Some(agent.id),
                format!("could not start it: {}", chain(&error)),
            );
        }
    }
    Provisioned::done(Some(agent.id), action)
}

/// Whether a failed start means the agent is running already: 409, or 400 with a message
/// that says so. Agamemnon itself answers 200; other servers of its API do not.
pub(crate) fn is_already_running(error: &client::Error) -> bool {
    match error.status() {
        Some(409) => true,
        Some(400) => error
            .server_message()
            .is_some_and(|message| message.to_ascii_lowercase().contains("running")),
        _ => false,
    }
}

/// What a team's job needs to know.
struct TeamJob {
    id: String,
    key: String,
    /// The members' server ids; `None` for an agent that a dry run would create.
    members: Vec<Option<String>>,
    existing: Option<api::Team>,
    /// The ids of every team the snapshot holds under the key: never adopted for a create.
    preexisting: Vec<String>,
}

async fn provision_team(client: Client, team: TeamJob, options: RunOptions) -> Provisioned {
    let failed = |server_id: Option<String>, error: String| {
        Provisioned::failed(&options, ResourceKind::Team, &team.id, server_id, error)
    };
    let done = Provisioned::done;

    let known_members: Vec<String> = team.members.iter().flatten().cloned().collect();
    let all_members_known = known_members.len() == team.members.len();

    let Some(existing) = team.existing else {
        if options.dry_run {
            return done(None, ResourceAction::Created);
        }
        if !all_members_known {
            return failed(None, "some of its members were not provisioned".to_owned());
        }
        let new_team = api::NewTeam {
            name: team.key.clone(),
            agent_ids: known_members,
        };
        return match client
            .create_team_excluding(&new_team, &team.preexisting)
            .await
        {
            Ok(created) => {
                options.emit(Event::TeamCreated {
                    team: team.id.clone(),
                    key: team.key.clone(),
                    id: created.id.clone(),
                });
                done(Some(created.id), ResourceAction::Created)
            }
            Err(error) => failed(None, format!("could not create it: {}", chain(&error))),
        };
    };

    let wanted: BTreeSet<&str> = known_members.iter().map(String::as_str).collect();
    let present: BTreeSet<&str> = existing.agent_ids.iter().map(String::as_str).collect();
    let in_line =
        all_members_known && wanted == present && existing.agent_ids.len() == wanted.len();
    if options.dry_run {
        let action = if in_line {
            ResourceAction::Reused
        } else {
            ResourceAction::Reconciled
        };
        return done(Some(existing.id), action);
    }
    options.emit(Event::TeamReused {
        team: team.id.clone(),
        key: team.key.clone(),
        id: existing.id.clone(),
    });
    if in_line {
        return done(Some(existing.id), ResourceAction::Reused);
    }
    if !all_members_known {
        return failed(
            Some(existing.id),
            "some of its members were not provisioned".to_owned(),
        );
    }
    let added = wanted.difference(&present).count();
    let removed = existing
        .agent_ids
        .iter()
        .filter(|id| !wanted.contains(id.as_str()))
        .count();
    match client.set_team_members(&existing.id, &known_members).await {
        Ok(_) => {
            options.emit(Event::TeamReconciled {
                team: team.id.clone(),
                id: existing.id.clone(),
                added,
                removed,
            });
            done(Some(existing.id), ResourceAction::Reconciled)
        }
        Err(error) => failed(
            Some(existing.id),
            format!("could not bring its members in line: {}", chain(&error)),
        ),
    }
}

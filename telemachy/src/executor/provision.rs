//! Provisioning: reuse each agent and team by key or create it; start agents; bring reused
//! teams' members in line with the definition.

use std::collections::BTreeSet;

use crate::api::{self, AgentStatus};
use crate::client::{self, Client};
use crate::executor::bounded::{JobEnd, run_bounded};
use crate::executor::error::chain;
use crate::executor::event::Event;
use crate::executor::options::RunOptions;
use crate::executor::plan::{Plan, PlannedAgent};
use crate::executor::report::{ResourceAction, ResourceKind, ResourceReport, RunStatus};
use crate::executor::snapshot::Snapshot;
use crate::executor::stop::Stop;

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
            let existing = (!options.force)
                .then(|| snapshot.agent(&agent.key).cloned())
                .flatten();
            let preexisting = snapshot
                .agents_named(&agent.key)
                .map(|agent| agent.id.clone())
                .collect();
            provision_agent(
                client.clone(),
                agent.clone(),
                existing,
                preexisting,
                options.clone(),
            )
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
    provisioning
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
        deleted: false,
        error: None,
    }
}

/// The outcome of one agent's or team's job.
struct Provisioned {
    server_id: Option<String>,
    action: ResourceAction,
    differs: Vec<String>,
    error: Option<String>,
}

impl Provisioned {
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

async fn provision_agent(
    client: Client,
    agent: PlannedAgent,
    existing: Option<api::Agent>,
    preexisting: Vec<String>,
    options: RunOptions,
) -> Provisioned {
    let failed = |server_id: Option<String>, error: String| {
        Provisioned::failed(&options, ResourceKind::Agent, &agent.id, server_id, error)
    };

    let (server_id, online, action, differs) = match existing {
        Some(existing) => {
            let differs = differences(&agent.definition, &existing);
            if !options.dry_run {
                options.emit(Event::AgentReused {
                    agent: agent.id.clone(),
                    key: agent.key.clone(),
                    id: existing.id.clone(),
                    differs: differs.clone(),
                });
            }
            let online = existing.status == AgentStatus::Online;
            (Some(existing.id), online, ResourceAction::Reused, differs)
        }
        None if options.dry_run => (None, false, ResourceAction::Created, Vec::new()),
        // What the snapshot holds under the key (under `--force`, say) is never adopted for
        // what this create made.
        None => match client
            .create_agent_excluding(&agent.definition, &preexisting)
            .await
        {
            Ok(created) => {
                options.emit(Event::AgentCreated {
                    agent: agent.id.clone(),
                    key: agent.key.clone(),
                    id: created.id.clone(),
                });
                let online = created.status == AgentStatus::Online;
                (
                    Some(created.id),
                    online,
                    ResourceAction::Created,
                    Vec::new(),
                )
            }
            Err(error) => return failed(None, format!("could not create it: {}", chain(&error))),
        },
    };

    if options.dry_run || online {
        return Provisioned {
            server_id,
            action,
            differs,
            error: None,
        };
    }
    let Some(id) = server_id else {
        return failed(None, "the server gave no id for it".to_owned());
    };
    match client.start_agent(&id).await {
        Ok(_) => options.emit(Event::AgentStarted {
            agent: agent.id.clone(),
            id: id.clone(),
        }),
        Err(error) if is_already_running(&error) => {}
        Err(error) => {
            return failed(Some(id), format!("could not start it: {}", chain(&error)));
        }
    }
    Provisioned {
        server_id: Some(id),
        action,
        differs,
        error: None,
    }
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

/// The settings in which an existing agent differs from its definition. Docker settings
/// are compared only when the server returns them.
fn differences(wanted: &api::NewAgent, existing: &api::Agent) -> Vec<String> {
    let mut differs = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            differs.push(name.to_owned());
        }
    };
    check("program", wanted.program == existing.program);
    check(
        "working_dir",
        wanted.working_directory == existing.working_directory,
    );
    check("model", wanted.program_args == existing.program_args);
    check(
        "runtime",
        existing.host.is_empty() || wanted.host == existing.host,
    );
    check(
        "image",
        existing.image.is_none() || wanted.image == existing.image,
    );
    check(
        "cpus",
        existing.cpus.is_none() || wanted.cpus == existing.cpus,
    );
    check(
        "memory",
        existing.memory.is_none() || wanted.memory == existing.memory,
    );
    differs
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
    let done = |server_id: Option<String>, action: ResourceAction| Provisioned {
        server_id,
        action,
        differs: Vec::new(),
        error: None,
    };

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

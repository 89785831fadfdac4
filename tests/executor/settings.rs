//! Changed settings are corrected: a changed fingerprint shows in a dry run, CPUs and memory
//! are patched in place, a changed model replaces the agent (the team moves to the new one
//! and the old one goes), docker settings that a create dropped are stored, agents of older
//! versions are adopted with a patch, and an interrupted replacement is completed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use telemachy::Client;
use telemachy::api::{self, AgentPatch};
use telemachy::executor::{
    self, Event, Plan, ResourceAction, RunStatus, SETTINGS_TAG_PREFIX, SUPERSEDED_TAG, TaskOutcome,
};
use telemachy::key::make_key;
use telemachy::sim::Simulator;
use telemachy::spec::{Runtime, Workflow};

use super::{chain, client, create_agent, fleet_security, options, quick_simulator, run};

const FLEET: &str = "fleet-security-analysis";
const AGENT_ROUTE: &str = "/v1/agents/{id}";

/// The agents named `key` on `sim`.
fn named(sim: &Simulator, key: &str) -> Vec<api::Agent> {
    sim.agents()
        .into_iter()
        .filter(|agent| agent.name == key)
        .collect()
}

/// The fingerprint tag of agent `id` of `workflow`.
fn fingerprint_tag(workflow: &Workflow, id: &str) -> String {
    let plan = Plan::new(workflow).expect("valid");
    let agent = plan
        .agents
        .iter()
        .find(|agent| agent.id == id)
        .expect("declared");
    agent
        .definition
        .tags
        .iter()
        .find(|tag| tag.starts_with(SETTINGS_TAG_PREFIX))
        .cloned()
        .expect("every agent records a fingerprint")
}

fn action_of(report: &executor::Report, id: &str) -> (ResourceAction, Vec<String>) {
    let agent = report
        .agents
        .iter()
        .find(|agent| agent.id == id)
        .expect("reported");
    (agent.action, agent.differs.clone())
}

/// A workflow with the CPUs of `lead-analyst` changed.
fn more_cpus_for_the_lead() -> Workflow {
    let mut workflow = fleet_security();
    if let Some(Runtime::Docker(docker)) = workflow
        .agents
        .iter_mut()
        .find(|agent| agent.id == "lead-analyst")
        .map(|agent| &mut agent.runtime)
    {
        docker.cpus = 8;
    }
    workflow
}

#[tokio::test]
async fn changed_cpus_are_patched_in_place() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let first = run(&fleet_security(), &client, options()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.errors);
    let lead_key = make_key(FLEET, "lead-analyst");
    let before = named(&sim, &lead_key);
    let changed = more_cpus_for_the_lead();

    // The plan shows it and changes nothing.
    let requests = sim.requests();
    let plan = run(&changed, &client, options().dry_run(true)).await;
    assert_eq!(
        action_of(&plan, "lead-analyst"),
        (ResourceAction::Updated, vec!["cpus".to_owned()])
    );
    assert_eq!(action_of(&plan, "scout-alpha").0, ResourceAction::Reused);
    assert_eq!(
        sim.requests().posts(),
        requests.posts(),
        "a dry run changes nothing"
    );
    assert_eq!(
        sim.requests().count("PATCH", AGENT_ROUTE),
        requests.count("PATCH", AGENT_ROUTE)
    );

    let requests = sim.requests();
    let report = run(&changed, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "lead-analyst"),
        (ResourceAction::Updated, vec!["cpus".to_owned()])
    );
    let after = sim.requests();
    let delta =
        |method: &str, route: &str| after.count(method, route) - requests.count(method, route);
    assert_eq!(delta("PATCH", AGENT_ROUTE), 1, "one PATCH, of the lead");
    assert_eq!(delta("POST", "/v1/agents"), 0, "nothing is replaced");
    assert_eq!(delta("PUT", "/v1/teams/{id}"), 0, "the team stays as it is");
    let lead = named(&sim, &lead_key);
    assert_eq!(lead.len(), 1);
    assert_eq!(lead[0].id, before[0].id, "the same agent");
    assert_eq!(lead[0].cpus, Some(8), "read back from the server");
    assert_eq!(lead[0].memory.as_deref(), Some("8g"));
    assert!(
        lead[0]
            .tags
            .contains(&fingerprint_tag(&changed, "lead-analyst"))
    );
    assert!(
        !lead[0]
            .tags
            .contains(&fingerprint_tag(&fleet_security(), "lead-analyst"))
    );

    // Now in line: reused as it is.
    let again = run(&changed, &client, options()).await;
    assert_eq!(action_of(&again, "lead-analyst").0, ResourceAction::Reused);
    assert_eq!(
        sim.requests().count("PATCH", AGENT_ROUTE),
        after.count("PATCH", AGENT_ROUTE)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_changed_model_replaces_the_agent_and_the_team_moves_to_the_new_one() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let first = run(&fleet_security(), &client, options()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.errors);
    let alpha_key = make_key(FLEET, "scout-alpha");
    let old = named(&sim, &alpha_key).remove(0);
    let mut changed = fleet_security();
    changed.agents[0].model = Some("claude-opus-4-5".into());

    let plan = run(&changed, &client, options().dry_run(true)).await;
    assert_eq!(
        action_of(&plan, "scout-alpha"),
        (ResourceAction::Replaced, vec!["model".to_owned()])
    );
    assert_eq!(
        named(&sim, &alpha_key),
        std::slice::from_ref(&old),
        "a dry run changes nothing"
    );

    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let requests = sim.requests();
    let report = run(
        &changed,
        &client,
        options().on_event(move |event| seen.lock().expect("not poisoned").push(event.clone())),
    )
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "scout-alpha"),
        (ResourceAction::Replaced, vec!["model".to_owned()])
    );
    let alpha = named(&sim, &alpha_key);
    assert_eq!(alpha.len(), 1, "the old agent is gone: {alpha:?}");
    let new = &alpha[0];
    assert_ne!(new.id, old.id);
    assert_eq!(new.program_args, ["--model", "claude-opus-4-5"]);
    assert_eq!(new.image, old.image, "its docker settings are stored too");
    assert_eq!(report.agents[0].server_id.as_deref(), Some(new.id.as_str()));
    assert_eq!(report.agents[0].superseded, std::slice::from_ref(&old.id));
    let team = &sim.teams()[0];
    assert!(team.agent_ids.contains(&new.id) && !team.agent_ids.contains(&old.id));
    assert_eq!(team.agent_ids.len(), 4);
    let after = sim.requests();
    assert_eq!(
        after.count("POST", "/v1/agents") - requests.count("POST", "/v1/agents"),
        1
    );
    assert_eq!(
        after.count("DELETE", AGENT_ROUTE) - requests.count("DELETE", AGENT_ROUTE),
        1
    );
    // The work done stays done: the team is the same, so are its completed tasks.
    assert!(
        report
            .tasks
            .iter()
            .all(|task| task.outcome == TaskOutcome::AlreadyCompleted)
    );
    let events = events.lock().expect("not poisoned").clone();
    let replaced = events.iter().position(
        |event| matches!(event, Event::AgentReplaced { replaced, .. } if *replaced == old.id),
    );
    let moved = events
        .iter()
        .position(|event| matches!(event, Event::TeamReconciled { .. }));
    let retired = events
        .iter()
        .position(|event| matches!(event, Event::AgentRetired { id, .. } if *id == old.id));
    assert!(
        replaced < moved && moved < retired && retired.is_some(),
        "created, then the team moved, then the old one deleted: {events:?}"
    );

    // In line now: a further run changes nothing.
    let posts = sim.requests().posts();
    let again = run(&changed, &client, options()).await;
    assert_eq!(action_of(&again, "scout-alpha").0, ResourceAction::Reused);
    assert_eq!(sim.requests().posts(), posts);
    sim.shutdown().await;
}

#[tokio::test]
async fn docker_settings_a_create_dropped_are_stored_on_reuse() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = fleet_security();
    // Created as this version creates it, but the PATCH after the create never happened.
    let plan = Plan::new(&workflow).expect("valid");
    let created = client
        .create_agent(&plan.agents[0].definition)
        .await
        .expect("created");
    assert_eq!(created.image, None, "the create dropped it");

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "scout-alpha"),
        (ResourceAction::Updated, Vec::new()),
        "nothing changed; what was not stored is stored"
    );
    let alpha = named(&sim, &plan.agents[0].key);
    assert_eq!(alpha.len(), 1);
    assert_eq!(alpha[0].id, created.id);
    assert_eq!(
        (
            alpha[0].image.as_deref(),
            alpha[0].cpus,
            alpha[0].memory.as_deref()
        ),
        (
            Some("ghcr.io/homericintelligence/achaeanfleet:latest"),
            Some(2),
            Some("4g")
        )
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_agent_made_by_an_older_version_is_adopted_with_a_patch_not_replaced() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = chain("legacy", &["step"]);
    let older = create_agent(&client, "legacy", "worker").await;
    assert!(
        !older
            .tags
            .iter()
            .any(|tag| tag.starts_with(SETTINGS_TAG_PREFIX))
    );

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "worker"),
        (ResourceAction::Updated, Vec::new())
    );
    let agents = sim.agents();
    assert_eq!(agents.len(), 1, "nothing replaced");
    assert_eq!(agents[0].id, older.id);
    assert!(
        agents[0]
            .tags
            .contains(&fingerprint_tag(&workflow, "worker"))
    );
    sim.shutdown().await;
}

/// A completed first run of `chain(name)` on a fresh simulator: the simulator, a client, the
/// workflow, its worker's key and the worker as the server holds it.
async fn after_a_first_run(name: &str) -> (Simulator, Client, Workflow, String, api::Agent) {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = chain(name, &["step"]);
    let first = run(&workflow, &client, options()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.errors);
    let key = make_key(name, "worker");
    let worker = named(&sim, &key).remove(0);
    (sim, client, workflow, key, worker)
}

/// Marks `agent` as superseded, as the first step of a replacement does.
async fn mark_superseded(client: &Client, agent: &api::Agent) {
    let mut mark = AgentPatch::new();
    mark.tags = Some(
        agent
            .tags
            .iter()
            .cloned()
            .chain([SUPERSEDED_TAG.to_owned()])
            .collect(),
    );
    client.update_agent(&agent.id, &mark).await.expect("marked");
}

#[tokio::test]
async fn a_replacement_interrupted_after_its_create_is_completed() {
    let (sim, client, mut workflow, key, old) = after_a_first_run("interrupted").await;
    workflow.agents[0].model = Some("claude-opus-4-5".into());

    // What a run killed after creating the replacement leaves: the old agent marked and
    // still the team's member, the new one beside it.
    mark_superseded(&client, &old).await;
    let plan = Plan::new(&workflow).expect("valid");
    let new = client
        .create_agent(&plan.agents[0].definition)
        .await
        .expect("the replacement");

    let requests = sim.requests();
    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "worker").0,
        ResourceAction::Reused,
        "the new one is canonical"
    );
    assert_eq!(report.agents[0].server_id.as_deref(), Some(new.id.as_str()));
    assert_eq!(report.agents[0].superseded, std::slice::from_ref(&old.id));
    assert_eq!(
        sim.requests().count("POST", "/v1/agents"),
        requests.count("POST", "/v1/agents")
    );
    let ids: HashSet<String> = named(&sim, &key)
        .into_iter()
        .map(|agent| agent.id)
        .collect();
    assert_eq!(
        ids,
        HashSet::from([new.id.clone()]),
        "the marked one is deleted"
    );
    assert_eq!(sim.teams()[0].agent_ids, std::slice::from_ref(&new.id));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_replacement_interrupted_after_its_mark_is_done_again() {
    let (sim, client, old_workflow, key, old) = after_a_first_run("marked").await;
    mark_superseded(&client, &old).await;

    // The same settings after all: the mark goes, nothing is replaced.
    let same = run(&old_workflow, &client, options()).await;
    assert_eq!(action_of(&same, "worker").0, ResourceAction::Updated);
    let stored = named(&sim, &key);
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].tags.contains(&SUPERSEDED_TAG.to_owned()));

    // Changed settings: the marked agent is replaced like any other.
    mark_superseded(&client, &old).await;
    let mut workflow = old_workflow.clone();
    workflow.agents[0].working_dir = "/elsewhere".into();
    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        action_of(&report, "worker"),
        (ResourceAction::Replaced, vec!["working_dir".to_owned()])
    );
    let stored = named(&sim, &key);
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].id, old.id);
    assert_eq!(stored[0].working_directory, "/elsewhere");
    assert_eq!(sim.teams()[0].agent_ids, [stored[0].id.clone()]);
    sim.shutdown().await;
}

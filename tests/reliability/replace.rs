//! Crash in the middle of a replacement: the `fleet_security` binary brings two agents
//! whose model changed in line (each replaced: marked, created anew, its docker settings
//! stored, started; the team moved to the new ones in one `PUT`; the old ones deleted), and
//! is killed with SIGKILL at each request of that run. At the kill no team may list an
//! agent that does not exist and no declared agent may be missing; the next run must leave
//! exactly one agent per key, in line, with the team on them and no task run again; a third
//! run must create nothing and tear everything down.

use std::collections::BTreeSet;

use telemachy::api::AgentPatch;
use telemachy::executor::lease::lease_name;
use telemachy::executor::{Plan, SETTINGS_TAG_PREFIX};
use telemachy::sim::Simulator;

use crate::crash::{
    KillPoint, POLL, at_each_point, creates, fresh_simulator, is_poll, kill_at, run_to_end,
};
use crate::support::{Holdings, fleet_plan, quick_client};

/// The agents whose model the server shows changed.
const CHANGED: [&str; 2] = ["scout_alpha", "lead_analyst"];
/// The arguments of every run: quick polls, and no teardown until the last run.
const KEEP: [&str; 4] = ["--teardown", "never", "--poll-interval", POLL];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_killed_anywhere_strands_no_team_and_is_completed() {
    let plan = fleet_plan();
    // The requests of a replacement run besides its polls.
    let sim = fresh_simulator().await;
    let outcome = changed_on_the_server(&sim, &plan).await;
    outcome.expect("the set-up");
    let before = sim.requests();
    let reference = run_to_end(&sim, &KEEP).await;
    assert_eq!(
        reference.code,
        Some(0),
        "a reference replacement: {reference:?}"
    );
    let after = sim.requests();
    let steps = after
        .iter()
        .skip(before.total())
        .filter(|request| !is_poll(request.method(), request.route()))
        .count();
    assert_eq!(
        after.count("POST", "/v1/agents") - before.count("POST", "/v1/agents"),
        CHANGED.len(),
        "one new agent per changed one"
    );
    // Health and version, the run lease's record and its list, the two lists, four
    // requests per replaced agent, the team's `PUT`, a stop and a delete per replaced
    // agent, and the lease record's delete.
    assert_eq!(
        steps,
        2 + 2 + 2 + 4 * CHANGED.len() + 1 + 2 * CHANGED.len() + 1
    );
    in_line(&sim, &plan).expect("after the reference replacement");
    sim.shutdown().await;

    let points = (1..=steps).map(KillPoint::Step).collect();
    let (held, failures) = at_each_point(points, &plan, kill_and_complete).await;
    assert!(
        failures.is_empty(),
        "{} of {steps} kill points failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Kills landed on every kind of request of a replacement.
    for request in [
        ("PATCH", "/v1/agents/{id}"),
        ("POST", "/v1/agents"),
        ("POST", "/v1/agents/{id}/start"),
        ("PUT", "/v1/teams/{id}"),
        ("DELETE", "/v1/agents/{id}"),
    ] {
        let request = (request.0.to_owned(), request.1.to_owned());
        assert!(held.contains(&request), "no kill at {request:?}: {held:?}");
    }
}

/// A completed run of the workflow, after which the server shows [`CHANGED`] with another
/// model and another settings fingerprint, as if the workflow had changed since.
async fn changed_on_the_server(sim: &Simulator, plan: &Plan) -> Result<(), String> {
    let setup = run_to_end(sim, &KEEP).await;
    if setup.code != Some(0) {
        return Err(format!("the first run failed: {setup:?}"));
    }
    let client = quick_client(&sim.url());
    for id in CHANGED {
        let key = &plan.agents[agent_index(plan, id)].key;
        let stored = sim
            .agents()
            .into_iter()
            .find(|agent| &agent.name == key)
            .ok_or_else(|| format!("`{id}` is missing after the first run"))?;
        let mut patch = AgentPatch::new();
        patch.program_args = Some(vec!["--model".to_owned(), "claude-haiku-4-5".to_owned()]);
        patch.tags = Some(
            stored
                .tags
                .iter()
                .map(|tag| {
                    if tag.starts_with(SETTINGS_TAG_PREFIX) {
                        format!("{SETTINGS_TAG_PREFIX}0000000000000000")
                    } else {
                        tag.clone()
                    }
                })
                .collect(),
        );
        client
            .update_agent(&stored.id, &patch)
            .await
            .map_err(|error| format!("cannot change `{id}`: {error}"))?;
    }
    Ok(())
}

fn agent_index(plan: &Plan, id: &str) -> usize {
    plan.agents
        .iter()
        .position(|agent| agent.id == id)
        .unwrap_or_else(|| panic!("`{id}` is declared"))
}

/// Sets up, kills the replacement run at `point`, checks what the kill left, then completes
/// and tears down; answers the request whose answer the killed process never got.
async fn kill_and_complete(point: KillPoint, plan: Plan) -> Result<(String, String), String> {
    let plan = &plan;
    let sim = fresh_simulator().await;
    let result = async {
        changed_on_the_server(&sim, plan).await?;
        let completed = Holdings::of(&sim).tasks.len();
        let held = kill_at(&sim, point, &KEEP).await?;
        no_team_stranded(&Holdings::of(&sim), plan)
            .map_err(|problem| format!("at the kill: {problem}"))?;

        let resumed = run_to_end(&sim, &KEEP).await;
        if resumed.code != Some(0) {
            return Err(format!("the resumed run failed: {resumed:?}"));
        }
        in_line(&sim, plan).map_err(|problem| format!("after the resumed run: {problem}"))?;
        let tasks = Holdings::of(&sim).tasks.len();
        if tasks != completed {
            return Err(format!(
                "{completed} tasks had completed, but the server holds {tasks}: work was done again"
            ));
        }

        let creates_before = creates(&sim);
        let teardown = run_to_end(&sim, &["--poll-interval", POLL]).await;
        if teardown.code != Some(0) {
            return Err(format!("the third run failed: {teardown:?}"));
        }
        // Its one create is its own record of the run lease.
        if creates(&sim) != creates_before + 1 {
            return Err("the third run created something".to_owned());
        }
        if !Holdings::of(&sim).is_torn_down() {
            return Err("the teardown left resources".to_owned());
        }
        Ok(held)
    }
    .await;
    sim.shutdown().await;
    result
}

/// Every member of every team exists, and every declared agent exists at least once. (The
/// run lease's record is a team whose members are its fields, not agents.)
fn no_team_stranded(holdings: &Holdings, plan: &Plan) -> Result<(), String> {
    let ids: BTreeSet<&str> = holdings
        .agents
        .iter()
        .map(|agent| agent.id.as_str())
        .collect();
    let lease = lease_name(&plan.workflow);
    for team in holdings.teams.iter().filter(|team| team.name != lease) {
        if let Some(missing) = team.agent_ids.iter().find(|id| !ids.contains(id.as_str())) {
            return Err(format!(
                "team `{}` lists agent {missing}, which is gone",
                team.name
            ));
        }
        if team.agent_ids.len() != plan.agents.len() {
            return Err(format!(
                "team `{}` has {} members",
                team.name,
                team.agent_ids.len()
            ));
        }
    }
    for agent in &plan.agents {
        if !holdings
            .agents
            .iter()
            .any(|stored| stored.name == agent.key)
        {
            return Err(format!("agent `{}` is missing", agent.id));
        }
    }
    Ok(())
}

/// The server holds the workflow exactly once, every agent as declared, the team on them.
fn in_line(sim: &Simulator, plan: &Plan) -> Result<(), String> {
    let holdings = Holdings::of(sim);
    holdings.holds_exactly(plan)?;
    let mut ids = BTreeSet::new();
    for planned in &plan.agents {
        let Some(agent) = holdings
            .agents
            .iter()
            .find(|agent| agent.name == planned.key)
        else {
            return Err(format!("agent `{}` is missing", planned.id));
        };
        let definition = &planned.definition;
        if agent.program_args != definition.program_args || agent.tags != definition.tags {
            return Err(format!(
                "agent `{}` is not in line: {:?} {:?}",
                planned.id, agent.program_args, agent.tags
            ));
        }
        if agent.image != definition.image || agent.cpus != definition.cpus {
            return Err(format!("agent `{}` lacks its docker settings", planned.id));
        }
        ids.insert(agent.id.clone());
    }
    let members: BTreeSet<String> = holdings.teams[0].agent_ids.iter().cloned().collect();
    if members != ids {
        return Err(format!(
            "the team lists {members:?}, the agents are {ids:?}"
        ));
    }
    Ok(())
}

//! A create whose answer is lost adopts only what that create could have made: never a
//! resource that was there before it (the snapshot knows those ids), and of the others the
//! newest by parsed `createdAt`. Through the spoiling proxy, whose `502` page comes after
//! the simulator applied the create.

use std::collections::BTreeSet;
use std::time::Duration;

use telemachy::api::NewAgent;
use telemachy::executor::{ResourceAction, RunOptions};
use telemachy::sim::SimConfig;
use telemachy::spec::Teardown;

use crate::fleet_security;
use crate::proxy::{Proxy, Rule, Spoil, Target};
use crate::support::{fleet_plan, quick_client, shut_down, simulator};

/// The first `times` creates of `target` are answered with a proxy's `502` page after the
/// simulator applied them: their outcome is unknown to the client.
fn lost(target: Target, times: usize) -> Rule {
    Rule {
        target,
        spoil: Spoil::HtmlErrorPage,
        after: 0,
        times,
    }
}

fn ids<'a>(items: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    items.into_iter().cloned().collect()
}

#[tokio::test]
async fn force_with_lost_answers_never_adopts_what_was_there() {
    let sim = std::sync::Arc::new(
        simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await,
    );
    let direct = quick_client(&sim.url());
    let options = || {
        RunOptions::new()
            .poll_interval(Duration::from_millis(10))
            .teardown(Teardown::OnCompletion)
    };
    let first = fleet_security::run(&direct, options().teardown(Teardown::Never))
        .await
        .expect("the first run starts");
    assert!(first.status.is_success(), "{first:?}");
    let before_agents = ids(sim.agents().iter().map(|agent| &agent.id));
    let before_teams = ids(sim.teams().iter().map(|team| &team.id));

    // Every agent's and team's create loses its answer once, under `--force`.
    let plan = fleet_plan();
    let proxy = Proxy::start(
        &sim.url(),
        vec![
            lost(Target::CreateAgent, plan.agents.len()),
            lost(Target::CreateTeam, plan.teams.len()),
        ],
    )
    .await;
    let through = quick_client(proxy.url());
    let forced = fleet_security::run(&through, options().force(true))
        .await
        .expect("the forced run starts");
    assert!(forced.status.is_success(), "{forced:?}");
    assert!(proxy.spoiled() >= plan.agents.len() + plan.teams.len());
    for resource in forced.agents.iter().chain(&forced.teams) {
        assert_eq!(resource.action, ResourceAction::Created, "{resource:?}");
        let id = resource.server_id.as_deref().expect("an id");
        assert!(
            !before_agents.contains(id) && !before_teams.contains(id),
            "`{}` adopted {id}, which was there before the run",
            resource.id
        );
        assert!(resource.deleted, "{resource:?}");
    }
    // The forced run deleted what it made, and only that: what was there is there still.
    assert_eq!(
        ids(sim.agents().iter().map(|agent| &agent.id)),
        before_agents
    );
    assert_eq!(ids(sim.teams().iter().map(|team| &team.id)), before_teams);
    assert_eq!(
        forced.left_behind.len(),
        before_agents.len() + before_teams.len()
    );
    drop(proxy);
    shut_down(sim).await;
}

#[tokio::test]
async fn a_lost_answer_with_an_older_duplicate_present_adopts_the_new_one() {
    let sim = simulator(SimConfig::default()).await;
    let direct = quick_client(&sim.url());
    let agent = NewAgent {
        name: "tlm-0123456789abcdef-twin".to_owned(),
        ..NewAgent::default()
    };
    let older = direct.create_agent(&agent).await.expect("created");
    let proxy = Proxy::start(&sim.url(), vec![lost(Target::CreateAgent, 2)]).await;
    let through = quick_client(proxy.url());

    // Known to the caller: excluded even when stamped in the same second.
    let adopted = through
        .create_agent_excluding(&agent, std::slice::from_ref(&older.id))
        .await
        .expect("adopted");
    assert_ne!(adopted.id, older.id);

    // Unknown to the caller but older by a second: the newest is the one made now.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let newest = through.create_agent(&agent).await.expect("adopted");
    assert_ne!(newest.id, older.id);
    assert_ne!(newest.id, adopted.id);

    let on_server = ids(sim.agents().iter().map(|agent| &agent.id));
    assert_eq!(
        on_server,
        ids([&older.id, &adopted.id, &newest.id]),
        "one agent per create, each adopted by the create that made it"
    );
    assert_eq!(proxy.spoiled(), 2);
    drop(proxy);
    sim.shutdown().await;
}

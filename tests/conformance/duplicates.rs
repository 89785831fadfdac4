//! Duplicate safety against a server that really applies a create and then loses the
//! answer: the client looks the resource up, adopts it, and exactly one exists.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use telemachy::Client;
use telemachy::api::{NewAgent, NewTask, NewTeam, TaskStatus};
use telemachy::client::Error;
use telemachy::sim::{Faults, SimConfig, Simulator};

use crate::requests::{ANALYSIS, LOCAL_AGENT, analysis_task, local_agent};
use crate::support::{client, config, simulator};

/// Every mutating request is applied and its answer dropped; reads are answered.
fn drop_every_answer() -> Faults {
    Faults {
        drop_after_apply_rate: 1.0,
        ..Faults::default()
    }
}

/// The statuses the simulator logged for `method` on `route`, in order (`None`: dropped).
fn statuses(sim: &Simulator, method: &str, route: &str) -> Vec<Option<u16>> {
    sim.requests()
        .iter()
        .filter(|entry| entry.method() == method && entry.route() == route)
        .map(|entry| entry.status())
        .collect()
}

#[tokio::test]
async fn an_agent_whose_answer_was_lost_is_adopted() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);

    sim.set_faults(drop_every_answer());
    let adopted = client.create_agent(&local_agent()).await.expect("adopted");
    sim.set_faults(Faults::default());

    // One POST, applied and unanswered; then a lookup instead of a second POST.
    assert_eq!(statuses(&sim, "POST", "/v1/agents"), [None]);
    assert_eq!(statuses(&sim, "GET", "/v1/agents"), [Some(200)]);
    let agents = sim.agents();
    assert_eq!(agents.len(), 1, "exactly one agent: {agents:?}");
    assert_eq!(agents[0], adopted);
    assert_eq!(adopted.name, LOCAL_AGENT);
}

#[tokio::test]
async fn a_replacement_whose_answer_was_lost_is_adopted_not_the_agent_it_replaces() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let old = client.create_agent(&local_agent()).await.expect("created");

    sim.set_faults(drop_every_answer());
    let adopted = client
        .create_agent_excluding(&local_agent(), std::slice::from_ref(&old.id))
        .await
        .expect("adopted");
    sim.set_faults(Faults::default());

    assert_eq!(statuses(&sim, "POST", "/v1/agents"), [Some(201), None]);
    assert_ne!(
        adopted.id, old.id,
        "the older agent of that name is left out"
    );
    let agents = sim.agents();
    assert_eq!(agents.len(), 2, "the old one and one new one: {agents:?}");
    assert!(agents.contains(&adopted));
}

#[tokio::test]
async fn a_team_whose_answer_was_lost_is_adopted() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let team = NewTeam {
        name: "tlm-0123456789abcdef-team".into(),
        agent_ids: vec!["a1".into(), "a2".into()],
    };

    sim.set_faults(drop_every_answer());
    let adopted = client.create_team(&team).await.expect("adopted");
    sim.set_faults(Faults::default());

    assert_eq!(statuses(&sim, "POST", "/v1/teams"), [None]);
    assert_eq!(statuses(&sim, "GET", "/v1/teams"), [Some(200)]);
    let teams = sim.teams();
    assert_eq!(teams.len(), 1, "exactly one team: {teams:?}");
    assert_eq!(teams[0], adopted);
    assert_eq!(adopted.agent_ids, team.agent_ids);
}

const TASKS: &str = "/v1/teams/{team_id}/tasks";

/// A team with one failed task of subject [`ANALYSIS`], an earlier attempt of it.
async fn team_with_a_failed_attempt(client: &Client) -> (String, String) {
    let team = client
        .create_team(&NewTeam {
            name: "tlm-team".into(),
            agent_ids: vec![],
        })
        .await
        .expect("team")
        .id;
    let earlier = client
        .create_task(&team, &analysis_task("a1"), &[])
        .await
        .expect("earlier attempt");
    client
        .set_task_status(&team, &earlier.id, TaskStatus::Failed)
        .await
        .expect("failed");
    (team, earlier.id)
}

/// The id and status of every task of `team` with subject [`ANALYSIS`].
fn attempts(sim: &Simulator, team: &str) -> BTreeMap<String, TaskStatus> {
    sim.tasks()
        .into_iter()
        .filter(|task| task.team_id == team && task.subject == ANALYSIS)
        .map(|task| (task.id, task.status))
        .collect()
}

#[tokio::test]
async fn a_task_whose_answer_was_lost_is_adopted_not_the_earlier_attempt() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let (team, earlier) = team_with_a_failed_attempt(&client).await;

    sim.set_faults(drop_every_answer());
    let adopted = client
        .create_task(&team, &analysis_task("a1"), std::slice::from_ref(&earlier))
        .await
        .expect("adopted");
    sim.set_faults(Faults::default());

    assert_ne!(adopted.id, earlier);
    assert_eq!(adopted.status, TaskStatus::Pending);
    assert_eq!(statuses(&sim, "POST", TASKS), [Some(201), None]);
    let expected = BTreeMap::from([
        (earlier, TaskStatus::Failed),
        (adopted.id, TaskStatus::Pending),
    ]);
    assert_eq!(
        attempts(&sim, &team),
        expected,
        "the earlier attempt and exactly one new task"
    );
}

#[tokio::test]
async fn a_task_not_created_is_sent_again_even_beside_an_earlier_attempt() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let (team, earlier) = team_with_a_failed_attempt(&client).await;

    // With this seed the next three decisions are: answer 500 without applying (the
    // create), serve (the lookup, which finds only the earlier attempt), serve (the create
    // sent again). The log below proves it.
    sim.set_faults(Faults {
        error_rate: 0.5,
        seed: 21,
        ..Faults::default()
    });
    let created = client
        .create_task(&team, &analysis_task("a1"), std::slice::from_ref(&earlier))
        .await
        .expect("created");
    sim.set_faults(Faults::default());

    let posts = statuses(&sim, "POST", TASKS);
    assert_eq!(posts, [Some(201), Some(500), Some(201)], "seeded faults");
    assert_eq!(statuses(&sim, "GET", TASKS), [Some(200)], "one lookup");
    assert_ne!(created.id, earlier, "the earlier attempt is not adopted");
    assert_eq!(attempts(&sim, &team).len(), 2);
}

/// Waits until `deadline`, then answers the agents the simulator holds.
async fn agents_at(sim: &Simulator, deadline: Instant) -> Vec<telemachy::api::Agent> {
    tokio::time::sleep_until(deadline.into()).await;
    sim.agents()
}

#[tokio::test]
async fn a_create_the_client_gave_up_on_is_still_applied_and_not_sent_again() {
    let sim = simulator(SimConfig::default()).await;
    // Every request takes 300 ms; the client waits 100 ms for each.
    sim.set_faults(Faults {
        latency: Duration::from_millis(300)..Duration::from_millis(300),
        ..Faults::default()
    });
    let client = Client::new(config(&sim).timeout(Duration::from_millis(100))).expect("client");

    let started = Instant::now();
    let error = client
        .create_agent(&local_agent())
        .await
        .expect_err("the create and its lookup time out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");

    // Like the real server, the simulator finishes what the client gave up on; the client,
    // unable to look, did not send it again.
    let agents = agents_at(&sim, started + Duration::from_millis(800)).await;
    assert_eq!(agents.len(), 1, "applied once, late: {agents:?}");
    assert_eq!(statuses(&sim, "POST", "/v1/agents"), [Some(201)]);
}

#[tokio::test]
async fn a_create_applied_after_its_timeout_is_adopted_not_sent_again() {
    let sim = simulator(SimConfig::default()).await;
    // With this seed the create takes 288 ms (the client gives up after 200 ms and the
    // server applies it later), the lookup 15 ms, and a create sent again would take 100 ms.
    // A lookup right after the timeout would find nothing, and the create sent again would
    // land beside the late one: two agents.
    sim.set_faults(Faults {
        latency: Duration::ZERO..Duration::from_millis(400),
        seed: 1626,
        ..Faults::default()
    });
    let client = Client::new(config(&sim).timeout(Duration::from_millis(200))).expect("client");

    let started = Instant::now();
    let adopted = client.create_agent(&local_agent()).await.expect("adopted");

    let agents = agents_at(&sim, started + Duration::from_millis(700)).await;
    assert_eq!(agents, [adopted], "exactly one agent");
    assert_eq!(statuses(&sim, "POST", "/v1/agents"), [Some(201)]);
    assert_eq!(statuses(&sim, "GET", "/v1/agents"), [Some(200)]);
}

/// Which resources of each name the simulator holds.
fn ids_by_name(stored: impl Iterator<Item = (String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, id) in stored {
        by_name.entry(name).or_default().push(id);
    }
    by_name
}

#[tokio::test]
async fn under_random_faults_no_create_is_ever_duplicated() {
    let sim = simulator(SimConfig::default()).await;
    sim.set_faults(Faults {
        error_rate: 0.15,
        drop_after_apply_rate: 0.3,
        seed: 7,
        ..Faults::default()
    });
    let client = Client::new(config(&sim).max_retries(6)).expect("client");

    // The id each create answered, by name; `None` when it gave up.
    let mut agents = BTreeMap::new();
    let mut teams = BTreeMap::new();
    let mut tasks = BTreeMap::new();
    for n in 0..15 {
        let name = format!("tlm-soak-{n:02}");
        let agent = NewAgent {
            name: name.clone(),
            ..NewAgent::default()
        };
        let created = client.create_agent(&agent).await;
        agents.insert(name.clone(), created.ok().map(|agent| agent.id));
        let team = NewTeam {
            name: name.clone(),
            agent_ids: vec![],
        };
        let created = client.create_team(&team).await;
        teams.insert(name.clone(), created.ok().map(|team| team.id));
        let task = NewTask {
            subject: name.clone(),
            ..NewTask::default()
        };
        let created = client.create_task("tlm-soak", &task, &[]).await;
        tasks.insert(name, created.ok().map(|task| task.id));
    }
    sim.set_faults(Faults::default());

    let log = sim.requests();
    let dropped = log.iter().filter(|entry| entry.status().is_none()).count();
    let failed = log
        .iter()
        .filter(|entry| entry.status() == Some(500))
        .count();
    assert!(dropped > 5 && failed > 5, "faults were injected: {log:?}");

    let stored = [
        (
            "agent",
            &agents,
            ids_by_name(sim.agents().into_iter().map(|a| (a.name, a.id))),
        ),
        (
            "team",
            &teams,
            ids_by_name(sim.teams().into_iter().map(|t| (t.name, t.id))),
        ),
        (
            "task",
            &tasks,
            ids_by_name(sim.tasks().into_iter().map(|t| (t.subject, t.id))),
        ),
    ];
    for (kind, answered, held) in &stored {
        for (name, ids) in held {
            assert_eq!(ids.len(), 1, "{kind} `{name}` was duplicated: {ids:?}");
        }
        for (name, id) in answered.iter() {
            // A create that succeeded answered the one resource of that name.
            if let Some(id) = id {
                assert_eq!(held.get(name), Some(&vec![id.clone()]), "{kind} `{name}`");
            }
        }
    }
    // Most creates get through despite the faults.
    let succeeded = [&agents, &teams, &tasks]
        .iter()
        .flat_map(|answered| answered.values())
        .flatten()
        .count();
    assert!(succeeded >= 35, "only {succeeded} of 45 creates succeeded");
}

#[tokio::test]
async fn idempotent_calls_survive_lost_answers() {
    let sim = simulator(SimConfig::default()).await;
    let client = Client::new(config(&sim).max_retries(6)).expect("client");
    let agent = client.create_agent(&local_agent()).await.expect("agent");
    let team = NewTeam {
        name: "tlm-team".into(),
        agent_ids: vec![],
    };
    let team = client.create_team(&team).await.expect("team").id;
    let task = client
        .create_task(&team, &analysis_task(&agent.id), &[])
        .await
        .expect("task")
        .id;

    // Half of the changes are applied and their answers lost, again on retries.
    sim.set_faults(Faults {
        drop_after_apply_rate: 0.5,
        seed: 11,
        ..Faults::default()
    });
    for _ in 0..3 {
        let started = client.start_agent(&agent.id).await.expect("start");
        assert_eq!(started.status, telemachy::api::AgentStatus::Online);
        let stopped = client.stop_agent(&agent.id).await.expect("stop");
        assert_eq!(stopped.status, telemachy::api::AgentStatus::Offline);
    }
    let members = [agent.id.clone()];
    let replaced = client
        .set_team_members(&team, &members)
        .await
        .expect("members");
    assert_eq!(replaced.agent_ids, members);
    for status in [TaskStatus::Running, TaskStatus::Completed] {
        let updated = client
            .set_task_status(&team, &task, status.clone())
            .await
            .expect("status");
        assert_eq!(updated.status, status);
    }
    client.delete_team(&team).await.expect("delete team");
    client.delete_agent(&agent.id).await.expect("delete agent");
    sim.set_faults(Faults::default());

    let dropped = sim
        .requests()
        .iter()
        .filter(|entry| entry.status().is_none())
        .count();
    assert!(dropped >= 4, "answers were lost: {:?}", sim.requests());
    assert!(sim.agents().is_empty() && sim.teams().is_empty());
    assert_eq!(sim.tasks()[0].status, TaskStatus::Completed);
}

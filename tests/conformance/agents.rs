//! Health, version and the life of an agent: create (local and docker), read back, look up
//! by name, start twice, stop, delete, then not found.

use telemachy::api::{AgentPatch, AgentStatus};
use telemachy::sim::SimConfig;

use crate::requests::{DOCKER_AGENT, LOCAL_AGENT, docker_agent, local_agent};
use crate::support::{client, simulator};

#[tokio::test]
async fn health_and_version() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);

    assert_eq!(client.health().await.expect("health").status, "ok");
    let version = client.version().await.expect("version");
    assert_eq!(version.version, "0.1.0");
    assert!(!version.name.is_empty());
    assert_eq!(sim.requests().count("GET", "/v1/health"), 1);
    assert_eq!(sim.requests().count("GET", "/v1/version"), 1);
}

#[tokio::test]
async fn a_docker_agent_gets_its_settings_from_the_patch_after_its_create() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let sent = docker_agent();

    let created = client.create_agent(&sent).await.expect("create");
    assert_eq!(created.name, DOCKER_AGENT);
    assert_eq!(created.label, sent.label);
    assert_eq!(created.program, sent.program);
    assert_eq!(created.working_directory, sent.working_directory);
    assert_eq!(created.program_args, sent.program_args);
    assert_eq!(created.tags, sent.tags);
    assert_eq!(created.role, "worker");
    assert_eq!(created.host, "docker");
    assert_eq!(
        (
            created.image.as_ref(),
            created.cpus,
            created.memory.as_ref()
        ),
        (None, None, None),
        "a create drops the docker settings, as the real server does"
    );
    assert_eq!(created.status, AgentStatus::Offline);
    assert!(!created.created_at.is_empty());
    assert_eq!(created.updated_at, None, "0.1.0 has no updatedAt");

    let mut patch = AgentPatch::new();
    patch.image = sent.image.clone();
    patch.cpus = sent.cpus;
    patch.memory = sent.memory.clone();
    let patched = client
        .update_agent(&created.id, &patch)
        .await
        .expect("patch");
    assert_eq!(patched.image, sent.image);
    assert_eq!(patched.cpus, Some(2));
    assert_eq!(patched.memory, sent.memory);
    assert_eq!(patched.created_at, created.created_at);
    assert_eq!(patched.tags, sent.tags, "fields not named stay");

    // Read back three ways: the list, the name, and the simulator's own state.
    let listed = client.list_agents().await.expect("list");
    assert_eq!(listed, std::slice::from_ref(&patched));
    let by_name = client.agent_by_name(DOCKER_AGENT).await.expect("by name");
    assert_eq!(by_name.as_ref(), Some(&patched));
    assert_eq!(sim.agents(), [patched]);
    assert_eq!(sim.requests().count("PATCH", "/v1/agents/{id}"), 1);
}

#[tokio::test]
async fn fields_left_empty_get_the_contracts_defaults() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let sent = local_agent();
    assert!(sent.role.is_empty() && sent.owner.is_empty() && sent.task_description.is_empty());

    let created = client.create_agent(&sent).await.expect("create");
    assert_eq!(created.name, LOCAL_AGENT);
    assert_eq!(created.role, "worker", "the contract's default role");
    assert_eq!(created.host, "local");
    assert_eq!(created.owner, "");
    assert_eq!(created.task_description, "");
    assert_eq!(created.image, None);

    let bare = client
        .create_agent(&telemachy::api::NewAgent {
            name: "tlm-bare".into(),
            ..Default::default()
        })
        .await
        .expect("create");
    assert_eq!(
        (bare.role.as_str(), bare.host.as_str()),
        ("worker", "local")
    );
}

#[tokio::test]
async fn start_twice_stop_delete_then_not_found() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let agent = client.create_agent(&local_agent()).await.expect("create");

    for _ in 0..2 {
        let started = client
            .start_agent(&agent.id)
            .await
            .expect("start is idempotent");
        assert_eq!(started.id, agent.id);
        assert_eq!(started.status, AgentStatus::Online);
    }
    let found = client.agent_by_name(LOCAL_AGENT).await.expect("by name");
    assert_eq!(found.map(|agent| agent.status), Some(AgentStatus::Online));

    let stopped = client.stop_agent(&agent.id).await.expect("stop");
    assert_eq!(stopped.status, AgentStatus::Offline);
    assert_eq!(sim.agents()[0].status, AgentStatus::Offline);

    client.delete_agent(&agent.id).await.expect("delete");
    assert!(sim.agents().is_empty());
    assert_eq!(
        client.agent_by_name(LOCAL_AGENT).await.expect("by name"),
        None
    );
    assert!(client.list_agents().await.expect("list").is_empty());

    let again = client.delete_agent(&agent.id).await.expect_err("gone");
    assert!(again.is_not_found(), "{again:?}");
    assert_eq!(again.server_message(), Some("agent not found"));
    let start = client.start_agent(&agent.id).await.expect_err("gone");
    assert!(start.is_not_found(), "{start:?}");
    // A 404 is final: each call reached the server once.
    let log = sim.requests();
    assert_eq!(log.count("DELETE", "/v1/agents/{id}"), 2);
    assert_eq!(log.count("POST", "/v1/agents/{id}/start"), 3);
}

#[tokio::test]
async fn duplicate_names_make_two_agents_and_by_name_finds_one() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);

    // The server accepts duplicates: a create that is not retried makes a second agent.
    let first = client.create_agent(&local_agent()).await.expect("create");
    let second = client.create_agent(&local_agent()).await.expect("create");
    assert_ne!(first.id, second.id);
    let listed = client.list_agents().await.expect("list");
    assert_eq!(listed.len(), 2);
    let by_name = client
        .agent_by_name(LOCAL_AGENT)
        .await
        .expect("by name")
        .expect("one of them");
    assert!(by_name.id == first.id || by_name.id == second.id);
}

#[tokio::test]
async fn a_name_is_one_path_segment_whatever_it_holds() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let name = "team a/reviewer #1?";
    let created = client
        .create_agent(&telemachy::api::NewAgent {
            name: name.into(),
            ..Default::default()
        })
        .await
        .expect("create");

    let found = client.agent_by_name(name).await.expect("by name");
    assert_eq!(found.map(|agent| agent.id), Some(created.id));
    assert_eq!(client.agent_by_name("team a").await.expect("by name"), None);
    assert_eq!(sim.requests().count("GET", "/v1/agents/by-name/{name}"), 2);
}

//! Every call: method, path, query, auth header, body fields, and decoding of the contract's
//! example answers.

use serde_json::json;
use telemachy::api::{AgentStatus, NewTask, NewTeam, TaskStatus};
use wiremock::matchers::{body_json, header, query_param};

use crate::requests::{DOCKER_AGENT, LOCAL_AGENT, docker_agent, local_agent, login_task};
use crate::support::{
    AGENT_ID, TASK_ID, TEAM_ID, api, client, example_agent, example_task, example_team,
    json_answer, received, server,
};

#[tokio::test]
async fn health_and_version() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/version")
        .and(header("accept", "application/json"))
        .respond_with(json_answer(
            200,
            json!({"version": "0.1.0", "name": "Agamemnon"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    assert_eq!(client.health().await.expect("health").status, "ok");
    let version = client.version().await.expect("version");
    assert_eq!(
        (version.version.as_str(), version.name.as_str()),
        ("0.1.0", "Agamemnon")
    );
}

#[tokio::test]
async fn list_agents_asks_for_full_pages_and_decodes_the_example() {
    let server = server().await;
    api("GET", "/v1/agents")
        .and(query_param("limit", "1000"))
        .and(query_param("offset", "0"))
        .respond_with(json_answer(
            200,
            json!({"agents": [example_agent()], "total": 1, "limit": 1000, "offset": 0}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let agents = client(&server).list_agents().await.expect("list agents");
    assert_eq!(agents.len(), 1);
    let agent = &agents[0];
    assert_eq!(agent.id, AGENT_ID);
    assert_eq!(agent.name, "my-agent");
    assert_eq!(agent.role, "worker");
    assert_eq!(agent.host, "local");
    assert_eq!(agent.status, AgentStatus::Offline);
    assert_eq!(agent.created_at, "2026-01-01T00:00:00Z");
    assert_eq!(agent.updated_at, None);
}

#[tokio::test]
async fn a_list_without_counts_is_the_contract_shape() {
    let server = server().await;
    api("GET", "/v1/teams")
        .respond_with(json_answer(200, json!({"teams": [example_team()]})))
        .expect(1)
        .mount(&server)
        .await;

    let teams = client(&server).list_teams().await.expect("list teams");
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].id, TEAM_ID);
    assert_eq!(teams[0].name, "alpha-team");
    assert_eq!(teams[0].agent_ids, vec![AGENT_ID.to_owned()]);
}

#[tokio::test]
async fn agent_by_name_finds_one_or_none() {
    let server = server().await;
    api("GET", "/v1/agents/by-name/my-agent")
        .respond_with(json_answer(200, json!({"agent": example_agent()})))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/v1/agents/by-name/no%20such%2Fagent")
        .respond_with(json_answer(404, json!({"error": "agent not found"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let found = client.agent_by_name("my-agent").await.expect("by name");
    assert_eq!(found.map(|agent| agent.id), Some(AGENT_ID.to_owned()));
    // A name is one path segment, whatever it contains.
    let missing = client
        .agent_by_name("no such/agent")
        .await
        .expect("by name");
    assert_eq!(missing, None);
}

#[tokio::test]
async fn create_agent_sends_every_field_in_camel_case() {
    let server = server().await;
    let mut created = example_agent();
    created["name"] = json!(DOCKER_AGENT);
    created["host"] = json!("docker");
    created["image"] = json!("ghcr.io/example/scout:1");
    created["cpus"] = json!(2);
    created["memory"] = json!("4g");
    api("POST", "/v1/agents")
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "name": DOCKER_AGENT,
            "label": "scout",
            "program": "claude-code",
            "workingDirectory": "/workspace",
            "programArgs": ["--model", "claude-sonnet-4-5"],
            "tags": ["telemachy", "telemachy-workflow=audit"],
            "role": "worker",
            "host": "docker",
            "image": "ghcr.io/example/scout:1",
            "cpus": 2,
            "memory": "4g"
        })))
        .respond_with(json_answer(201, json!({"id": AGENT_ID, "agent": created})))
        .expect(1)
        .mount(&server)
        .await;

    let agent = client(&server)
        .create_agent(&docker_agent())
        .await
        .expect("create agent");
    assert_eq!(agent.id, AGENT_ID);
    assert_eq!(agent.host, "docker");
    assert_eq!(agent.image.as_deref(), Some("ghcr.io/example/scout:1"));
    assert_eq!(agent.status, AgentStatus::Offline);
}

#[tokio::test]
async fn update_agent_patches_only_the_fields_it_names_and_is_retried() {
    let server = server().await;
    let mut stored = example_agent();
    stored["host"] = json!("docker");
    stored["image"] = json!("ghcr.io/example/scout:1");
    stored["cpus"] = json!(4);
    let route = format!("/v1/agents/{AGENT_ID}");
    let body = json!({"image": "ghcr.io/example/scout:1", "cpus": 4});
    // The first attempt fails with a 5xx: a merge is safe to send again.
    api("PATCH", &route)
        .and(header("content-type", "application/json"))
        .and(body_json(body.clone()))
        .respond_with(json_answer(503, json!({"error": "busy"})))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    api("PATCH", &route)
        .and(body_json(body))
        .respond_with(json_answer(200, json!({"agent": stored})))
        .expect(1)
        .mount(&server)
        .await;

    let mut patch = telemachy::api::AgentPatch::new();
    patch.image = Some("ghcr.io/example/scout:1".into());
    patch.cpus = Some(4);
    let agent = client(&server)
        .update_agent(AGENT_ID, &patch)
        .await
        .expect("patched");
    assert_eq!(agent.cpus, Some(4));
    assert_eq!(agent.image.as_deref(), Some("ghcr.io/example/scout:1"));
}

#[tokio::test]
async fn update_agent_of_an_unknown_id_is_not_found() {
    let server = server().await;
    api("PATCH", "/v1/agents/gone")
        .respond_with(json_answer(404, json!({"error": "agent not found"})))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .update_agent("gone", &telemachy::api::AgentPatch::new())
        .await
        .expect_err("404");
    assert!(error.is_not_found(), "{error}");
}

#[tokio::test]
async fn empty_text_fields_are_left_to_the_server_defaults() {
    let server = server().await;
    api("POST", "/v1/agents")
        .and(body_json(json!({
            "name": LOCAL_AGENT,
            "program": "claude-code",
            "host": "local",
            "programArgs": [],
            "tags": []
        })))
        .respond_with(json_answer(
            201,
            json!({"id": AGENT_ID, "agent": example_agent()}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    api("POST", &format!("/v1/teams/{TEAM_ID}/tasks"))
        .and(body_json(json!({"subject": "Review", "blockedBy": []})))
        .respond_with(json_answer(201, json!({"task": example_task()})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    client
        .create_agent(&local_agent())
        .await
        .expect("create agent");
    let task = NewTask {
        subject: "Review".into(),
        ..NewTask::default()
    };
    client
        .create_task(TEAM_ID, &task, &[])
        .await
        .expect("create task");
}

#[tokio::test]
async fn start_and_stop_always_send_a_body() {
    let server = server().await;
    for (action, status) in [("start", "online"), ("stop", "offline")] {
        api("POST", &format!("/v1/agents/{AGENT_ID}/{action}"))
            .respond_with(json_answer(200, json!({"status": status, "id": AGENT_ID})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);

    let started = client.start_agent(AGENT_ID).await.expect("start");
    assert_eq!(
        (started.id.as_str(), &started.status),
        (AGENT_ID, &AgentStatus::Online)
    );
    let stopped = client.stop_agent(AGENT_ID).await.expect("stop");
    assert_eq!(stopped.status, AgentStatus::Offline);

    // The real server stalls for 10 s on a POST with neither body nor Content-Length.
    for action in ["start", "stop"] {
        let requests = received(&server, "POST", &format!("/v1/agents/{AGENT_ID}/{action}")).await;
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.body, b"{}");
        assert_eq!(
            request
                .headers
                .get("content-length")
                .map(|value| value.as_bytes()),
            Some(&b"2"[..])
        );
        assert_eq!(
            request
                .headers
                .get("content-type")
                .map(|value| value.as_bytes()),
            Some(&b"application/json"[..])
        );
    }
}

#[tokio::test]
async fn deletes_decode_the_deleted_id() {
    let server = server().await;
    api("DELETE", &format!("/v1/agents/{AGENT_ID}"))
        .respond_with(json_answer(200, json!({"deleted": AGENT_ID})))
        .expect(1)
        .mount(&server)
        .await;
    api("DELETE", &format!("/v1/teams/{TEAM_ID}"))
        .respond_with(json_answer(200, json!({"deleted": TEAM_ID})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    client.delete_agent(AGENT_ID).await.expect("delete agent");
    client.delete_team(TEAM_ID).await.expect("delete team");
}

#[tokio::test]
async fn deleting_twice_reports_not_found() {
    let server = server().await;
    api("DELETE", &format!("/v1/agents/{AGENT_ID}"))
        .respond_with(json_answer(404, json!({"error": "agent not found"})))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server)
        .delete_agent(AGENT_ID)
        .await
        .expect_err("already deleted");
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.server_message(), Some("agent not found"));
}

#[tokio::test]
async fn create_team_and_replace_members() {
    let server = server().await;
    api("POST", "/v1/teams")
        .and(body_json(
            json!({"name": "alpha-team", "agentIds": [AGENT_ID]}),
        ))
        .respond_with(json_answer(201, json!({"team": example_team()})))
        .expect(1)
        .mount(&server)
        .await;
    let mut replaced = example_team();
    replaced["agentIds"] = json!(["a", "b"]);
    replaced["updatedAt"] = json!("2026-01-02T00:00:00Z");
    api("PUT", &format!("/v1/teams/{TEAM_ID}"))
        .and(body_json(json!({"agentIds": ["a", "b"]})))
        .respond_with(json_answer(200, json!({"team": replaced})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let team = client
        .create_team(&NewTeam {
            name: "alpha-team".into(),
            agent_ids: vec![AGENT_ID.into()],
        })
        .await
        .expect("create team");
    assert_eq!(team.id, TEAM_ID);

    let team = client
        .set_team_members(TEAM_ID, &["a".to_owned(), "b".to_owned()])
        .await
        .expect("replace members");
    assert_eq!(team.agent_ids, ["a", "b"]);
    assert_eq!(team.updated_at.as_deref(), Some("2026-01-02T00:00:00Z"));
}

#[tokio::test]
async fn tasks_list_create_get_and_update() {
    let server = server().await;
    let tasks_route = format!("/v1/teams/{TEAM_ID}/tasks");
    let task_route = format!("/v1/teams/{TEAM_ID}/tasks/{TASK_ID}");
    api("GET", &tasks_route)
        .and(query_param("limit", "1000"))
        .and(query_param("offset", "0"))
        .respond_with(json_answer(
            200,
            json!({"tasks": [example_task()], "total": 1, "limit": 1000, "offset": 0}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    api("POST", &tasks_route)
        .and(body_json(json!({
            "subject": "Implement login endpoint",
            "description": "Add POST /auth/login with JWT response",
            "assigneeAgentId": AGENT_ID,
            "blockedBy": ["t0"],
            "type": "implementation"
        })))
        .respond_with(json_answer(201, json!({"task": example_task()})))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", &task_route)
        .respond_with(json_answer(200, json!({"task": example_task()})))
        .expect(1)
        .mount(&server)
        .await;
    let mut completed = example_task();
    completed["status"] = json!("completed");
    completed["completedAt"] = json!("2026-01-01T01:00:00Z");
    api("PUT", &task_route)
        .and(body_json(json!({"status": "completed"})))
        .respond_with(json_answer(200, json!({"task": completed})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let tasks = client.list_tasks(TEAM_ID).await.expect("list tasks");
    assert_eq!(tasks.len(), 1);
    let listed = &tasks[0];
    assert_eq!(listed.team_id, TEAM_ID);
    assert_eq!(listed.kind, "implementation");
    assert_eq!(listed.assignee_agent_id, AGENT_ID);
    assert_eq!(listed.status, TaskStatus::Pending);
    assert_eq!(listed.completed_at, None);

    let created = client
        .create_task(TEAM_ID, &login_task(AGENT_ID, &["t0"]), &[])
        .await
        .expect("create task");
    assert_eq!(created.id, TASK_ID);

    let fetched = client.get_task(TEAM_ID, TASK_ID).await.expect("get task");
    assert_eq!(
        fetched.description,
        "Add POST /auth/login with JWT response"
    );

    let updated = client
        .set_task_status(TEAM_ID, TASK_ID, TaskStatus::Completed)
        .await
        .expect("update status");
    assert_eq!(updated.status, TaskStatus::Completed);
    assert!(updated.status.is_terminal());
    assert_eq!(
        updated.completed_at.as_deref(),
        Some("2026-01-01T01:00:00Z")
    );
}

#[tokio::test]
async fn an_unknown_team_has_no_tasks() {
    let server = server().await;
    api("GET", "/v1/teams/nobody/tasks")
        .respond_with(json_answer(
            200,
            json!({"tasks": [], "total": 0, "limit": 1000, "offset": 0}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let tasks = client(&server)
        .list_tasks("nobody")
        .await
        .expect("list tasks");
    assert!(tasks.is_empty());
}

#[tokio::test]
async fn unknown_statuses_decode_as_other() {
    let server = server().await;
    let mut task = example_task();
    task["status"] = json!("paused");
    api("GET", &format!("/v1/teams/{TEAM_ID}/tasks/{TASK_ID}"))
        .respond_with(json_answer(200, json!({"task": task})))
        .expect(1)
        .mount(&server)
        .await;
    let mut agent = example_agent();
    agent["status"] = json!("hibernating");
    agent["somethingNew"] = json!({"nested": true});
    api("GET", "/v1/agents/by-name/my-agent")
        .respond_with(json_answer(200, json!({"agent": agent})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let task = client.get_task(TEAM_ID, TASK_ID).await.expect("get task");
    assert_eq!(task.status, TaskStatus::Other("paused".into()));
    assert!(!task.status.is_terminal());
    let agent = client
        .agent_by_name("my-agent")
        .await
        .expect("by name")
        .expect("found");
    assert_eq!(agent.status, AgentStatus::Other("hibernating".into()));
}

#[tokio::test]
async fn a_base_url_with_a_path_prefixes_every_request() {
    let server = server().await;
    api("GET", "/agamemnon/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .expect(1)
        .mount(&server)
        .await;
    let config = telemachy::Config::new(&format!("{}/agamemnon/", server.uri()))
        .expect("valid URL")
        .api_key(crate::support::KEY);
    assert_eq!(config.base_url(), format!("{}/agamemnon", server.uri()));
    let client = telemachy::Client::new(config).expect("client");
    assert_eq!(client.base_url(), format!("{}/agamemnon", server.uri()));

    client.health().await.expect("health");
}

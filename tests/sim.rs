//! The simulator over raw HTTP: every route's shape and status, pagination, auth, rate
//! limiting, simulated workers, fault injection and the request log.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telemachy::api::TaskStatus;
use telemachy::sim::{Faults, SimConfig, Simulator, UNMATCHED};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A simulator and an HTTP client pointed at it.
struct Harness {
    sim: Simulator,
    http: reqwest::Client,
    key: Option<&'static str>,
}

/// One answer: status, headers, JSON body (`Null` when the body is not JSON).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Harness {
    async fn start(config: SimConfig) -> Harness {
        let sim = Simulator::start(config)
            .await
            .expect("the simulator starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("a plain client builds");
        Harness {
            sim,
            http,
            key: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    /// Sends a request, with a JSON body when given, and the key when set.
    async fn try_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self.http.request(method, self.url(path));
        if let Some(key) = self.key {
            request = request.bearer_auth(key);
        }
        request = match body {
            Some(body) => request.json(&body),
            // What a careful client sends for a body-less POST.
            None => request.header("content-length", "0"),
        };
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.try_call(method, path, body)
            .await
            .expect("the simulator answers")
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn new_agent(&self, body: Value) -> String {
        let answer = self.post("/v1/agents", body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        id_of(&answer.body["id"])
    }

    async fn new_team(&self, body: Value) -> String {
        let answer = self.post("/v1/teams", body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        id_of(&answer.body["team"]["id"])
    }

    async fn new_task(&self, team: &str, body: Value) -> String {
        let answer = self.post(&format!("/v1/teams/{team}/tasks"), body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        id_of(&answer.body["task"]["id"])
    }

    async fn task_status(&self, team: &str, task: &str) -> String {
        let answer = self.get(&format!("/v1/teams/{team}/tasks/{task}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        id_of(&answer.body["task"]["status"])
    }
}

fn id_of(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
        .to_owned()
}

fn error_of(answer: &Answer) -> &str {
    answer.body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error body, got {}", answer.body))
}

fn is_uuid_v4(id: &str) -> bool {
    let lengths: Vec<usize> = id.split('-').map(str::len).collect();
    lengths == [8, 4, 4, 4, 12]
        && id.as_bytes()[14] == b'4'
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test]
async fn health_version_and_the_version_header() {
    let h = Harness::start(SimConfig::default()).await;
    let root = h.get("/health").await;
    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.body, json!({"status": "ok", "service": "Agamemnon"}));
    let health = h.get("/v1/health").await;
    assert_eq!(health.body, json!({"status": "ok"}));
    let version = h.get("/v1/version").await;
    assert_eq!(
        version.body,
        json!({"version": "0.1.0", "name": "Agamemnon"})
    );
    let workflows = h.get("/v1/workflows").await;
    assert_eq!(workflows.body, json!({"workflows": []}));

    let missing = h.get("/v1/nothing-here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&missing), "not found");
    let wrong_method = h.call(Method::DELETE, "/v1/agents", None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);

    for answer in [
        &root,
        &health,
        &version,
        &workflows,
        &missing,
        &wrong_method,
    ] {
        assert_eq!(answer.headers["x-api-version"], "0.1.0");
        assert_eq!(answer.headers["content-type"], "application/json");
    }
}

#[tokio::test]
async fn agent_lifecycle() {
    let h = Harness::start(SimConfig::default()).await;
    let created = h
        .post(
            "/v1/agents",
            json!({
                "name": "tlm-demo-x",
                "label": "writer",
                "program": "claude-code",
                "workingDirectory": "/tmp",
                "programArgs": ["--model", "opus"],
                "tags": ["telemachy"],
                "status": "online",
                "id": "chosen-by-client",
                "flavour": "dropped on create",
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = id_of(&created.body["id"]);
    assert!(is_uuid_v4(&id), "{id}");
    let agent = &created.body["agent"];
    assert_eq!(agent["id"], id.as_str());
    assert_eq!(agent["name"], "tlm-demo-x");
    assert_eq!(agent["label"], "writer");
    assert_eq!(agent["programArgs"], json!(["--model", "opus"]));
    assert_eq!(agent["status"], "offline", "a new agent is offline");
    assert_eq!(agent["role"], "worker");
    assert_eq!(agent["host"], "local");
    assert_eq!(agent["taskDescription"], "");
    assert!(
        agent.get("flavour").is_none(),
        "a create drops unknown fields, as the real server does"
    );
    assert!(
        agent["createdAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert!(agent.get("updatedAt").is_none(), "0.1.0 has no updatedAt");

    let fetched = h.get(&format!("/v1/agents/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(&fetched.body["agent"], agent);
    let by_name = h.get("/v1/agents/by-name/tlm-demo-x").await;
    assert_eq!(by_name.body["agent"]["id"], id.as_str());
    let no_name = h.get("/v1/agents/by-name/nobody").await;
    assert_eq!(no_name.status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&no_name), "agent not found");

    for _ in 0..2 {
        let started = h
            .call(Method::POST, &format!("/v1/agents/{id}/start"), None)
            .await;
        assert_eq!(started.status, StatusCode::OK, "start is idempotent");
        assert_eq!(started.body, json!({"id": id, "status": "online"}));
    }
    let stopped = h.post(&format!("/v1/agents/{id}/stop"), json!({})).await;
    assert_eq!(stopped.body, json!({"id": id, "status": "offline"}));

    let patched = h
        .call(
            Method::PATCH,
            &format!("/v1/agents/{id}"),
            Some(json!({"label": "editor", "id": "ignored", "createdAt": "ignored", "flavour": "stored"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.body["agent"]["label"], "editor");
    assert_eq!(
        patched.body["agent"]["flavour"], "stored",
        "a PATCH merges unknown fields"
    );
    assert_eq!(
        patched.body["agent"]["programArgs"],
        json!(["--model", "opus"])
    );
    assert!(patched.body["agent"].get("updatedAt").is_none());
    assert_eq!(patched.body["agent"]["id"], id.as_str());
    assert_eq!(patched.body["agent"]["createdAt"], agent["createdAt"]);
    let bad_status = h
        .call(
            Method::PATCH,
            &format!("/v1/agents/{id}"),
            Some(json!({"status": "sleeping"})),
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::BAD_REQUEST);

    let deleted = h
        .call(Method::DELETE, &format!("/v1/agents/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body, json!({"deleted": id}));
    for path in [format!("/v1/agents/{id}"), format!("/v1/agents/{id}/start")] {
        let method = if path.ends_with("start") {
            Method::POST
        } else {
            Method::GET
        };
        let gone = h.call(method, &path, None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert_eq!(gone.body, json!({"error": "agent not found"}));
    }
    let again = h
        .call(Method::DELETE, &format!("/v1/agents/{id}"), None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(h.sim.agents().is_empty());
}

#[tokio::test]
async fn duplicate_names_make_two_agents() {
    let h = Harness::start(SimConfig::default()).await;
    let first = h.new_agent(json!({"name": "twin"})).await;
    let second = h.new_agent(json!({"name": "twin"})).await;
    assert_ne!(first, second);
    assert_eq!(h.sim.agents().len(), 2);
    let found = h.get("/v1/agents/by-name/twin").await;
    let found = id_of(&found.body["agent"]["id"]);
    assert!(found == first || found == second);
    let unnamed = h.post("/v1/agents", json!({})).await;
    assert_eq!(unnamed.body["agent"]["name"], "unnamed");
}

#[tokio::test]
async fn absent_fields_get_the_contracts_defaults() {
    let h = Harness::start(SimConfig::default()).await;
    let agent = h.post("/v1/agents", json!({"name": "bare"})).await;
    let agent = &agent.body["agent"];
    assert_eq!(
        agent["role"], "worker",
        "AgentCreate.role defaults to worker"
    );
    assert_eq!(agent["host"], "local", "AgentCreate.host defaults to local");
    assert_eq!(agent["owner"], "");
    assert_eq!(agent["taskDescription"], "");
    let task = h.post("/v1/teams/t/tasks", json!({"subject": "s"})).await;
    assert_eq!(
        task.body["task"]["type"], "general",
        "TaskCreate.type defaults to general"
    );
    // A value that is given, even an empty one, is stored as given.
    let explicit = h
        .post(
            "/v1/agents",
            json!({"name": "x", "role": "reviewer", "owner": ""}),
        )
        .await;
    assert_eq!(explicit.body["agent"]["role"], "reviewer");
    assert_eq!(explicit.body["agent"]["owner"], "");
}

#[tokio::test]
async fn docker_settings_are_dropped_by_a_create_and_stored_by_a_patch() {
    let h = Harness::start(SimConfig::default()).await;
    let created = h
        .post(
            "/v1/agents",
            json!({"name": "scout", "host": "docker", "image": "ghcr.io/x/fleet:latest", "cpus": 2, "memory": "4g"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let agent = &created.body["agent"];
    assert_eq!(agent["host"], "docker");
    for field in ["image", "cpus", "memory"] {
        assert!(agent.get(field).is_none(), "a create drops `{field}`");
    }
    // It decodes as the shared wire type.
    let decoded: telemachy::api::AgentCreated =
        serde_json::from_value(created.body.clone()).expect("decodes as AgentCreated");
    assert_eq!(decoded.agent.host, "docker");
    assert_eq!(decoded.agent.image, None);

    let id = id_of(&agent["id"]);
    let patched = h
        .call(
            Method::PATCH,
            &format!("/v1/agents/{id}"),
            Some(json!({"image": "ghcr.io/x/fleet:latest", "cpus": 2, "memory": "4g"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.body["agent"]["image"], "ghcr.io/x/fleet:latest");
    assert_eq!(patched.body["agent"]["cpus"], 2);
    let listed = h.get("/v1/agents").await;
    assert_eq!(
        listed.body["agents"][0]["memory"], "4g",
        "read back in lists"
    );
    let stored = h.sim.agents();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].image.as_deref(), Some("ghcr.io/x/fleet:latest"));
    assert_eq!(stored[0].cpus, Some(2));
    assert_eq!(stored[0].memory.as_deref(), Some("4g"));
}

#[tokio::test]
async fn lists_page_in_id_order_with_counts() {
    let h = Harness::start(SimConfig::default()).await;
    for n in 0..7 {
        h.new_agent(json!({"name": format!("a{n}")})).await;
    }
    let all = h.get("/v1/agents").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.body["total"], 7);
    assert_eq!(all.body["limit"], 100);
    assert_eq!(all.body["offset"], 0);
    let ids: Vec<String> = all.body["agents"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| id_of(&a["id"]))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "items are ordered by id");

    let mut paged = Vec::new();
    for offset in [0, 3, 6] {
        let page = h.get(&format!("/v1/agents?limit=3&offset={offset}")).await;
        assert_eq!(page.body["limit"], 3);
        assert_eq!(page.body["offset"], offset);
        assert_eq!(page.body["total"], 7);
        for agent in page.body["agents"].as_array().expect("an array") {
            paged.push(id_of(&agent["id"]));
        }
    }
    assert_eq!(paged, ids);

    let clamped = h.get("/v1/agents?limit=5000").await;
    assert_eq!(clamped.status, StatusCode::OK);
    assert_eq!(clamped.body["limit"], 1000);
    let past_end = h.get("/v1/agents?offset=50").await;
    assert_eq!(past_end.body["agents"], json!([]));
    assert_eq!(past_end.body["total"], 7);
    for bad in [
        "/v1/agents?limit=abc",
        "/v1/teams?offset=x",
        "/v1/tasks?limit=1.5",
    ] {
        let answer = h.get(bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(error_of(&answer).contains("expected an integer"), "{bad}");
    }

    let teams = h.get("/v1/teams").await;
    assert_eq!(
        teams.body,
        json!({"teams": [], "total": 0, "limit": 100, "offset": 0})
    );
    let tasks = h.get("/v1/tasks?limit=10").await;
    assert_eq!(
        tasks.body,
        json!({"tasks": [], "total": 0, "limit": 10, "offset": 0})
    );
    let page: telemachy::api::Page<telemachy::api::Agent> =
        serde_json::from_value(all.body).expect("decodes as Page<Agent>");
    assert_eq!(page.items.len(), 7);
    assert_eq!(page.total, Some(7));
}

#[tokio::test]
async fn team_lifecycle() {
    let h = Harness::start(SimConfig::default()).await;
    let created = h
        .post(
            "/v1/teams",
            json!({"name": "alpha", "agentIds": ["a-1", "a-2"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let team = &created.body["team"];
    let id = id_of(&team["id"]);
    assert_eq!(team["name"], "alpha");
    assert_eq!(
        team["agentIds"],
        json!(["a-1", "a-2"]),
        "members are not checked"
    );
    assert!(team["createdAt"].is_string() && team.get("updatedAt").is_none());

    let path = format!("/v1/teams/{id}");
    assert_eq!(h.get(&path).await.body["team"]["name"], "alpha");
    let replaced = h
        .call(Method::PUT, &path, Some(json!({"agentIds": ["a-3"]})))
        .await;
    assert_eq!(replaced.status, StatusCode::OK);
    assert_eq!(replaced.body["team"]["agentIds"], json!(["a-3"]));
    assert_eq!(replaced.body["team"]["name"], "alpha");
    let snake = h
        .call(
            Method::PUT,
            &path,
            Some(json!({"agent_ids": ["a-4"], "name": "beta"})),
        )
        .await;
    assert_eq!(snake.body["team"]["agentIds"], json!(["a-4"]));
    assert_eq!(snake.body["team"]["name"], "beta");
    assert_eq!(h.sim.teams()[0].agent_ids, ["a-4"]);

    let deleted = h.call(Method::DELETE, &path, None).await;
    assert_eq!(deleted.body, json!({"deleted": id}));
    let gone = h.get(&path).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body, json!({"error": "team not found"}));
    let put_gone = h
        .call(Method::PUT, &path, Some(json!({"agentIds": []})))
        .await;
    assert_eq!(put_gone.status, StatusCode::NOT_FOUND);

    let unnamed = h.post("/v1/teams", json!({})).await;
    assert_eq!(unnamed.body["team"]["name"], "unnamed-team");
    assert_eq!(unnamed.body["team"]["agentIds"], json!([]));
}

#[tokio::test]
async fn task_lifecycle() {
    let h = Harness::start(SimConfig::default()).await;
    let team = h.new_team(json!({"name": "t"})).await;
    let created = h
        .post(
            &format!("/v1/teams/{team}/tasks"),
            json!({"subject": "write", "description": "d", "blockedBy": ["x"], "status": "completed"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let task = &created.body["task"];
    let id = id_of(&task["id"]);
    assert_eq!(task["teamId"], team.as_str());
    assert_eq!(task["subject"], "write");
    assert_eq!(task["blockedBy"], json!(["x"]));
    assert_eq!(task["type"], "general");
    assert_eq!(task["assigneeAgentId"], "");
    assert_eq!(task["status"], "pending", "a new task is pending");
    assert_eq!(task["completedAt"], Value::Null);
    assert!(task["createdAt"].is_string() && task.get("updatedAt").is_none());

    let path = format!("/v1/teams/{team}/tasks/{id}");
    assert_eq!(h.get(&path).await.body["task"]["id"], id.as_str());
    let wrong_team = h.get(&format!("/v1/teams/other/tasks/{id}")).await;
    assert_eq!(wrong_team.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_team.body, json!({"error": "task not found"}));

    let running = h
        .call(Method::PATCH, &path, Some(json!({"status": "running"})))
        .await;
    assert_eq!(running.status, StatusCode::OK);
    assert_eq!(running.body["task"]["status"], "running");
    assert_eq!(running.body["task"]["completedAt"], Value::Null);
    let done = h
        .call(
            Method::PUT,
            &path,
            Some(json!({"status": "completed", "teamId": "ignored"})),
        )
        .await;
    assert_eq!(done.body["task"]["status"], "completed");
    assert_eq!(done.body["task"]["teamId"], team.as_str());
    assert!(done.body["task"]["completedAt"].is_string());
    let invalid = h
        .call(Method::PUT, &path, Some(json!({"status": "finished"})))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(error_of(&invalid).contains("finished"));
    let null = h
        .call(Method::PUT, &path, Some(json!({"status": null})))
        .await;
    assert_eq!(null.status, StatusCode::BAD_REQUEST);
    assert!(error_of(&null).starts_with("invalid JSON: "));
    let missing = h
        .call(
            Method::PUT,
            &format!("/v1/teams/{team}/tasks/nope"),
            Some(json!({"status": "failed"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Tasks on an unknown team are created; an unknown team lists no tasks.
    let orphan = h.new_task("no-such-team", json!({"subject": "o"})).await;
    let empty = h.get("/v1/teams/never-made/tasks").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body["tasks"], json!([]));
    assert_eq!(empty.body["total"], 0);
    let listed = h.get(&format!("/v1/teams/{team}/tasks")).await;
    assert_eq!(listed.body["total"], 1);
    let everything = h.get("/v1/tasks").await;
    assert_eq!(everything.body["total"], 2);

    let completed = h
        .post(
            &format!("/v1/tasks/{orphan}/complete"),
            json!({"result": "ok"}),
        )
        .await;
    assert_eq!(completed.status, StatusCode::OK);
    assert_eq!(
        completed.body,
        json!({"task_id": orphan, "completed": true})
    );
    assert_eq!(h.task_status("no-such-team", &orphan).await, "completed");
    let unknown = h.post("/v1/tasks/nope/complete", json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(h.sim.tasks().len(), 2);
}

#[tokio::test]
async fn bad_bodies_get_400_invalid_json() {
    let h = Harness::start(SimConfig::default()).await;
    let raw = |body: &'static str| {
        h.http
            .post(h.url("/v1/agents"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        "{not json",
        r#"{"name": 1}"#,
        r#"{"tags": "x"}"#,
        r#"{"name": null}"#,
        "[]",
        "42",
    ] {
        let response = raw(body).await.expect("the simulator answers");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = response.json().await.expect("a JSON error");
        let message = answer["error"].as_str().expect("an error message");
        assert!(message.starts_with("invalid JSON: "), "{body}: {message}");
    }
    let team = h.new_team(json!({})).await;
    let wrong = h
        .post(
            &format!("/v1/teams/{team}/tasks"),
            json!({"blockedBy": "t-1"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    // An empty body is an empty object: every body in the contract is optional.
    let empty = h.call(Method::POST, "/v1/agents", None).await;
    assert_eq!(empty.status, StatusCode::CREATED);
    assert!(
        h.sim.agents().len() == 1,
        "only the empty-body agent was created"
    );
}

#[tokio::test]
async fn auth_with_a_key() {
    let mut h = Harness::start(SimConfig::default().api_key("s3cret")).await;
    let denied = h.get("/v1/agents").await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(denied.body, json!({"error": "unauthorized"}));
    assert_eq!(denied.headers["x-api-version"], "0.1.0");
    let denied_post = h.post("/v1/agents", json!({"name": "x"})).await;
    assert_eq!(denied_post.status, StatusCode::UNAUTHORIZED);
    assert!(
        h.sim.agents().is_empty(),
        "a refused request changes nothing"
    );
    for open in ["/health", "/v1/health"] {
        assert_eq!(h.get(open).await.status, StatusCode::OK, "{open}");
    }

    let wrong = h
        .http
        .get(h.url("/v1/agents"))
        .bearer_auth("guess")
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let by_header = h
        .http
        .get(h.url("/v1/agents"))
        .header("X-API-Key", "s3cret")
        .send()
        .await
        .expect("answers");
    assert_eq!(by_header.status(), StatusCode::OK);
    h.key = Some("s3cret");
    assert_eq!(h.get("/v1/agents").await.status, StatusCode::OK);
    assert_eq!(
        h.post("/v1/agents", json!({})).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let h = Harness::start(SimConfig::default().rate_limit(1.0, 3)).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(h.get("/v1/agents").await);
    }
    let allowed = statuses
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(allowed, 3, "the burst passes, the rest is refused");
    let refused = statuses.last().expect("five answers");
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers["retry-after"], "1");
    assert_eq!(
        refused.body,
        json!({"error": "rate limit exceeded", "retry_after_seconds": 1})
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        h.get("/v1/agents").await.status,
        StatusCode::OK,
        "tokens refill"
    );
}

/// Polls a task until it has `status` or `deadline` passes; returns every status seen.
async fn watch_until(
    h: &Harness,
    team: &str,
    task: &str,
    status: &str,
    deadline: Duration,
) -> Vec<String> {
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    while start.elapsed() < deadline {
        let now = h.task_status(team, task).await;
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now == status {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    seen
}

#[tokio::test]
async fn workers_run_tasks_of_online_agents() {
    let config = SimConfig::default()
        .worker_delay(Duration::from_millis(100))
        .fail_subject("doomed");
    let h = Harness::start(config).await;
    let worker = h.new_agent(json!({"name": "w"})).await;
    let idle = h.new_agent(json!({"name": "idle"})).await;
    let team = h
        .new_team(json!({"name": "t", "agentIds": [worker, idle]}))
        .await;
    let offline_task = h
        .new_task(&team, json!({"subject": "waits", "assigneeAgentId": idle}))
        .await;
    let good = h
        .new_task(
            &team,
            json!({"subject": "good", "assigneeAgentId": worker, "blockedBy": [offline_task]}),
        )
        .await;
    let doomed = h
        .new_task(
            &team,
            json!({"subject": "doomed", "assigneeAgentId": worker}),
        )
        .await;
    let unassigned = h.new_task(&team, json!({"subject": "nobody"})).await;

    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        h.task_status(&team, &good).await,
        "pending",
        "the agent is offline"
    );

    let started = h
        .post(&format!("/v1/agents/{worker}/start"), json!({}))
        .await;
    assert_eq!(started.status, StatusCode::OK);
    let seen = watch_until(&h, &team, &good, "completed", Duration::from_secs(5)).await;
    assert_eq!(seen, ["pending", "running", "completed"]);
    let seen = watch_until(&h, &team, &doomed, "failed", Duration::from_secs(5)).await;
    assert_eq!(seen.last().map(String::as_str), Some("failed"));

    // `good` completed although the task it is blocked by never started.
    assert_eq!(h.task_status(&team, &offline_task).await, "pending");
    assert_eq!(h.task_status(&team, &unassigned).await, "pending");
    let tasks = h.sim.tasks();
    let good_task = tasks.iter().find(|t| t.id == good).expect("still there");
    assert_eq!(good_task.status, TaskStatus::Completed);
    assert!(good_task.completed_at.is_some());
    let doomed_task = tasks.iter().find(|t| t.id == doomed).expect("still there");
    assert_eq!(doomed_task.completed_at, None);
}

/// Sends `n` sequential GETs (so decisions come in request order) and returns the statuses.
async fn statuses_of_gets(h: &Harness, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..n {
        let answer = h.get("/v1/agents").await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(answer.headers["retry-after"], "1");
        }
        statuses.push(answer.status.as_u16());
    }
    statuses
}

#[tokio::test]
async fn injected_errors_follow_the_rate_and_replay_from_the_seed() {
    let faults = Faults {
        error_rate: 0.25,
        rate_limited_rate: 0.1,
        seed: 11,
        ..Faults::default()
    };
    let h = Harness::start(SimConfig::default().faults(faults.clone())).await;
    let first = statuses_of_gets(&h, 400).await;
    let errors = first.iter().filter(|s| **s == 500).count();
    let limited = first.iter().filter(|s| **s == 429).count();
    assert!((70..=130).contains(&errors), "500s: {errors} of 400");
    assert!((20..=60).contains(&limited), "429s: {limited} of 400");
    assert_eq!(
        first.iter().filter(|s| **s == 200).count(),
        400 - errors - limited
    );

    h.sim.set_faults(faults);
    let second = statuses_of_gets(&h, 400).await;
    assert_eq!(first, second, "the same seed replays the same faults");

    h.sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        h.get("/v1/health").await.status,
        StatusCode::OK,
        "health is exempt"
    );
    assert_eq!(h.get("/health").await.status, StatusCode::OK);
    let failed = h.post("/v1/agents", json!({"name": "x"})).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_of(&failed), "internal server error");
    assert!(h.sim.agents().is_empty(), "a 500 fault is not applied");
    h.sim.set_faults(Faults::default());
    assert_eq!(h.get("/v1/agents").await.status, StatusCode::OK);
}

#[tokio::test]
async fn dropped_responses_are_applied_first() {
    let h = Harness::start(SimConfig::default()).await;
    let team = h.new_team(json!({"name": "t"})).await;
    h.sim.set_faults(Faults {
        drop_after_apply_rate: 1.0,
        seed: 3,
        ..Faults::default()
    });

    let agent = h
        .try_call(Method::POST, "/v1/agents", Some(json!({"name": "lost"})))
        .await;
    let error = agent.err().expect("the answer is dropped, not sent");
    assert!(
        error.status().is_none(),
        "no status reached the client: {error}"
    );
    let new_team = h
        .try_call(
            Method::POST,
            "/v1/teams",
            Some(json!({"name": "lost-team"})),
        )
        .await;
    assert!(new_team.is_err());
    let task = h
        .try_call(
            Method::POST,
            &format!("/v1/teams/{team}/tasks"),
            Some(json!({"subject": "lost-task"})),
        )
        .await;
    assert!(task.is_err());

    // Reads are never dropped.
    let list = h.get("/v1/agents").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 1, "the create was applied exactly once");
    assert_eq!(list.body["agents"][0]["name"], "lost");
    let teams = h.sim.teams();
    assert_eq!(teams.len(), 2);
    assert!(teams.iter().any(|t| t.name == "lost-team"));
    let tasks = h.sim.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].subject, "lost-task");

    let log = h.sim.requests();
    let dropped: Vec<_> = log.iter().filter(|e| e.status().is_none()).collect();
    assert_eq!(dropped.len(), 3);
    assert!(dropped.iter().all(|e| e.method() == "POST"));
    h.sim.set_faults(Faults::default());
    assert_eq!(
        h.post("/v1/agents", json!({})).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn added_latency() {
    let faults = Faults {
        latency: Duration::from_millis(80)..Duration::from_millis(100),
        ..Faults::default()
    };
    let h = Harness::start(SimConfig::default().faults(faults)).await;
    let start = Instant::now();
    assert_eq!(h.get("/v1/agents").await.status, StatusCode::OK);
    assert!(
        start.elapsed() >= Duration::from_millis(80),
        "{:?}",
        start.elapsed()
    );
    let start = Instant::now();
    assert_eq!(h.get("/v1/health").await.status, StatusCode::OK);
    assert!(
        start.elapsed() < Duration::from_millis(80),
        "health is exempt"
    );
}

#[tokio::test]
async fn a_request_whose_client_gave_up_is_still_applied() {
    let faults = Faults {
        latency: Duration::from_millis(200)..Duration::from_millis(200),
        ..Faults::default()
    };
    let h = Harness::start(SimConfig::default().faults(faults)).await;
    let started = Instant::now();
    let gave_up = h
        .http
        .post(h.url("/v1/agents"))
        .json(&json!({"name": "slow"}))
        .timeout(Duration::from_millis(50))
        .send()
        .await
        .expect_err("the client gives up before the answer");
    assert!(gave_up.is_timeout(), "{gave_up:?}");
    assert!(h.sim.agents().is_empty(), "not applied yet");

    // Like the real server, the simulator handles the request to its end.
    tokio::time::sleep_until((started + Duration::from_millis(600)).into()).await;
    let agents = h.sim.agents();
    assert_eq!(agents.len(), 1, "{agents:?}");
    assert_eq!(agents[0].name, "slow");
    assert_eq!(h.sim.requests().count("POST", "/v1/agents"), 1);
}

#[tokio::test]
async fn request_log_counts_by_route_template() {
    let h = Harness::start(SimConfig::default()).await;
    let agent = h.new_agent(json!({"name": "a"})).await;
    h.post(&format!("/v1/agents/{agent}/start"), json!({}))
        .await;
    h.post(&format!("/v1/agents/{agent}/start"), json!({}))
        .await;
    let team = h.new_team(json!({"agentIds": [agent]})).await;
    let task = h.new_task(&team, json!({"subject": "s"})).await;
    h.get(&format!("/v1/teams/{team}/tasks")).await;
    h.get(&format!("/v1/teams/{team}/tasks/{task}")).await;
    h.get("/v1/health").await;
    h.get("/nowhere").await;

    let log = h.sim.requests();
    assert_eq!(log.count("POST", "/v1/agents"), 1);
    assert_eq!(log.count("POST", "/v1/agents/{id}/start"), 2);
    assert_eq!(
        log.count("post", "/v1/agents/{id}/start"),
        2,
        "methods in any case"
    );
    assert_eq!(log.count("POST", "/v1/teams"), 1);
    assert_eq!(log.count("POST", "/v1/teams/{team_id}/tasks"), 1);
    assert_eq!(log.count("GET", "/v1/teams/{team_id}/tasks"), 1);
    assert_eq!(log.count("GET", "/v1/teams/{team_id}/tasks/{task_id}"), 1);
    assert_eq!(log.count("GET", "/v1/health"), 1);
    assert_eq!(log.count("GET", UNMATCHED), 1);
    assert_eq!(log.count("DELETE", "/v1/agents/{id}"), 0);
    assert_eq!(log.total(), 9);
    assert_eq!(log.posts(), 5);
    let statuses: Vec<Option<u16>> = log.iter().map(|e| e.status()).collect();
    assert_eq!(statuses.first(), Some(&Some(201)));
    assert_eq!(statuses.last(), Some(&Some(404)));
}

/// Sends a raw HTTP/1.1 request and returns the status line and how long the answer took.
async fn raw_request(sim: &Simulator, head: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(sim.addr()).await.expect("connects");
    let start = Instant::now();
    stream
        .write_all(head.as_bytes())
        .await
        .expect("the request is sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("the answer is read");
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or_default().to_owned();
    (status_line, start.elapsed())
}

#[tokio::test]
async fn post_without_a_length_stalls_like_the_real_server() {
    let stall = Duration::from_millis(400);
    let h = Harness::start(SimConfig::default().body_stall(stall)).await;
    let agent = h.new_agent(json!({"name": "a"})).await;
    let host = h.sim.addr();

    let bare = format!(
        "POST /v1/agents/{agent}/start HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    let (status, took) = raw_request(&h.sim, &bare).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(took >= stall, "no length announced: stalls ({took:?})");

    let with_length = format!(
        "POST /v1/agents/{agent}/stop HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, took) = raw_request(&h.sim, &with_length).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(took < stall, "Content-Length: 0 answers at once ({took:?})");

    let get = format!("GET /v1/agents HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let (_, took) = raw_request(&h.sim, &get).await;
    assert!(took < stall, "a GET has no body to wait for ({took:?})");
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let h = Harness::start(SimConfig::default()).await;
    assert_eq!(h.get("/v1/health").await.status, StatusCode::OK);
    let addr = h.sim.addr();
    let url = h.sim.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", addr.port()));
    h.sim.shutdown().await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens any more"
    );

    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("starts");
    let addr = sim.addr();
    drop(sim);
    // Dropping aborts the server task; give the runtime a moment to run the abort.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "a dropped simulator stops listening");
}

#[tokio::test]
async fn a_chosen_port_is_used_and_a_taken_one_refused() {
    let first = Simulator::start(SimConfig::default())
        .await
        .expect("starts");
    let taken = first.addr().port();
    let second = Simulator::start(SimConfig::default().port(taken)).await;
    assert!(second.is_err(), "the port is taken");
    first.shutdown().await;
    let again = Simulator::start(SimConfig::default().port(taken))
        .await
        .expect("the port is free again");
    assert_eq!(again.addr().port(), taken);
    again.shutdown().await;
}

#[tokio::test]
async fn stats_count_routes_and_hand_offs_without_counting_themselves() {
    let mut harness = Harness::start(
        SimConfig::default()
            .api_key("k")
            .worker_delay(Duration::from_millis(5)),
    )
    .await;
    // Open without the key, and never in the log.
    let stats = harness.get("/_sim/stats").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.body["requests"], json!([]));
    harness.key = Some("k");
    let agent = harness
        .new_agent(json!({"name": "a", "program": "p"}))
        .await;
    harness
        .call(Method::POST, &format!("/v1/agents/{agent}/start"), None)
        .await;
    let team = harness
        .new_team(json!({"name": "t", "agentIds": [agent.clone()]}))
        .await;
    let first = harness
        .new_task(
            &team,
            json!({"subject": "one", "assigneeAgentId": agent.clone()}),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while harness.task_status(&team, &first).await != "completed" {
        assert!(Instant::now() < deadline, "the worker completes the task");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    harness
        .new_task(
            &team,
            json!({"subject": "two", "assigneeAgentId": agent, "blockedBy": [first]}),
        )
        .await;
    let stats = harness.get("/_sim/stats").await.body;
    let posts = stats["requests"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|entry| entry["method"] == "POST" && entry["route"] == "/v1/teams/{team_id}/tasks")
        .expect("the task creates are counted");
    assert_eq!(posts["count"], 2);
    assert_eq!(stats["handoffs"], 1);
    assert!(stats["mean_handoff_ms"].as_f64().expect("a number") > 0.0);
    assert!(
        !stats["requests"].to_string().contains("_sim"),
        "the stats route is not logged"
    );
}

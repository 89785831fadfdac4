//! Exact requests, against a scripted server (wiremock): how a reused agent's start is
//! answered decides whether the run goes on, and teardown follows the policy after a
//! failed start. Any request the script does not expect fails the test.

use serde_json::{Value, json};
use telemachy::executor::{self, ResourceAction, RunOptions, RunStatus};
use telemachy::key::make_key;
use telemachy::spec::Teardown;
use telemachy::{Client, Config};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use super::{POLL, chain};

const WORKFLOW: &str = "wire";

/// The agent as a run of this version made it, tags (and settings fingerprint) included.
fn agent(status: &str) -> Value {
    let plan = executor::Plan::new(&chain(WORKFLOW, &["only"])).expect("valid");
    let tags = &plan.agents[0].definition.tags;
    json!({
        "id": "a1",
        "name": make_key(WORKFLOW, "worker"),
        "label": "worker",
        "program": "claude-code",
        "workingDirectory": "/tmp",
        "programArgs": [],
        "tags": tags,
        "host": "local",
        "status": status,
        "createdAt": "2026-01-01T00:00:00Z"
    })
}

fn task(status: &str) -> Value {
    json!({
        "id": "k1",
        "teamId": "t1",
        "subject": "only",
        "description": "",
        "assigneeAgentId": "a1",
        "blockedBy": [],
        "type": "general",
        "status": status,
        "createdAt": "2026-01-01T00:00:01Z",
        "completedAt": null
    })
}

/// How many of each teardown request a case expects.
struct Teardowns {
    teams: u64,
    agents: u64,
}

/// Nothing is torn down.
const KEEP_ALL: Teardowns = Teardowns {
    teams: 0,
    agents: 0,
};
/// Only the agent is stopped and deleted.
const DELETE_AGENT: Teardowns = Teardowns {
    teams: 0,
    agents: 1,
};
/// The team and the agent are deleted.
const DELETE_ALL: Teardowns = Teardowns {
    teams: 1,
    agents: 1,
};

/// A mock of `verb` on exactly `route`.
fn on(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb)).and(path(route))
}

/// A JSON answer.
fn answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A server whose only agent exists already with `agent_status`, and whose start answers
/// `start` (`None`: no start may be sent). Team and task calls happen only when
/// `provisions` says the run gets past its agents.
async fn scripted(
    agent_status: &str,
    start: Option<ResponseTemplate>,
    provisions: bool,
    teardowns: Teardowns,
) -> MockServer {
    let server = MockServer::start().await;
    let page = |key: &str, items: Vec<Value>| {
        let total = items.len();
        json!({ key: items, "total": total, "limit": 1000, "offset": 0 })
    };
    on("GET", "/v1/agents")
        .respond_with(answer(200, page("agents", vec![agent(agent_status)])))
        .mount(&server)
        .await;
    on("GET", "/v1/teams")
        .respond_with(answer(200, page("teams", Vec::new())))
        .mount(&server)
        .await;
    let (start, starts, start_name): (_, wiremock::Times, _) = match start {
        Some(answer) => (answer, (1..).into(), "start"),
        None => (
            ResponseTemplate::new(200),
            0.into(),
            "start of an online agent",
        ),
    };
    on("POST", "/v1/agents/a1/start")
        .respond_with(start)
        .expect(starts)
        .named(start_name)
        .mount(&server)
        .await;
    let (teams, tasks): (u64, wiremock::Times) = if provisions {
        (1, (1..).into())
    } else {
        (0, 0.into())
    };
    on("POST", "/v1/teams")
        .respond_with(answer(
            201,
            json!({
                "team": {
                    "id": "t1",
                    "name": make_key(WORKFLOW, "crew"),
                    "agentIds": ["a1"],
                    "createdAt": "2026-01-01T00:00:00Z"
                }
            }),
        ))
        .expect(teams)
        .named("create team")
        .mount(&server)
        .await;
    on("POST", "/v1/teams/t1/tasks")
        .respond_with(answer(201, json!({ "task": task("pending") })))
        .expect(teams)
        .named("create task")
        .mount(&server)
        .await;
    on("GET", "/v1/teams/t1/tasks")
        .respond_with(answer(200, page("tasks", vec![task("completed")])))
        .expect(tasks)
        .named("list tasks")
        .mount(&server)
        .await;
    on("DELETE", "/v1/teams/t1")
        .respond_with(answer(200, json!({ "deleted": "t1" })))
        .expect(teardowns.teams)
        .named("delete team")
        .mount(&server)
        .await;
    on("POST", "/v1/agents/a1/stop")
        .respond_with(answer(200, json!({ "id": "a1", "status": "offline" })))
        .expect(teardowns.agents)
        .named("stop agent")
        .mount(&server)
        .await;
    on("DELETE", "/v1/agents/a1")
        .respond_with(answer(200, json!({ "deleted": "a1" })))
        .expect(teardowns.agents)
        .named("delete agent")
        .mount(&server)
        .await;
    // Anything else is a request the executor should not have sent.
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(418))
        .with_priority(u8::MAX)
        .expect(0)
        .named("unexpected request")
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    let config = Config::new(&server.uri())
        .expect("the mock server's URL is valid")
        .max_retries(1)
        .backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(2),
        );
    Client::new(config).expect("a plain HTTP client builds")
}

async fn run(server: &MockServer, teardown: Teardown) -> executor::Report {
    let workflow = chain(WORKFLOW, &["only"]);
    executor::run(
        &workflow,
        &client(server),
        RunOptions::new().poll_interval(POLL).teardown(teardown),
    )
    .await
    .expect("the run starts")
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    answer(status, json!({ "error": message }))
}

#[tokio::test]
async fn a_start_answered_409_means_the_agent_runs_already() {
    let server = scripted("offline", Some(error(409, "conflict")), true, KEEP_ALL).await;
    let report = run(&server, Teardown::Never).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(report.agents[0].action, ResourceAction::Reused);
    server.verify().await;
}

#[tokio::test]
async fn a_start_answered_400_already_running_means_the_same() {
    let server = scripted(
        "offline",
        Some(error(400, "agent is already running")),
        true,
        DELETE_ALL,
    )
    .await;
    let report = run(&server, Teardown::OnCompletion).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(report.teardown.applied);
    assert_eq!(report.deleted().count(), 2);
    server.verify().await;
}

#[tokio::test]
async fn an_online_agent_is_not_started_again() {
    let server = scripted("online", None, true, KEEP_ALL).await;
    let report = run(&server, Teardown::Never).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    server.verify().await;
}

#[tokio::test]
async fn a_start_answered_500_fails_the_run_and_teardown_follows_on_failure() {
    let server = scripted(
        "offline",
        Some(error(500, "database is locked")),
        false,
        DELETE_AGENT,
    )
    .await;
    let report = run(&server, Teardown::OnFailure).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.agents[0].action, ResourceAction::Failed);
    assert!(
        report.errors.iter().any(|error| error.contains("start")),
        "{:?}",
        report.errors
    );
    assert!(report.teardown.applied);
    assert!(report.agents[0].deleted);
    assert_eq!(report.teams[0].action, ResourceAction::NotProvisioned);
    server.verify().await;
}

#[tokio::test]
async fn a_start_answered_500_keeps_everything_under_on_completion() {
    let server = scripted(
        "offline",
        Some(error(500, "database is locked")),
        false,
        KEEP_ALL,
    )
    .await;
    let report = run(&server, Teardown::OnCompletion).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert!(!report.teardown.applied);
    server.verify().await;
}

#[tokio::test]
async fn a_start_answered_400_for_another_reason_fails_the_run() {
    let server = scripted(
        "offline",
        Some(error(400, "unknown program")),
        false,
        KEEP_ALL,
    )
    .await;
    let report = run(&server, Teardown::Never).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert!(
        report
            .errors
            .iter()
            .any(|error| error.contains("unknown program")),
        "{:?}",
        report.errors
    );
    server.verify().await;
}

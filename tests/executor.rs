//! The executor against the simulator over real HTTP: idempotent provisioning, task order
//! across teams, retries after failure, timeouts, cancellation and teardown policies.
//! `executor/wire.rs` holds the cases where exact requests matter (wiremock).

#[path = "executor/concurrency.rs"]
mod concurrency;
#[path = "executor/connections.rs"]
mod connections;
#[path = "executor/nats.rs"]
mod nats;
#[path = "executor/settings.rs"]
mod settings;
#[path = "executor/wire.rs"]
mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use telemachy::api::{self, TaskStatus};
use telemachy::executor::{
    self, Cancellation, Event, ResourceAction, RunOptions, RunStatus, TaskOrigin, TaskOutcome,
};
use telemachy::key::make_key;
use telemachy::sim::{SimConfig, Simulator};
use telemachy::spec::{Agent, Docker, Runtime, Task, TaskRef, Team, Teardown, Workflow};
use telemachy::{Client, Config};

const POLL: Duration = Duration::from_millis(20);
const WORKER_DELAY: Duration = Duration::from_millis(20);

const TASKS_ROUTE: &str = "/v1/teams/{team_id}/tasks";

async fn simulator(config: SimConfig) -> Simulator {
    Simulator::start(config)
        .await
        .expect("the simulator starts on 127.0.0.1")
}

async fn quick_simulator() -> Simulator {
    simulator(SimConfig::default().worker_delay(WORKER_DELAY)).await
}

/// A quick simulator on which every task with the subject `doomed` fails.
async fn failing_simulator() -> Simulator {
    simulator(
        SimConfig::default()
            .worker_delay(WORKER_DELAY)
            .fail_subject("doomed"),
    )
    .await
}

/// A simulator whose tasks take 30 s: longer than any test waits.
async fn stalled_simulator() -> Simulator {
    simulator(SimConfig::default().worker_delay(Duration::from_secs(30))).await
}

fn client(sim: &Simulator) -> Client {
    let config = Config::new(&sim.url())
        .expect("the simulator's URL is valid")
        .max_retries(2)
        .backoff(Duration::from_millis(5), Duration::from_millis(20));
    Client::new(config).expect("a plain HTTP client builds")
}

/// Quick polls, and nothing deleted afterwards unless a test says otherwise.
fn options() -> RunOptions {
    RunOptions::new()
        .poll_interval(POLL)
        .teardown(Teardown::Never)
}

/// The `fleet_security` example, built by hand: four docker agents, one team, three audits
/// that a fourth task aggregates.
fn fleet_security() -> Workflow {
    let mut workflow = Workflow::new("fleet-security-analysis");
    let scout = |id: &'static str, dir: &'static str| {
        let mut agent = Agent::new(id);
        agent.model = Some("claude-sonnet-4-5".into());
        agent.working_dir = dir.into();
        agent.runtime = Runtime::Docker(Docker::new(
            "ghcr.io/homericintelligence/achaeanfleet:latest",
        ));
        agent
    };
    let mut lead = scout("lead-analyst", "/workspace/reports");
    lead.model = Some("claude-opus-4-5".into());
    if let Runtime::Docker(docker) = &mut lead.runtime {
        docker.cpus = 4;
        docker.memory = "8g".into();
    }
    workflow.agents = vec![
        scout("scout-alpha", "/workspace/services/auth-service"),
        scout("scout-beta", "/workspace/services/payment-service"),
        scout("scout-gamma", "/workspace/services/notification-service"),
        lead,
    ];
    let mut team = Team::new(
        "security-fleet",
        ["scout-alpha", "scout-beta", "scout-gamma", "lead-analyst"],
    );
    let mut aggregate = Task::new(
        "aggregate",
        "Aggregate findings into executive security report",
        "lead-analyst",
    );
    aggregate.after = ["audit_auth", "audit_payment", "audit_notification"]
        .into_iter()
        .map(|task| TaskRef::new("security-fleet", task))
        .collect();
    team.tasks = vec![
        Task::new(
            "audit_auth",
            "Audit auth-service for security vulnerabilities",
            "scout-alpha",
        ),
        Task::new(
            "audit_payment",
            "Audit payment-service for security vulnerabilities",
            "scout-beta",
        ),
        Task::new(
            "audit_notification",
            "Audit notification-service for security vulnerabilities",
            "scout-gamma",
        ),
        aggregate,
    ];
    workflow.teams = vec![team];
    workflow
}

/// A workflow of one team `crew` whose tasks are a chain `first -> second -> ...`.
fn chain(name: &str, subjects: &[&'static str]) -> Workflow {
    let mut workflow = Workflow::new(name.to_owned());
    workflow.agents = vec![Agent::new("worker")];
    let mut team = Team::new("crew", ["worker"]);
    for (position, subject) in subjects.iter().enumerate() {
        let mut task = Task::new(format!("t{position}"), *subject, "worker");
        if position > 0 {
            task.after = vec![TaskRef::new("crew", format!("t{}", position - 1))];
        }
        team.tasks.push(task);
    }
    workflow.teams = vec![team];
    workflow
}

async fn run(workflow: &Workflow, client: &Client, options: RunOptions) -> executor::Report {
    tokio::time::timeout(
        Duration::from_secs(30),
        executor::run(workflow, client, options),
    )
    .await
    .expect("the run ends on its own")
    .expect("the run starts")
}

/// The outcome of task `task` of team `crew` in `report`.
fn outcome(report: &executor::Report, task: &str) -> Option<TaskOutcome> {
    report.task("crew", task).map(|task| task.outcome)
}

/// Runs `run` while watching the simulator's state, and returns its report with every
/// moment at which a task existed while a task it names in `blockedBy` had not completed:
/// a task submitted too early. The server never holds a task back, so only the executor
/// can keep this order.
async fn watching_order<F>(sim: &Simulator, run: F) -> (executor::Report, Vec<String>)
where
    F: std::future::Future<Output = executor::Report>,
{
    let done = AtomicBool::new(false);
    let watch = async {
        let mut violations = Vec::new();
        while !done.load(Ordering::SeqCst) {
            violations.extend(early_tasks(&sim.tasks()));
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        violations.extend(early_tasks(&sim.tasks()));
        violations
    };
    let run = async {
        let report = run.await;
        done.store(true, Ordering::SeqCst);
        report
    };
    tokio::join!(run, watch)
}

fn early_tasks(tasks: &[api::Task]) -> Vec<String> {
    let by_id: HashMap<&str, &api::Task> =
        tasks.iter().map(|task| (task.id.as_str(), task)).collect();
    let mut early = Vec::new();
    for task in tasks {
        for dependency in &task.blocked_by {
            let completed = by_id
                .get(dependency.as_str())
                .is_some_and(|dep| dep.status == TaskStatus::Completed);
            if !completed {
                early.push(format!(
                    "`{}` existed while its dependency {dependency} had not completed",
                    task.subject
                ));
            }
        }
    }
    early
}

#[tokio::test]
async fn a_first_run_creates_exactly_the_workflow_and_a_second_run_creates_nothing() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = fleet_security();

    let started = Instant::now();
    let (first, early) = watching_order(&sim, run(&workflow, &client, options())).await;
    let elapsed = started.elapsed();
    assert!(early.is_empty(), "tasks submitted too early: {early:?}");
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.errors);
    let log = sim.requests();
    // Watching costs one list per team per poll interval, never a request per task.
    let polls_at_most = (elapsed.as_millis() / POLL.as_millis()) as usize + 2;
    assert!(
        log.count("GET", TASKS_ROUTE) <= polls_at_most,
        "{} lists in {elapsed:?}",
        log.count("GET", TASKS_ROUTE)
    );
    assert_eq!(log.count("GET", "/v1/teams/{team_id}/tasks/{task_id}"), 0);
    assert_eq!(log.count("POST", "/v1/agents"), 4);
    assert_eq!(log.count("POST", "/v1/teams"), 1);
    assert_eq!(log.count("POST", TASKS_ROUTE), 4);
    assert_eq!(log.count("POST", "/v1/agents/{id}/start"), 4);
    assert_eq!(
        log.count("PATCH", "/v1/agents/{id}"),
        4,
        "each docker agent's create is followed by the PATCH that stores its settings"
    );
    assert_eq!(first.created().count(), 5);
    assert!(
        first
            .tasks
            .iter()
            .all(|task| task.outcome == TaskOutcome::Completed)
    );

    // What the server holds is what the workflow declares.
    let agents = sim.agents();
    assert_eq!(agents.len(), 4);
    let alpha = agents
        .iter()
        .find(|agent| agent.name == make_key("fleet-security-analysis", "scout-alpha"))
        .expect("scout-alpha is named by its key");
    assert_eq!(alpha.label, "scout-alpha");
    assert_eq!(alpha.host, "docker");
    assert_eq!(alpha.program_args, ["--model", "claude-sonnet-4-5"]);
    let fingerprint = executor::Plan::new(&workflow).expect("valid").agents[0]
        .definition
        .tags[2]
        .clone();
    assert!(
        fingerprint.starts_with("telemachy-settings="),
        "{fingerprint}"
    );
    assert_eq!(
        alpha.tags,
        [
            "telemachy",
            "telemachy-workflow=fleet-security-analysis",
            fingerprint.as_str()
        ]
    );
    // The docker settings, read back from the server.
    assert_eq!(
        alpha.image.as_deref(),
        Some("ghcr.io/homericintelligence/achaeanfleet:latest")
    );
    assert_eq!((alpha.cpus, alpha.memory.as_deref()), (Some(2), Some("4g")));
    let teams = sim.teams();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].agent_ids.len(), 4);
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 4);
    let aggregate = tasks
        .iter()
        .find(|task| task.subject.starts_with("Aggregate"))
        .expect("the aggregate task exists");
    let audits: HashSet<&str> = tasks
        .iter()
        .filter(|task| task.subject.starts_with("Audit"))
        .map(|task| task.id.as_str())
        .collect();
    let blocked_by: HashSet<&str> = aggregate.blocked_by.iter().map(String::as_str).collect();
    assert_eq!(blocked_by, audits);
    let lead = agents
        .iter()
        .find(|agent| agent.label == "lead-analyst")
        .expect("the lead exists");
    assert_eq!(aggregate.assignee_agent_id, lead.id);

    let posts_before = sim.requests().posts();
    let second = run(&workflow, &client, options()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.errors);
    assert_eq!(
        sim.requests().posts(),
        posts_before,
        "a second run sends no POST"
    );
    assert_eq!(second.created().count(), 0);
    assert_eq!(second.reused().count(), 5);
    assert!(
        second
            .agents
            .iter()
            .all(|agent| agent.action == ResourceAction::Reused),
        "agents in line are reused as they are"
    );
    assert_eq!(
        sim.requests().count("PATCH", "/v1/agents/{id}"),
        4,
        "and not patched again"
    );
    assert!(
        second
            .tasks
            .iter()
            .all(|task| task.outcome == TaskOutcome::AlreadyCompleted)
    );
    assert_eq!(sim.agents().len(), 4);
    assert_eq!(sim.tasks().len(), 4);
    sim.shutdown().await;
}

/// The agent `id` of `workflow` as an earlier run made it: created from its definition,
/// then patched with the docker settings a create drops.
async fn made_by_earlier_run(client: &Client, workflow: &Workflow, id: &str) -> api::Agent {
    let plan = executor::Plan::new(workflow).expect("the test workflow is valid");
    let planned = plan
        .agents
        .iter()
        .find(|agent| agent.id == id)
        .expect("a declared agent");
    let created = client
        .create_agent(&planned.definition)
        .await
        .expect("the agent is created");
    let definition = &planned.definition;
    if definition.image.is_none() {
        return created;
    }
    let mut patch = api::AgentPatch::new();
    patch.image = definition.image.clone();
    patch.cpus = definition.cpus;
    patch.memory = definition.memory.clone();
    client
        .update_agent(&created.id, &patch)
        .await
        .expect("its docker settings are stored")
}

/// An agent named `name` in `workflow` as an older version made it: local, without a
/// settings fingerprint.
async fn create_agent(client: &Client, workflow: &str, name: &str) -> api::Agent {
    let agent = api::NewAgent {
        name: make_key(workflow, name),
        label: name.to_owned(),
        program: telemachy::spec::DEFAULT_PROGRAM.to_owned(),
        working_directory: telemachy::spec::DEFAULT_WORKING_DIR.to_owned(),
        tags: vec![
            "telemachy".to_owned(),
            format!("telemachy-workflow={workflow}"),
        ],
        host: "local".to_owned(),
        ..api::NewAgent::default()
    };
    client
        .create_agent(&agent)
        .await
        .expect("the agent is created")
}

async fn create_team(client: &Client, workflow: &str, name: &str, members: &[&str]) -> api::Team {
    let team = api::NewTeam {
        name: make_key(workflow, name),
        agent_ids: members.iter().map(|id| (*id).to_owned()).collect(),
    };
    client
        .create_team(&team)
        .await
        .expect("the team is created")
}

async fn create_task(client: &Client, team: &str, subject: &str, assignee: &str) -> api::Task {
    let task = api::NewTask {
        subject: subject.to_owned(),
        assignee_agent_id: assignee.to_owned(),
        kind: "general".to_owned(),
        ..api::NewTask::default()
    };
    client
        .create_task(team, &task, &[])
        .await
        .expect("the task is created")
}

#[tokio::test]
async fn a_partial_earlier_run_is_completed_with_only_what_is_missing() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = fleet_security();
    let name = "fleet-security-analysis";
    let alpha = made_by_earlier_run(&client, &workflow, "scout-alpha").await;
    let beta = made_by_earlier_run(&client, &workflow, "scout-beta").await;
    let team = create_team(&client, name, "security-fleet", &[&alpha.id, &beta.id]).await;
    let auth = create_task(
        &client,
        &team.id,
        "Audit auth-service for security vulnerabilities",
        &alpha.id,
    )
    .await;
    client
        .set_task_status(&team.id, &auth.id, TaskStatus::Completed)
        .await
        .expect("the status is set");
    let before = sim.requests();

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    let after = sim.requests();
    let delta =
        |method: &str, route: &str| after.count(method, route) - before.count(method, route);
    assert_eq!(
        delta("POST", "/v1/agents"),
        2,
        "only gamma and the lead are created"
    );
    assert_eq!(delta("POST", "/v1/teams"), 0, "the team is reused");
    assert_eq!(
        delta("PUT", "/v1/teams/{id}"),
        1,
        "its members are brought in line"
    );
    assert_eq!(
        delta("POST", TASKS_ROUTE),
        3,
        "the completed audit is not run again"
    );

    let action = |id: &str| {
        report
            .agents
            .iter()
            .chain(&report.teams)
            .find(|resource| resource.id == id)
            .map(|resource| resource.action)
    };
    assert_eq!(action("scout-alpha"), Some(ResourceAction::Reused));
    assert_eq!(action("scout-gamma"), Some(ResourceAction::Created));
    assert_eq!(action("security-fleet"), Some(ResourceAction::Reconciled));
    let audit = report
        .task("security-fleet", "audit_auth")
        .expect("the audit is reported");
    assert_eq!(audit.outcome, TaskOutcome::AlreadyCompleted);
    assert_eq!(audit.server_id.as_deref(), Some(auth.id.as_str()));
    assert_eq!(sim.agents().len(), 4);
    assert_eq!(sim.tasks().len(), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn force_creates_fresh_resources_and_counts_what_it_leaves_behind() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = fleet_security();
    let first = run(&workflow, &client, options()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.errors);
    // The simulator, like the server, stamps `createdAt` to the second: let the forced
    // duplicates be visibly newer, so that which one is canonical is decided by time.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let forced = run(
        &workflow,
        &client,
        options()
            .force(true)
            .on_event(move |event| seen.lock().expect("not poisoned").push(event.clone())),
    )
    .await;
    assert_eq!(forced.status, RunStatus::Succeeded, "{:?}", forced.errors);
    assert!(forced.forced);
    assert_eq!(forced.created().count(), 5);
    assert_eq!(forced.reused().count(), 0);
    assert_eq!(
        forced.left_behind.len(),
        5,
        "4 agents and 1 team left behind"
    );
    assert!(
        events
            .lock()
            .expect("not poisoned")
            .contains(&Event::LeftBehind {
                agents: 4,
                teams: 1
            })
    );
    assert_eq!(sim.agents().len(), 8);
    assert_eq!(sim.teams().len(), 2);
    // New tasks, in the new team: nothing was matched against the old one.
    assert_eq!(sim.tasks().len(), 8);

    // The newest duplicates are canonical: a plain run now reuses the forced ones.
    let again = run(&workflow, &client, options()).await;
    let forced_ids: HashSet<_> = forced.agents.iter().map(|a| a.server_id.clone()).collect();
    let reused_ids: HashSet<_> = again.agents.iter().map(|a| a.server_id.clone()).collect();
    assert_eq!(forced_ids, reused_ids);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reused_team_with_stale_members_is_reconciled() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = chain("reconcile", &["only step"]);
    let worker = made_by_earlier_run(&client, &workflow, "worker").await;
    let stale = create_agent(&client, "elsewhere", "stranger").await;
    let team = create_team(&client, "reconcile", "crew", &[&stale.id]).await;

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(report.teams[0].action, ResourceAction::Reconciled);
    let teams = sim.teams();
    let reconciled = teams
        .iter()
        .find(|candidate| candidate.id == team.id)
        .expect("the team is still there");
    assert_eq!(reconciled.agent_ids, std::slice::from_ref(&worker.id));
    assert_eq!(sim.teams().len(), 1, "no second team was created");

    // Once in line, a team is reused as it is.
    let before = sim.requests().count("PUT", "/v1/teams/{id}");
    let again = run(&workflow, &client, options()).await;
    assert_eq!(again.teams[0].action, ResourceAction::Reused);
    assert_eq!(sim.requests().count("PUT", "/v1/teams/{id}"), before);
    sim.shutdown().await;
}

/// Fails the first attempt of `subject` from outside, as a worker would report it, while
/// `run` goes on.
async fn failing_first_attempt<F>(
    sim: &Simulator,
    client: &Client,
    subject: &str,
    run: F,
) -> executor::Report
where
    F: std::future::Future<Output = executor::Report>,
{
    let done = AtomicBool::new(false);
    let saboteur = async {
        while !done.load(Ordering::SeqCst) {
            if let Some(task) = sim
                .tasks()
                .into_iter()
                .find(|task| task.subject == subject && !task.status.is_terminal())
            {
                client
                    .set_task_status(&task.team_id, &task.id, TaskStatus::Failed)
                    .await
                    .expect("the status is set");
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    let run = async {
        let report = run.await;
        done.store(true, Ordering::SeqCst);
        report
    };
    tokio::join!(run, saboteur).0
}

#[tokio::test]
async fn a_failed_task_skips_its_dependents_and_a_rerun_retries_it() {
    // Slow workers, so that the test fails the first attempt before a worker finishes it.
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(150))).await;
    let client = client(&sim);
    let workflow = chain("retry", &["prepare", "flaky", "follow-up", "wrap-up"]);

    let failed =
        failing_first_attempt(&sim, &client, "flaky", run(&workflow, &client, options())).await;
    assert_eq!(failed.status, RunStatus::Failed);
    assert_eq!(outcome(&failed, "t0"), Some(TaskOutcome::Completed));
    assert_eq!(outcome(&failed, "t1"), Some(TaskOutcome::Failed));
    assert_eq!(outcome(&failed, "t2"), Some(TaskOutcome::Skipped));
    assert_eq!(outcome(&failed, "t3"), Some(TaskOutcome::Skipped));
    assert_eq!(
        failed
            .task("crew", "t3")
            .and_then(|task| task.skipped_because.as_deref()),
        Some("crew.t2")
    );
    assert!(
        failed.errors.iter().any(|error| error.contains("crew.t1")),
        "{:?}",
        failed.errors
    );
    assert_eq!(
        sim.tasks().len(),
        2,
        "nothing after the failure was submitted"
    );
    let first_attempt = failed
        .task("crew", "t1")
        .and_then(|task| task.server_id.clone())
        .expect("the failed attempt has an id");

    let retried = run(&workflow, &client, options()).await;
    assert_eq!(retried.status, RunStatus::Succeeded, "{:?}", retried.errors);
    assert_eq!(outcome(&retried, "t0"), Some(TaskOutcome::AlreadyCompleted));
    let flaky = retried.task("crew", "t1").expect("reported");
    assert_eq!(flaky.outcome, TaskOutcome::Completed);
    assert_eq!(flaky.origin, Some(TaskOrigin::Retried));
    assert_eq!(flaky.attempt, 2);
    assert_ne!(flaky.server_id.as_deref(), Some(first_attempt.as_str()));
    assert_eq!(outcome(&retried, "t2"), Some(TaskOutcome::Completed));
    assert_eq!(outcome(&retried, "t3"), Some(TaskOutcome::Completed));

    // The failed attempt stays for inspection; the newest attempt is the one that counts.
    let tasks = sim.tasks();
    let attempts: Vec<&api::Task> = tasks
        .iter()
        .filter(|task| task.subject == "flaky")
        .collect();
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts
            .iter()
            .any(|task| task.id == first_attempt && task.status == TaskStatus::Failed)
    );

    let third = run(&workflow, &client, options()).await;
    assert_eq!(third.status, RunStatus::Succeeded);
    assert!(
        third
            .tasks
            .iter()
            .all(|task| task.outcome == TaskOutcome::AlreadyCompleted)
    );
    assert_eq!(sim.tasks().len(), 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_task_that_always_fails_ends_the_run_without_hanging() {
    let sim = failing_simulator().await;
    let client = client(&sim);
    let mut workflow = chain("doomed", &["doomed", "after"]);
    // An independent task in the same team still runs to the end.
    workflow.teams[0]
        .tasks
        .push(Task::new("free", "independent", "worker"));
    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(outcome(&report, "t0"), Some(TaskOutcome::Failed));
    assert_eq!(outcome(&report, "t1"), Some(TaskOutcome::Skipped));
    assert_eq!(outcome(&report, "free"), Some(TaskOutcome::Completed));
    sim.shutdown().await;
}

#[tokio::test]
async fn tasks_of_the_same_subject_in_two_teams_are_tracked_apart() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let mut workflow = Workflow::new("two-teams");
    workflow.agents = vec![Agent::new("a"), Agent::new("b")];
    let mut red = Team::new("red", ["a"]);
    red.tasks = vec![Task::new("step", "step 1", "a")];
    let mut blue = Team::new("blue", ["b"]);
    blue.tasks = vec![Task::new("step", "step 1", "b")];
    workflow.teams = vec![red, blue];

    // An earlier run completed red's "step 1" only.
    let a = made_by_earlier_run(&client, &workflow, "a").await;
    let red_team = create_team(&client, "two-teams", "red", &[&a.id]).await;
    let done = create_task(&client, &red_team.id, "step 1", &a.id).await;
    client
        .set_task_status(&red_team.id, &done.id, TaskStatus::Completed)
        .await
        .expect("the status is set");
    let posts = sim.requests().count("POST", TASKS_ROUTE);

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert_eq!(
        sim.requests().count("POST", TASKS_ROUTE) - posts,
        1,
        "blue's step 1 is submitted, red's is not"
    );
    let red_step = report.task("red", "step").expect("reported");
    let blue_step = report.task("blue", "step").expect("reported");
    assert_eq!(red_step.outcome, TaskOutcome::AlreadyCompleted);
    assert_eq!(blue_step.outcome, TaskOutcome::Completed);
    // The run ended only once blue's own task had completed on the server.
    let tasks = sim.tasks();
    let blue_task = tasks
        .iter()
        .find(|task| Some(task.id.as_str()) == blue_step.server_id.as_deref())
        .expect("blue's task exists");
    assert_eq!(blue_task.status, TaskStatus::Completed);
    assert_ne!(blue_task.team_id, red_team.id);
    sim.shutdown().await;
}

#[tokio::test]
async fn dependencies_across_teams_are_submitted_in_order() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let mut workflow = Workflow::new("cross-team");
    workflow.agents = vec![Agent::new("builder"), Agent::new("writer")];
    let mut build = Team::new("build", ["builder"]);
    let mut compile = Task::new("compile", "Compile", "builder");
    compile.after = vec![TaskRef::new("docs", "outline")];
    let mut package = Task::new("package", "Package", "builder");
    package.after = vec![
        TaskRef::new("build", "compile"),
        TaskRef::new("docs", "manual"),
    ];
    build.tasks = vec![package, compile];
    let mut docs = Team::new("docs", ["writer"]);
    let mut manual = Task::new("manual", "Manual", "writer");
    manual.after = vec![TaskRef::new("build", "compile")];
    docs.tasks = vec![Task::new("outline", "Outline", "writer"), manual];
    workflow.teams = vec![build, docs];

    let (report, early) = watching_order(&sim, run(&workflow, &client, options())).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(early.is_empty(), "tasks submitted too early: {early:?}");
    let tasks = sim.tasks();
    let id_of = |subject: &str| {
        tasks
            .iter()
            .find(|task| task.subject == subject)
            .map(|task| task.id.clone())
            .expect("the task exists")
    };
    let package = tasks
        .iter()
        .find(|task| task.subject == "Package")
        .expect("the task exists");
    let mut blocked_by = package.blocked_by.clone();
    blocked_by.sort();
    let mut expected = vec![id_of("Compile"), id_of("Manual")];
    expected.sort();
    assert_eq!(blocked_by, expected);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_workflow_timeout_stops_the_run() {
    let sim = stalled_simulator().await;
    let client = client(&sim);
    let mut workflow = chain("slow", &["forever", "never"]);
    workflow.timeout = Some(Duration::from_millis(300));
    let started = Instant::now();
    let report = run(&workflow, &client, options().teardown(Teardown::OnFailure)).await;
    assert_eq!(report.status, RunStatus::TimedOut);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome(&report, "t0"), Some(TaskOutcome::Unfinished));
    assert_eq!(outcome(&report, "t1"), Some(TaskOutcome::NotSubmitted));
    assert!(
        report.teardown.applied,
        "a timed-out run is a failure for on_failure"
    );
    assert!(sim.agents().is_empty());
    assert!(sim.teams().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_timeout_beyond_the_clock_never_panics() {
    // The rules refuse such a timeout; a plan built by hand can still hold one, and the
    // run then has no deadline rather than overflowing the clock.
    let sim = quick_simulator().await;
    let client = client(&sim);
    let mut plan = executor::Plan::new(&chain("endless", &["one"])).expect("a valid workflow");
    plan.timeout = Some(Duration::MAX);
    let report = tokio::time::timeout(
        Duration::from_secs(30),
        executor::run_plan(&plan, &client, options()),
    )
    .await
    .expect("the run ends on its own")
    .expect("the run starts");
    assert_eq!(report.status, RunStatus::Succeeded);
    sim.shutdown().await;
}

#[tokio::test]
async fn cancellation_stops_the_run_within_a_second_and_tears_down() {
    let sim = stalled_simulator().await;
    let client = client(&sim);
    let workflow = chain("cancelled", &["long", "longer"]);
    let cancellation = Cancellation::new();
    let trigger = cancellation.clone();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
        Instant::now()
    });
    let report = run(
        &workflow,
        &client,
        RunOptions::new()
            // A slow poll: cancellation must not wait for it.
            .poll_interval(Duration::from_secs(10))
            .teardown(Teardown::OnFailure)
            .cancellation(cancellation),
    )
    .await;
    let cancelled_at = canceller.await.expect("the canceller does not panic");
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(1),
        "{:?}",
        cancelled_at.elapsed()
    );
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(outcome(&report, "t1"), Some(TaskOutcome::NotSubmitted));
    assert!(report.teardown.applied);
    assert_eq!(report.deleted().count(), 2);
    assert!(sim.agents().is_empty());
    assert!(sim.teams().is_empty());
    assert_eq!(
        sim.tasks().len(),
        1,
        "nothing was submitted after the cancellation"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn each_teardown_policy_on_success_and_on_failure() {
    let sim = failing_simulator().await;
    let client = client(&sim);
    for (policy, succeed, deletes) in [
        (Teardown::OnCompletion, true, true),
        (Teardown::OnCompletion, false, false),
        (Teardown::OnFailure, true, false),
        (Teardown::OnFailure, false, true),
        (Teardown::Never, true, false),
        (Teardown::Never, false, false),
    ] {
        let name = format!("teardown-{policy}-{succeed}").replace('_', "-");
        let mut workflow = chain(&name, &[if succeed { "fine" } else { "doomed" }]);
        workflow.teardown = policy;
        let report = run(&workflow, &client, RunOptions::new().poll_interval(POLL)).await;
        assert_eq!(report.status.is_success(), succeed, "{policy} {succeed}");
        assert_eq!(report.teardown.applied, deletes, "{policy} {succeed}");
        assert_eq!(report.teardown.policy, policy.as_str());
        let key = make_key(&name, "worker");
        let agent_left = sim.agents().iter().any(|agent| agent.name == key);
        let team_left = sim
            .teams()
            .iter()
            .any(|team| team.name == make_key(&name, "crew"));
        assert_eq!(agent_left, !deletes, "{policy} {succeed}");
        assert_eq!(team_left, !deletes, "{policy} {succeed}");
        assert_eq!(report.deleted().count(), if deletes { 2 } else { 0 });
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_teardown_override_wins_over_the_workflow() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let mut workflow = chain("override", &["fine"]);
    workflow.teardown = Teardown::OnCompletion;
    let report = run(&workflow, &client, options()).await;
    assert!(report.status.is_success(), "{:?}", report.errors);
    assert!(!report.teardown.applied);
    assert_eq!(report.teardown.policy, "never");
    assert_eq!(sim.agents().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_dry_run_reads_the_server_and_changes_nothing() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = chain("dry", &["one", "two"]);
    made_by_earlier_run(&client, &workflow, "worker").await;
    let before = sim.requests();

    let report = run(&workflow, &client, options().dry_run(true)).await;
    assert!(report.dry_run);
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(sim.requests().posts(), before.posts());
    assert_eq!(
        sim.requests().total() - before.total(),
        2,
        "one list of agents, one of teams"
    );
    assert_eq!(report.agents[0].action, ResourceAction::Reused);
    assert_eq!(report.teams[0].action, ResourceAction::Created);
    assert_eq!(report.teams[0].server_id, None);
    assert!(
        report
            .tasks
            .iter()
            .all(|task| task.origin == Some(TaskOrigin::Submitted)
                && task.outcome == TaskOutcome::NotSubmitted)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_invalid_workflow_touches_nothing() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let mut workflow = chain("invalid", &["one"]);
    workflow.teams[0].tasks[0].after = vec![TaskRef::new("crew", "t0")];
    let error = executor::run(&workflow, &client, options())
        .await
        .expect_err("a cycle is refused");
    assert!(matches!(error, executor::Error::Plan(_)), "{error}");
    assert_eq!(sim.requests().total(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn events_follow_the_run() {
    let sim = quick_simulator().await;
    let client = client(&sim);
    let workflow = chain("events", &["one"]);
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let report = run(
        &workflow,
        &client,
        RunOptions::new()
            .poll_interval(POLL)
            .on_event(move |event| seen.lock().expect("not poisoned").push(event.clone())),
    )
    .await;
    assert!(report.status.is_success(), "{:?}", report.errors);
    let events = events.lock().expect("not poisoned").clone();
    let names: Vec<&str> = events
        .iter()
        .map(|event| match event {
            Event::SnapshotTaken { .. } => "snapshot",
            Event::AgentCreated { .. } => "agent created",
            Event::AgentStarted { .. } => "agent started",
            Event::TeamCreated { .. } => "team created",
            Event::TaskSubmitted { .. } => "task submitted",
            Event::TaskRunning { .. } => "task running",
            Event::TaskCompleted { .. } => "task completed",
            Event::TeardownStarted { .. } => "teardown",
            Event::TeamDeleted { .. } => "team deleted",
            Event::AgentDeleted { .. } => "agent deleted",
            Event::RunFinished { .. } => "finished",
            _ => "other",
        })
        .filter(|name| *name != "task running")
        .collect();
    assert_eq!(
        names,
        [
            "snapshot",
            "agent created",
            "agent started",
            "team created",
            "task submitted",
            "task completed",
            "teardown",
            "agent deleted",
            "team deleted",
            "finished"
        ]
    );
    assert!(report.timings.total_ms >= report.timings.tasks_ms);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_run_through_a_faulty_server_still_makes_each_resource_once() {
    let sim = simulator(SimConfig::default().worker_delay(WORKER_DELAY).faults(
        telemachy::sim::Faults {
            error_rate: 0.2,
            drop_after_apply_rate: 0.2,
            seed: 7,
            ..telemachy::sim::Faults::default()
        },
    ))
    .await;
    let config = Config::new(&sim.url())
        .expect("the simulator's URL is valid")
        .max_retries(10)
        .backoff(Duration::from_millis(1), Duration::from_millis(5));
    let client = Client::new(config).expect("a plain HTTP client builds");
    let workflow = fleet_security();

    let report = run(&workflow, &client, options()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    let log = sim.requests();
    let unanswered_creates = log
        .iter()
        .filter(|request| request.method() == "POST" && request.status() != Some(201))
        .filter(|request| request.route() != "/v1/agents/{id}/start")
        .count();
    assert!(unanswered_creates > 0, "the faults hit creates: {log:?}");
    assert_eq!(sim.agents().len(), 4, "no agent was made twice");
    assert_eq!(sim.teams().len(), 1, "no team was made twice");
    assert_eq!(sim.tasks().len(), 4, "no task was submitted twice");
    let again = run(&workflow, &client, options()).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{:?}", again.errors);
    assert_eq!(again.created().count(), 0);
    assert_eq!(sim.tasks().len(), 4);
    sim.shutdown().await;
}

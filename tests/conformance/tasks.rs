//! Tasks: create, list, get, report status until `completedAt` is stamped; and the
//! simulated workers seen through the client.

use std::time::{Duration, Instant};

use telemachy::Client;
use telemachy::api::{NewTask, NewTeam, Task, TaskStatus};
use telemachy::client::Error;
use telemachy::sim::SimConfig;

use crate::requests::{analysis_task, local_agent, login_task};
use crate::support::{client, simulator};

async fn team(client: &Client, members: &[String]) -> String {
    client
        .create_team(&NewTeam {
            name: "tlm-team".into(),
            agent_ids: members.to_vec(),
        })
        .await
        .expect("team")
        .id
}

#[tokio::test]
async fn create_list_get_and_report_status() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    // Never started: the simulated workers leave its tasks alone.
    let agent = client.create_agent(&local_agent()).await.expect("agent");
    let team = team(&client, std::slice::from_ref(&agent.id)).await;

    let first = client
        .create_task(&team, &analysis_task(&agent.id), &[])
        .await
        .expect("create");
    let sent = login_task(&agent.id, &[&first.id]);
    let task = client.create_task(&team, &sent, &[]).await.expect("create");
    assert_eq!(task.team_id, team);
    assert_eq!(task.subject, sent.subject);
    assert_eq!(task.description, sent.description);
    assert_eq!(task.assignee_agent_id, agent.id);
    assert_eq!(task.blocked_by, std::slice::from_ref(&first.id));
    assert_eq!(task.kind, "implementation");
    assert_eq!(task.status, TaskStatus::Pending);
    assert_eq!(task.completed_at, None);
    assert!(!task.created_at.is_empty());

    let mut listed = client.list_tasks(&team).await.expect("list");
    listed.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut expected = vec![first.clone(), task.clone()];
    expected.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    assert_eq!(listed, expected);
    assert_eq!(client.get_task(&team, &task.id).await.expect("get"), task);

    let running = client
        .set_task_status(&team, &task.id, TaskStatus::Running)
        .await
        .expect("running");
    assert_eq!(running.status, TaskStatus::Running);
    assert_eq!(running.completed_at, None);
    let completed = client
        .set_task_status(&team, &task.id, TaskStatus::Completed)
        .await
        .expect("completed");
    assert_eq!(completed.status, TaskStatus::Completed);
    let stamp = completed
        .completed_at
        .clone()
        .expect("completedAt is stamped");
    assert!(stamp >= task.created_at, "{stamp} < {}", task.created_at);
    let fetched = client.get_task(&team, &task.id).await.expect("get");
    assert_eq!(fetched.completed_at, Some(stamp));
    assert_eq!(fetched.status, TaskStatus::Completed);
}

#[tokio::test]
async fn what_the_server_refuses_or_does_not_know() {
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let team = team(&client, &[]).await;
    let task = client
        .create_task(&team, &analysis_task(""), &[])
        .await
        .expect("create");

    // Not a status of the contract: 400, with the server's words, not retried.
    let refused = client
        .set_task_status(&team, &task.id, TaskStatus::Other("paused".into()))
        .await
        .expect_err("400");
    assert!(
        matches!(refused, Error::Status { status: 400, .. }),
        "{refused:?}"
    );
    assert!(
        refused
            .server_message()
            .is_some_and(|m| m.contains("paused")),
        "{refused:?}"
    );
    assert_eq!(
        sim.requests()
            .count("PUT", "/v1/teams/{team_id}/tasks/{task_id}"),
        1
    );

    let missing = client
        .get_task(&team, "no-such-task")
        .await
        .expect_err("404");
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(missing.server_message(), Some("task not found"));
    // A task belongs to its team: another team's path does not find it.
    let elsewhere = client
        .get_task("other-team", &task.id)
        .await
        .expect_err("404");
    assert!(elsewhere.is_not_found(), "{elsewhere:?}");
    // An unknown team has no tasks: an empty list, not an error.
    assert!(
        client
            .list_tasks("no-such-team")
            .await
            .expect("list")
            .is_empty()
    );

    // A task without a type gets the contract's default.
    let untyped = client
        .create_task(
            &team,
            &NewTask {
                subject: "Untyped".into(),
                ..NewTask::default()
            },
            &[],
        )
        .await
        .expect("create");
    assert_eq!(untyped.kind, "general");
    assert_eq!(untyped.assignee_agent_id, "");
}

/// Polls the task until it has finished, for at most `limit`.
async fn finished(client: &Client, team: &str, id: &str, limit: Duration) -> Task {
    let started = Instant::now();
    loop {
        let task = client.get_task(team, id).await.expect("get");
        if task.status.is_terminal() || started.elapsed() > limit {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn simulated_workers_finish_tasks_of_started_agents() {
    let sim = simulator(
        SimConfig::default()
            .worker_delay(Duration::from_millis(10))
            .fail_subject("Doomed"),
    )
    .await;
    let client = client(&sim);
    let worker = client.create_agent(&local_agent()).await.expect("agent");
    client.start_agent(&worker.id).await.expect("start");
    let idle = client
        .create_agent(&telemachy::api::NewAgent {
            name: "tlm-idle".into(),
            ..Default::default()
        })
        .await
        .expect("agent");
    let team = team(&client, &[worker.id.clone(), idle.id.clone()]).await;

    let done = client
        .create_task(&team, &analysis_task(&worker.id), &[])
        .await
        .expect("create");
    let doomed = NewTask {
        subject: "Doomed".into(),
        ..analysis_task(&worker.id)
    };
    let doomed = client
        .create_task(&team, &doomed, &[])
        .await
        .expect("create");
    let waiting = client
        .create_task(&team, &analysis_task(&idle.id), &[])
        .await
        .expect("create");

    let limit = Duration::from_secs(5);
    let done = finished(&client, &team, &done.id, limit).await;
    assert_eq!(done.status, TaskStatus::Completed);
    assert!(done.completed_at.is_some());
    let doomed = finished(&client, &team, &doomed.id, limit).await;
    assert_eq!(doomed.status, TaskStatus::Failed);
    // Assigned to an agent that never started: nobody picks it up.
    let waiting = client.get_task(&team, &waiting.id).await.expect("get");
    assert_eq!(waiting.status, TaskStatus::Pending);
}

//! Simulated workers. The real server has none (its workers report back through the API);
//! here a task assigned to an online agent moves `pending` -> `running` -> `completed` (or
//! `failed`, for a scripted subject), one step per worker delay. `blockedBy` is never
//! looked at, exactly as on the real server.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::app::{SharedApp, WorkerSettings, lock};
use super::state::Store;
use crate::api::TaskStatus;

/// Starts the workers; they stop when `stop` changes or its sender goes away.
pub(crate) fn spawn(app: SharedApp, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let settings = app.workers.clone();
    let tick = (settings.delay / 4).clamp(Duration::from_millis(2), Duration::from_millis(100));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => advance(&mut lock(&app.store), Instant::now(), &settings),
                _ = stop.changed() => break,
            }
        }
    })
}

/// Moves every task whose step is due by one step. Only tasks in progress are looked at, so
/// a step costs the number of those, however many tasks have finished.
///
/// A step is due `delay` after both the task's last status change and its agent's start;
/// tasks of offline or unknown agents wait.
fn advance(store: &mut Store, now: Instant, settings: &WorkerSettings) {
    for id in store.in_progress() {
        let Some(record) = store.tasks.get(&id) else {
            continue;
        };
        let Some(online_since) = store
            .agents
            .get(&record.task.assignee_agent_id)
            .and_then(|agent| agent.online_since)
        else {
            continue;
        };
        if now < record.since.max(online_since) + settings.delay {
            continue;
        }
        let next = match record.task.status {
            TaskStatus::Pending => TaskStatus::Running,
            TaskStatus::Running if settings.fail_subjects.contains(&record.task.subject) => {
                TaskStatus::Failed
            }
            TaskStatus::Running => TaskStatus::Completed,
            _ => continue,
        };
        store.set_task_status(&id, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AgentStatus;
    use crate::sim::fields::{AgentFields, TaskFields};

    fn task_for(store: &mut Store, agent: &str, subject: &str) -> String {
        let fields = TaskFields {
            subject: Some(subject.to_owned()),
            assignee_agent_id: Some(agent.to_owned()),
            blocked_by: Some(vec!["never-finishes".to_owned()]),
            ..TaskFields::default()
        };
        store.create_task("team", fields).task.id.clone()
    }

    #[test]
    fn steps_follow_the_delay_and_ignore_blocked_by() {
        let settings = WorkerSettings {
            delay: Duration::from_millis(10),
            fail_subjects: ["bad".to_owned()].into(),
        };
        let mut store = Store::default();
        let online = store.create_agent(AgentFields::default()).agent.id.clone();
        let offline = store.create_agent(AgentFields::default()).agent.id.clone();
        store.set_agent_status(&online, AgentStatus::Online);
        let good = task_for(&mut store, &online, "good");
        let bad = task_for(&mut store, &online, "bad");
        let idle = task_for(&mut store, &offline, "idle");
        let status = |store: &Store, id: &str| store.tasks[id].task.status.clone();

        let start = Instant::now();
        advance(&mut store, start, &settings);
        assert_eq!(status(&store, &good), TaskStatus::Pending, "not due yet");

        let later = Instant::now() + Duration::from_millis(20);
        advance(&mut store, later, &settings);
        assert_eq!(status(&store, &good), TaskStatus::Running);
        assert_eq!(status(&store, &bad), TaskStatus::Running);

        let much_later = Instant::now() + Duration::from_millis(40);
        advance(&mut store, much_later, &settings);
        assert_eq!(status(&store, &good), TaskStatus::Completed);
        assert!(store.tasks[&good].task.completed_at.is_some());
        assert_eq!(status(&store, &bad), TaskStatus::Failed);
        assert_eq!(status(&store, &idle), TaskStatus::Pending, "offline agent");
        // Finished tasks are no longer looked at.
        assert_eq!(store.in_progress(), vec![idle.clone()]);
    }
}

//! Task events on NATS, as the real server publishes them: `hi.tasks.created` with the
//! create's answer, and `hi.tasks.<team_id>.<task_id>.updated` with the task after every
//! change (a status set through the API, a worker's step, `/complete`), each as
//! `{"task": {...}}`. Like the real server, the simulator runs on without a NATS server:
//! events it cannot deliver are dropped.

use serde_json::json;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::state::TaskChange;

/// The subject and payload of a change.
// Without the `nats` feature nothing publishes; the unit tests still check this.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
fn message(change: TaskChange) -> (String, Vec<u8>) {
    match change {
        TaskChange::Created(task) => (
            "hi.tasks.created".to_owned(),
            json!({ "task": task }).to_string().into_bytes(),
        ),
        TaskChange::Updated {
            team_id,
            task_id,
            task,
        } => (
            format!("hi.tasks.{team_id}.{task_id}.updated"),
            json!({ "task": task }).to_string().into_bytes(),
        ),
    }
}

/// Publishes every change from `changes` to the NATS server at `url`, connecting in the
/// background and dropping what cannot be delivered; ends when `stop` changes (or its
/// sender goes away).
#[cfg(feature = "nats")]
pub(crate) fn spawn(
    url: String,
    mut changes: mpsc::UnboundedReceiver<TaskChange>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .name("agamemnon-simulator")
            .connect(url.as_str())
            .await
        {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::warn!(error = %error, "the simulator cannot use its NATS URL; publishing no events");
                None
            }
        };
        loop {
            let change = tokio::select! {
                change = changes.recv() => change,
                _ = stop.changed() => None,
            };
            let Some(change) = change else { break };
            let Some(client) = &client else { continue };
            let (subject, payload) = message(change);
            // Undeliverable (NATS down, a subject the id makes invalid): dropped, as the
            // real server does.
            let _ = client.publish(subject, payload.into()).await;
        }
        if let Some(client) = client {
            // What was published gets out before the simulator is gone.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), client.flush()).await;
        }
    })
}

/// Without NATS support, changes are read and dropped.
#[cfg(not(feature = "nats"))]
pub(crate) fn spawn(
    _url: String,
    mut changes: mpsc::UnboundedReceiver<TaskChange>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tracing::warn!(
        "this build has no NATS support (feature `nats`); the simulator publishes no events"
    );
    tokio::spawn(async move {
        loop {
            tokio::select! {
                change = changes.recv() => if change.is_none() { break },
                _ = stop.changed() => break,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_go_to_the_real_servers_subjects() {
        let (subject, payload) = message(TaskChange::Updated {
            team_id: "t1".to_owned(),
            task_id: "k1".to_owned(),
            task: json!({"id": "k1", "status": "completed"}),
        });
        assert_eq!(subject, "hi.tasks.t1.k1.updated");
        let payload: serde_json::Value = serde_json::from_slice(&payload).expect("JSON");
        assert_eq!(payload["task"]["status"], "completed");
        let (subject, _) = message(TaskChange::Created(json!({"id": "k2"})));
        assert_eq!(subject, "hi.tasks.created");
    }
}

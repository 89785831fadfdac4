//! What the client logs: requests at `debug`, never the key, never task subjects above
//! `debug`, a warning for a client without a key.
//!
//! One global subscriber (installed once, at `TRACE`) formats every event, and hands the
//! text to the capture of the thread that emitted it, if that thread has one. A global
//! subscriber, not one per test: with per-thread subscribers, tests running in parallel race
//! on tracing's cached per-callsite interest and events go missing at random.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, Once};

use serde_json::json;
use telemachy::{Client, Config};
use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

use crate::support::{KEY, api, client, json_answer, server};

thread_local! {
    /// This thread's capture and the most verbose level it wants.
    static CAPTURE: RefCell<Option<(Captured, Level)>> = const { RefCell::new(None) };
}

/// Log output captured in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }

    /// Collects this thread's events at `level` and less verbose until the guard drops.
    /// `#[tokio::test]` runs the test and what it spawns on the test's own thread.
    fn install(&self, level: Level) -> CaptureGuard {
        static GLOBAL: Once = Once::new();
        GLOBAL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(Level::TRACE)
                .with_ansi(false)
                .with_writer(Router)
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber in this test binary");
        });
        CAPTURE.with(|capture| *capture.borrow_mut() = Some((self.clone(), level)));
        CaptureGuard
    }
}

/// Ends this thread's capture when dropped.
struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        CAPTURE.with(|capture| *capture.borrow_mut() = None);
    }
}

/// Routes each event's text to the emitting thread's capture, or nowhere.
struct Router;

/// A writer into a capture, or into nothing.
struct Routed(Option<Captured>);

impl std::io::Write for Routed {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(captured) = &self.0 {
            captured
                .0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Router {
    type Writer = Routed;

    fn make_writer(&'a self) -> Routed {
        Routed(None)
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Routed {
        Routed(CAPTURE.with(|capture| {
            capture
                .borrow()
                .as_ref()
                .filter(|(_, level)| meta.level() <= level)
                .map(|(captured, _)| captured.clone())
        }))
    }
}

#[tokio::test]
async fn requests_are_traced_at_debug_without_the_key() {
    let server = server().await;
    api("GET", "/v1/health")
        .respond_with(json_answer(500, json!({"error": "boom"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("GET", "/v1/health")
        .respond_with(json_answer(200, json!({"status": "ok"})))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let _guard = captured.install(Level::TRACE);

    client(&server).health().await.expect("health");

    let logs = captured.text();
    assert!(
        logs.contains("method=GET") && logs.contains("path=/v1/health"),
        "{logs}"
    );
    assert!(
        logs.contains("attempt=1") && logs.contains("attempt=2"),
        "{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
}

#[tokio::test]
async fn task_subjects_stay_out_of_logs_above_debug() {
    let server = server().await;
    let subject = "Refactor the billing module";
    let route = "/v1/teams/t1/tasks";
    api("POST", route)
        .respond_with(json_answer(500, json!({"error": "internal error"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    api("GET", route)
        .respond_with(json_answer(
            200,
            json!({"tasks": [crate::support::task("t-9", subject, "pending", "2026-01-01T00:00:00Z")]}),
        ))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let _guard = captured.install(Level::INFO);

    let task = client(&server)
        .create_task(
            "t1",
            &telemachy::api::NewTask {
                subject: subject.into(),
                description: "Secret plans for billing".into(),
                ..Default::default()
            },
            &[],
        )
        .await
        .expect("adopted");
    assert_eq!(task.id, "t-9");

    let logs = captured.text();
    assert!(logs.contains("adopted"), "{logs}");
    assert!(
        !logs.contains(subject) && !logs.contains("Secret plans"),
        "{logs}"
    );
}

#[tokio::test]
async fn a_client_without_a_key_warns() {
    let captured = Captured::default();
    let _guard = captured.install(Level::WARN);

    Client::new(Config::new("http://localhost:1").expect("valid")).expect("client");
    assert!(
        captured.text().contains("no API key set"),
        "{}",
        captured.text()
    );

    let before = captured.text().len();
    Client::new(
        Config::new("http://localhost:1")
            .expect("valid")
            .api_key("k"),
    )
    .expect("client");
    assert_eq!(captured.text().len(), before, "{}", captured.text());
}

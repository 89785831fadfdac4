//! Task events from NATS: a reason to read a team now rather than at its next poll.
//!
//! The server publishes every change of a task on `hi.tasks.<team_id>.<task_id>.updated`
//! (and workers report on `...completed`). A run subscribes to `hi.tasks.<team_id>.>` for
//! each of its teams; every message on one of them makes that team due for a read. The
//! message itself is never trusted: REST stays the source of truth, so a lost, duplicated,
//! late or oddly shaped event changes nothing but the time of a read.
//!
//! The connection is made in the background and retried while the run lasts; until it is
//! made, and whenever it breaks or stays quiet, the run simply polls. A broken NATS never
//! fails a run. Credentials in the URL (`nats://user:pass@host`, `nats://token@host`) are
//! taken out of it and handed to the client separately, and only the URL without them is
//! ever logged.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long one connection attempt may take.
#[cfg(feature = "nats")]
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The wait between connection attempts, doubling up to [`RETRY_MAX`].
#[cfg(feature = "nats")]
const RETRY_FIRST: Duration = Duration::from_millis(250);
#[cfg(feature = "nats")]
const RETRY_MAX: Duration = Duration::from_secs(5);

/// What one event says, as far as it can be believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Nudge {
    /// The server id of the team it is about.
    pub(crate) team: String,
    /// The task it names, if its subject names one.
    pub(crate) task: Option<String>,
    /// Whether the task may have finished: a worker's report, an update to `completed` or
    /// `failed`, or anything that cannot be read (which might be either).
    pub(crate) settled: bool,
}

impl Nudge {
    /// Reads a message on `subject` (`hi.tasks.<team>.<task>.<verb>`) with `payload`
    /// about `team`.
    // Without the `nats` feature nothing reads messages; the unit tests still check this.
    #[cfg_attr(not(feature = "nats"), allow(dead_code))]
    fn read(team: &str, subject: &str, payload: &[u8]) -> Nudge {
        let tokens: Vec<&str> = subject.split('.').collect();
        let task = tokens.get(3).map(|task| (*task).to_owned());
        let settled = match tokens.get(4).copied() {
            Some("completed") => true,
            Some("updated") => {
                #[derive(serde::Deserialize)]
                struct Envelope {
                    task: Status,
                }
                #[derive(serde::Deserialize)]
                struct Status {
                    status: String,
                }
                match serde_json::from_slice::<Envelope>(payload) {
                    Ok(envelope) => matches!(envelope.task.status.as_str(), "completed" | "failed"),
                    Err(_) => true,
                }
            }
            _ => true,
        };
        Nudge {
            team: team.to_owned(),
            task,
            settled,
        }
    }
}

/// A subscription to the task events of a run's teams.
#[derive(Debug)]
pub(crate) struct Feed {
    /// What the events said.
    nudges: mpsc::UnboundedReceiver<Nudge>,
    /// Whether the connection is up now.
    connected: tokio::sync::watch::Receiver<bool>,
    /// When the last event came.
    last_event: Option<Instant>,
    /// Connects, subscribes and forwards; ended when the feed is dropped.
    worker: JoinHandle<()>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

impl Feed {
    /// Starts listening, in the background, for events about `team_ids` on the NATS server
    /// at `url` (one address, or several separated by commas). Answers `None` (after a
    /// warning) when the URL cannot be used, or when this build has no NATS support.
    pub(crate) fn start(url: &str, team_ids: &[String]) -> Option<Feed> {
        imp::start(url, team_ids)
    }

    /// What the next event said; waits forever once the feed has ended.
    pub(crate) async fn next(&mut self) -> Nudge {
        match self.nudges.recv().await {
            Some(nudge) => {
                self.last_event = Some(Instant::now());
                nudge
            }
            None => std::future::pending().await,
        }
    }

    /// Whether events are flowing: the connection is up and an event came within `quiet`.
    /// While they are, polling can slow down; when they are not, it must not.
    pub(crate) fn live(&self, now: Instant, quiet: Duration) -> bool {
        *self.connected.borrow()
            && self
                .last_event
                .is_some_and(|at| now.saturating_duration_since(at) < quiet)
    }
}

/// `url` without credentials, as logs may show it.
pub(crate) fn redacted(url: &str) -> String {
    url.split(',')
        .map(|part| {
            let part = part.trim();
            let (scheme, rest) = part.split_once("://").unwrap_or(("", part));
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            let mut shown = String::new();
            if !scheme.is_empty() {
                shown.push_str(scheme);
                shown.push_str("://");
            }
            if authority.contains('@') {
                shown.push_str("<credentials>@");
            }
            shown.push_str(host);
            if !path.is_empty() {
                shown.push('/');
                shown.push_str(path);
            }
            shown
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `id` can stand in a subject as one token.
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
fn subject_safe(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(feature = "nats")]
mod imp {
    use std::str::FromStr;
    use std::sync::Arc;

    use async_nats::{ConnectOptions, Event, ServerAddr};
    use futures_util::StreamExt;
    use tokio::sync::{mpsc, watch};
    use tokio::task::JoinSet;

    use super::{CONNECT_TIMEOUT, Feed, Nudge, RETRY_FIRST, RETRY_MAX, redacted, subject_safe};

    /// Addresses without credentials, and the credentials they carried.
    struct Target {
        servers: Vec<ServerAddr>,
        credentials: Option<(String, Option<String>)>,
    }

    fn target(url: &str) -> Result<Target, String> {
        let mut servers = Vec::new();
        let mut credentials = None;
        for part in url
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let server = ServerAddr::from_str(part).map_err(|error| error.to_string())?;
            if let Some(user) = server.username() {
                credentials
                    .get_or_insert_with(|| (user.to_owned(), server.password().map(str::to_owned)));
            }
            let mut bare = server.into_inner();
            // Setting them empty cannot fail on a URL that has a host, as these do.
            let _ = bare.set_username("");
            let _ = bare.set_password(None);
            servers.push(ServerAddr::from_url(bare).map_err(|error| error.to_string())?);
        }
        if servers.is_empty() {
            return Err("it names no server".to_owned());
        }
        Ok(Target {
            servers,
            credentials,
        })
    }

    pub(super) fn start(url: &str, team_ids: &[String]) -> Option<Feed> {
        let shown = redacted(url);
        let target = match target(url) {
            Ok(target) => target,
            Err(reason) => {
                tracing::warn!(
                    url = %shown,
                    reason = %reason,
                    "NATS_URL cannot be used; following the tasks by polling only"
                );
                return None;
            }
        };
        let teams: Vec<String> = team_ids
            .iter()
            .filter(|id| subject_safe(id))
            .cloned()
            .collect();
        let (sender, nudges) = mpsc::unbounded_channel();
        let (connected_sender, connected) = watch::channel(false);
        let worker = tokio::spawn(listen(target, shown, teams, sender, connected_sender));
        Some(Feed {
            nudges,
            connected,
            last_event: None,
            worker,
        })
    }

    /// Connects (retrying until it works), subscribes, and forwards every message as its
    /// team's id; keeps `connected` up to date.
    async fn listen(
        target: Target,
        shown: String,
        teams: Vec<String>,
        nudges: mpsc::UnboundedSender<Nudge>,
        connected: watch::Sender<bool>,
    ) {
        let connected = Arc::new(connected);
        let mut wait = RETRY_FIRST;
        let client = loop {
            let events = Arc::clone(&connected);
            let mut options = ConnectOptions::new()
                .connection_timeout(CONNECT_TIMEOUT)
                .name("telemachy")
                .event_callback(move |event| {
                    let events = Arc::clone(&events);
                    async move {
                        match event {
                            Event::Connected => {
                                events.send_replace(true);
                            }
                            Event::Disconnected => {
                                events.send_replace(false);
                            }
                            _ => {}
                        }
                    }
                });
            options = match &target.credentials {
                Some((user, Some(password))) => {
                    options.user_and_password(user.clone(), password.clone())
                }
                Some((token, None)) => options.token(token.clone()),
                None => options,
            };
            match options.connect(target.servers.clone()).await {
                Ok(client) => break client,
                Err(error) => {
                    tracing::debug!(
                        url = %shown,
                        error = %error,
                        retry_in_ms = wait.as_millis() as u64,
                        "NATS is not reachable; polling meanwhile"
                    );
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(RETRY_MAX);
                }
            }
        };
        connected.send_replace(true);
        tracing::debug!(url = %shown, teams = teams.len(), "listening for task events on NATS");
        let mut forwarders = JoinSet::new();
        for team in teams {
            let subscriber = match client.subscribe(format!("hi.tasks.{team}.>")).await {
                Ok(subscriber) => subscriber,
                Err(error) => {
                    tracing::debug!(error = %error, "cannot subscribe to a team's task events");
                    continue;
                }
            };
            let nudges = nudges.clone();
            forwarders.spawn(async move {
                let mut subscriber = subscriber;
                while let Some(message) = subscriber.next().await {
                    let nudge = Nudge::read(&team, message.subject.as_str(), &message.payload);
                    if nudges.send(nudge).is_err() {
                        break;
                    }
                }
            });
        }
        // The client lives as long as its subscriptions are read.
        while forwarders.join_next().await.is_some() {}
        drop(client);
    }
}

#[cfg(not(feature = "nats"))]
mod imp {
    use super::Feed;

    pub(super) fn start(_url: &str, _team_ids: &[String]) -> Option<Feed> {
        tracing::warn!(
            "NATS_URL is set, but this build has no NATS support (feature `nats`); following the tasks by polling only"
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        assert_eq!(
            redacted("nats://user:secret@127.0.0.1:4222"),
            "nats://<credentials>@127.0.0.1:4222"
        );
        assert_eq!(redacted("nats://tok3n@host"), "nats://<credentials>@host");
        assert_eq!(
            redacted("nats://a:b@one:1, tls://two:2/x"),
            "nats://<credentials>@one:1,tls://two:2/x"
        );
        assert_eq!(redacted("localhost:4222"), "localhost:4222");
    }

    #[test]
    fn events_say_whether_a_task_may_have_finished() {
        let read = |subject: &str, payload: &str| Nudge::read("t", subject, payload.as_bytes());
        let done = read(
            "hi.tasks.t.x.updated",
            r#"{"task":{"id":"x","status":"completed"}}"#,
        );
        assert_eq!(done.task.as_deref(), Some("x"));
        assert!(done.settled);
        assert!(!read("hi.tasks.t.x.updated", r#"{"task":{"status":"running"}}"#).settled);
        assert!(read("hi.tasks.t.x.updated", r#"{"task":{"status":"failed"}}"#).settled);
        assert!(read("hi.tasks.t.x.completed", r#"{"task_id":"x"}"#).settled);
        // What cannot be read might be a completion: read the team to find out.
        assert!(read("hi.tasks.t.x.updated", "not json").settled);
        assert!(read("hi.tasks.t.x.updated", r#"{"task":{"status":7}}"#).settled);
        assert!(read("hi.tasks.t", "").settled);
        assert_eq!(read("hi.tasks.t", "").task, None);
    }

    #[test]
    fn only_plain_ids_become_subjects() {
        assert!(subject_safe("0f8e2c1a-1b2c-4d5e-8f90-123456789abc"));
        assert!(!subject_safe("a.b"));
        assert!(!subject_safe("a*"));
        assert!(!subject_safe(""));
    }
}

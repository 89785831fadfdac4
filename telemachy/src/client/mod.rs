//! A client for Agamemnon's REST API, made for unattended runs against a real server.
//!
//! ```no_run
//! use telemachy::api::NewAgent;
//! use telemachy::{Client, Config};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // AGAMEMNON_URL, AGAMEMNON_API_KEY, AGAMEMNON_TIMEOUT, ... (see `Config::from_env`)
//! let client = Client::new(Config::from_env()?)?;
//! println!("talking to {} {}", client.version().await?.name, client.base_url());
//!
//! let agent = client
//!     .create_agent(&NewAgent {
//!         name: "reviewer".into(),
//!         program: "claude-code".into(),
//!         host: "local".into(),
//!         ..NewAgent::default()
//!     })
//!     .await?;
//! client.start_agent(&agent.id).await?;
//! for agent in client.list_agents().await? {
//!     println!("{} {}", agent.name, agent.status);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What it copes with:
//!
//! - **Retries.** 5xx, 408, 429, refused connections, dropped connections and timeouts are
//!   retried with capped exponential backoff and jitter (never any other 4xx); a 429's
//!   `Retry-After` is honoured, up to 60 s.
//! - **Creates are never duplicated.** When a create's outcome is unknown (timeout, dropped
//!   connection, 5xx) the client first looks for what it may have created (agents and teams
//!   by exact name, tasks by subject within their team) and adopts it if it is there; after
//!   a timeout it first gives the server as long again to finish the attempt. A refused
//!   connection or a 429 means nothing was created, so those are simply sent again. Only
//!   what the lost attempt could have made is adopted: never an id the caller knew before
//!   (`create_agent_excluding`, `create_team_excluding`, `create_task`'s earlier attempts),
//!   and of the rest the newest by parsed `createdAt`, then id. A
//!   create answered with a success status but a body it cannot use (malformed, wrongly
//!   shaped, too large) did create something: that is looked up and adopted the same way,
//!   so the caller learns its id.
//! - **Lists are complete, and bounded.** Every list reads all pages (`limit=1000`,
//!   `offset`), skipping ids it has already seen, and stops on a server whose pages never
//!   end; past [`MAX_LIST_ITEMS`] items or [`MAX_LIST_BYTES`] bytes it stops with
//!   [`Error::ListTooLarge`].
//! - **Pacing.** Without configuration, the first `429` makes the client measure the
//!   server's rate from its answers and keep just under it from then on, so a large
//!   workflow meets only a handful of `429`s. [`Config::rate_limit`] sets a rate instead,
//!   for those who know it. All clones of a client share one budget.
//! - **Hazards of the real server.** A `POST` without a payload (`start`, `stop`) still
//!   sends `{}`, because the server stalls on a body-less `POST`; bodies are always
//!   well-typed; answers are read up to 8 MiB; unknown statuses decode as `Other`.
//!
//! The API key is sent as `Authorization: Bearer <key>` and never appears in `Debug`
//! output, errors or logs. Requests are traced at `debug` level (method, path, attempt,
//! status); retries at `info`, since the error that ends them reaches the caller anyway.

mod adapt;
mod adopt;
mod agents;
mod config;
mod error;
mod http;
mod pace;
mod pages;
mod retry;
mod tasks;
mod teams;

use std::fmt;
use std::sync::Arc;

pub use config::{BURST_RANGE, Config, DEFAULT_URL, MAX_RETRIES_RANGE, RATE_RANGE, TIMEOUT_RANGE};
pub use error::{ConfigError, Error};
pub use pages::{MAX_LIST_BYTES, MAX_LIST_ITEMS};

use crate::api;
use http::{Call, Transport};

/// A connection to one Agamemnon server; cheap to clone (clones share connections and the
/// pacing budget).
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
    base_url: Arc<str>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`. Fails when `REQUIRE_TLS` is on and the URL is plain http, when
    /// the CA file cannot be used, or when the key cannot be sent in a header. Warns (via
    /// `tracing`) when no API key is set.
    pub fn new(config: Config) -> Result<Client, ConfigError> {
        let transport = Transport::new(&config)?;
        if !config.has_api_key() {
            tracing::warn!(
                url = config.base_url(),
                "no API key set: requests go unauthenticated; set `AGAMEMNON_API_KEY` if the server requires one"
            );
        }
        Ok(Client {
            transport: Arc::new(transport),
            base_url: config.base_url().into(),
        })
    }

    /// The server's URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /v1/health`: whether the server is alive.
    pub async fn health(&self) -> Result<api::Health, Error> {
        self.get(&["v1", "health"], "a health object `{\"status\": ...}`")
            .await
    }

    /// `GET /v1/version`: the server's name and version.
    pub async fn version(&self) -> Result<api::Version, Error> {
        self.get(
            &["v1", "version"],
            "a version object `{\"version\": ..., \"name\": ...}`",
        )
        .await
    }

    /// A `GET` decoded as `T`.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        expected: &str,
    ) -> Result<T, Error> {
        let call = Call::get(segments);
        let body = self.transport.execute(&call).await?;
        self.transport.decode(&call, &body, expected)
    }

    /// A request with a body, retried as idempotent, decoded as `T`.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        expected: &str,
    ) -> Result<T, Error> {
        let body = self.transport.execute(call).await?;
        self.transport.decode(call, &body, expected)
    }

    /// A `DELETE` whose answer is `{"deleted": "<id>"}`.
    async fn delete(&self, segments: &[&str]) -> Result<(), Error> {
        let call = Call::delete(segments);
        match self.transport.remove(&call).await? {
            http::Removal::Deleted(body) => {
                let _: api::Deleted =
                    self.transport
                        .decode(&call, &body, "a deletion `{\"deleted\": \"<id>\"}`")?;
                Ok(())
            }
            http::Removal::AlreadyGone => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn clients_errors_and_calls_cross_threads() {
        assert_send_sync::<Client>();
        assert_send_sync::<Config>();
        assert_send_sync::<Error>();
        assert_send_sync::<ConfigError>();

        let client = Client::new(
            Config::new("http://localhost:1")
                .expect("valid")
                .api_key("k"),
        )
        .expect("client");
        let agent = api::NewAgent::default();
        let team = api::NewTeam::default();
        let task = api::NewTask::default();
        // Only built, never polled: the executor spawns these onto a multi-threaded runtime.
        assert_send(&client.health());
        assert_send(&client.list_agents());
        assert_send(&client.agent_by_name("a"));
        assert_send(&client.create_agent(&agent));
        assert_send(&client.update_agent("a", &api::AgentPatch::new()));
        assert_send(&client.start_agent("a"));
        assert_send(&client.delete_agent("a"));
        assert_send(&client.create_team(&team));
        assert_send(&client.set_team_members("t", &[]));
        assert_send(&client.create_task("t", &task, &[]));
        assert_send(&client.set_task_status("t", "x", api::TaskStatus::Running));
    }
}

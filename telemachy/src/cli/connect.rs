//! Which server a command talks to: `--url`, else `AGAMEMNON_URL`, else the embedded
//! simulator on loopback; and a preflight check of a configured server before any command
//! uses it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cli::output::Failure;
use crate::client::{self, Client, Config};
use crate::executor::chain;

/// How often a run polls the embedded simulator: it answers at once, so there is no reason
/// to wait a second.
const SIMULATOR_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Whether `--sim` (or `TELEMACHY_SIM`) asked for the embedded simulator; set once by the
/// command line before any command connects.
static SIMULATOR_ASKED: AtomicBool = AtomicBool::new(false);

/// Records that the command line asked for the embedded simulator (`--sim`).
pub(crate) fn ask_for_simulator(asked: bool) {
    SIMULATOR_ASKED.store(asked, Ordering::SeqCst);
}

/// Whether the environment says a real server is expected: `CI` is set (to anything but
/// `0`, `false`, `no` or `off`), as every CI service sets it.
fn real_server_expected() -> bool {
    std::env::var("CI").is_ok_and(|value| {
        let value = value.trim().to_ascii_lowercase();
        !value.is_empty() && !matches!(value.as_str(), "0" | "false" | "no" | "off")
    })
}

/// Which server a command used, as its output says.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct ServerView {
    /// The server's URL.
    pub(crate) url: String,
    /// Whether it is the embedded simulator rather than a real Agamemnon server.
    pub(crate) simulator: bool,
}

impl ServerView {
    /// One line for a summary, e.g. `server: http://agamemnon:8080`.
    pub(crate) fn line(&self) -> String {
        if self.simulator {
            format!(
                "server: the embedded simulator at {} (no AGAMEMNON_URL: nothing ran on a real server)",
                self.url
            )
        } else {
            format!("server: {}", self.url)
        }
    }
}

/// A connected server, and the simulator behind it when there is one.
pub(crate) struct Server {
    /// The client for it.
    pub(crate) client: Client,
    #[cfg(feature = "sim")]
    simulator: Option<crate::sim::Simulator>,
}

impl Server {
    /// Connects to `--url`, else `AGAMEMNON_URL`, else starts the embedded simulator and
    /// says so in one line on stderr. A configured server must pass [`preflight`] first: a
    /// wrong URL, an unreachable server or a rejected key is a usage error (exit status 2)
    /// before anything is read or created.
    ///
    /// The simulator is never a silent stand-in where a real server is expected: with `CI`
    /// set, no `AGAMEMNON_URL` and no `--url`, the command refuses (exit status 2) unless
    /// `--sim` or `TELEMACHY_SIM=1` asks for the simulator; `--sim` uses it even when
    /// `AGAMEMNON_URL` is set.
    pub(crate) async fn connect(url: Option<&str>) -> Result<Server, Failure> {
        let from_env = std::env::var("AGAMEMNON_URL")
            .ok()
            .filter(|value| !value.trim().is_empty());
        let asked = SIMULATOR_ASKED.load(Ordering::SeqCst);
        let config = match (url, from_env) {
            _ if asked => {
                Config::from_env().map_err(config_failure)?;
                return Server::simulated(true).await;
            }
            (None, None) if real_server_expected() => {
                return Err(Failure::usage(
                    "`CI` is set but neither `AGAMEMNON_URL` nor `--url` is: refusing to stand \
                     in the embedded simulator for a real server; set `AGAMEMNON_URL` (check \
                     its spelling), or pass `--sim` (or set `TELEMACHY_SIM=1`) to use the \
                     simulator on purpose",
                ));
            }
            // The same variables as `from_env`, with `--url` in place of AGAMEMNON_URL.
            (Some(url), _) => Config::from_lookup(|name| match name {
                "AGAMEMNON_URL" => Some(url.to_owned()),
                other => std::env::var(other).ok(),
            })
            .map_err(config_failure)?,
            (None, Some(_)) => Config::from_env().map_err(config_failure)?,
            (None, None) => {
                // The simulator gets a configuration of its own, but a value out of range
                // is refused all the same: it would be refused against a real server.
                Config::from_env().map_err(config_failure)?;
                return Server::simulated(false).await;
            }
        };
        let client = Client::new(config).map_err(config_failure)?;
        preflight(&client).await?;
        Ok(Server {
            client,
            #[cfg(feature = "sim")]
            simulator: None,
        })
    }

    /// Which server this is, for a command's output.
    pub(crate) fn view(&self) -> ServerView {
        ServerView {
            url: self.client.base_url().to_owned(),
            simulator: self.is_simulated(),
        }
    }

    /// Whether the server is the embedded simulator.
    pub(crate) fn is_simulated(&self) -> bool {
        #[cfg(feature = "sim")]
        {
            self.simulator.is_some()
        }
        #[cfg(not(feature = "sim"))]
        {
            false
        }
    }

    /// The poll interval to use when the command line gives none.
    pub(crate) fn default_poll_interval(&self) -> Duration {
        if self.is_simulated() {
            SIMULATOR_POLL_INTERVAL
        } else {
            crate::executor::DEFAULT_POLL_INTERVAL
        }
    }

    /// Stops the simulator, if there is one.
    pub(crate) async fn close(self) {
        #[cfg(feature = "sim")]
        if let Some(simulator) = self.simulator {
            simulator.shutdown().await;
        }
    }

    #[cfg(feature = "sim")]
    async fn simulated(asked: bool) -> Result<Server, Failure> {
        // A key of its own, so that nothing else on this machine can use it.
        let key = simulator_key();
        let simulator =
            crate::sim::Simulator::start(crate::sim::SimConfig::default().api_key(&key))
                .await
                .map_err(|error| {
                    Failure::runtime(format!("could not start the embedded simulator: {error}"))
                })?;
        let url = simulator.url();
        crate::cli::stderr::notice(&if asked {
            format!("--sim: using the embedded Agamemnon simulator at {url}")
        } else {
            format!(
                "no AGAMEMNON_URL set: using the embedded Agamemnon simulator at {url} \
                 (set AGAMEMNON_URL or pass --url for a real server)"
            )
        });
        let config = Config::new(&url).map_err(config_failure)?.api_key(key);
        let client = Client::new(config).map_err(config_failure)?;
        Ok(Server {
            client,
            simulator: Some(simulator),
        })
    }

    #[cfg(not(feature = "sim"))]
    async fn simulated(_asked: bool) -> Result<Server, Failure> {
        Err(Failure::usage(
            "no server given: set AGAMEMNON_URL or pass --url (this build has no embedded \
             simulator; enable telemachy's `sim` feature for one)",
        ))
    }
}

/// A key nobody can guess from outside this process: 128 bits from std's randomly seeded
/// hasher.
#[cfg(feature = "sim")]
fn simulator_key() -> String {
    use std::hash::{BuildHasher, RandomState};
    let state = RandomState::new();
    let high = state.hash_one(std::process::id());
    let low = state.hash_one(std::time::SystemTime::now());
    format!("{high:016x}{low:016x}")
}

fn config_failure(error: crate::client::ConfigError) -> Failure {
    Failure::usage(chain(&error))
}

/// Checks that the server is there and takes the key: `GET /v1/health` (open), then
/// `GET /v1/version` (which needs the key). Each is retried as the client's settings say.
/// Whatever fails becomes one line that says what to change.
async fn preflight(client: &Client) -> Result<(), Failure> {
    let url = client.base_url();
    if let Err(error) = client.health().await {
        return Err(preflight_failure(
            url,
            "is not a reachable Agamemnon server",
            &error,
        ));
    }
    match client.version().await {
        Ok(version) => {
            tracing::debug!(server = %version.name, version = %version.version, "preflight passed");
            Ok(())
        }
        Err(error @ client::Error::Unauthorized { .. }) => {
            Err(preflight_failure(url, "refused the API key", &error))
        }
        Err(error) => Err(preflight_failure(
            url,
            "answered its health check but not an authenticated request",
            &error,
        )),
    }
}

/// The one line of a failed preflight: the server, what is wrong, and the error's chain,
/// with a hint about `AGAMEMNON_CA_FILE` when a certificate was not trusted.
fn preflight_failure(url: &str, problem: &str, error: &client::Error) -> Failure {
    let mut line = format!("`{url}` {problem}: {}", chain(error));
    if line.contains("certificate") {
        line.push_str(
            "; if the server's certificate is self-signed or from a CA of your own, set \
             `AGAMEMNON_CA_FILE` to that certificate's PEM file",
        );
    }
    Failure::usage(line)
}

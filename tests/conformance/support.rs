//! A simulator started the way the real server runs (with a key), and a client configured
//! for it with short timeouts and backoffs.

use std::time::Duration;

use telemachy::sim::{SimConfig, Simulator};
use telemachy::{Client, Config};

/// The key the simulator requires and test clients send.
pub(crate) const KEY: &str = "conformance-key-7c3a";

/// A simulator with `config` plus the key; the real server never runs without one.
pub(crate) async fn simulator(config: SimConfig) -> Simulator {
    Simulator::start(config.api_key(KEY))
        .await
        .expect("the simulator starts on loopback")
}

/// A test configuration for `sim`: the key, a 2 s timeout, three retries, short backoffs.
pub(crate) fn config(sim: &Simulator) -> Config {
    Config::new(&sim.url())
        .expect("the simulator's URL is valid")
        .api_key(KEY)
        .timeout(Duration::from_secs(2))
        .max_retries(3)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
}

/// A client for `sim` with [`config`].
pub(crate) fn client(sim: &Simulator) -> Client {
    Client::new(config(sim)).expect("the test configuration is valid")
}

//! Reliability: a workflow survives a faulty server, a killed process and bad input without
//! duplicating or losing anything, and never shows its secrets.
//!
//! - `soak`: `fleet_security` through injected 500s, 429s, dropped answers and latency,
//!   many times (`TELEMACHY_SOAK_RUNS`, default 50; `TELEMACHY_SOAK_SEED` replays one run).
//! - `crash`: the `fleet_security` binary killed with SIGKILL at 34 points of a run
//!   (`TELEMACHY_CRASH_POINTS`), then resumed and torn down.
//! - `replace`: the binary killed at every request of a run that replaces two agents whose
//!   settings changed; no team is ever left without its members.
//! - `bad_input`: answers spoiled by a proxy in front of the simulator.
//! - `adoption`: a create with a lost answer adopts only what it made (`--force`, an older
//!   duplicate).
//! - `user_input`: wrong URLs, unreachable and silent servers, a rejected key, `REQUIRE_TLS`.
//! - `secrets`: the key at `trace` level, task text at `info`.
//! - `lease`: concurrent runs agree on one winner; `--no-wait`; a killed run's lease;
//!   `status` and `check` show it.
//! - `no_silent_simulator`: which server a run used; `CI` without a server refuses.
//! - `signals`: SIGTERM, SIGHUP and SIGINT stop a run with teardown and summary; a second
//!   signal quits; a stalled create never holds up a stop.
//! - `vanished`: agents and teams deleted mid-run fail their tasks within a few polls.
//! - `tls`: https with a self-signed certificate, trusted only when named.
//!
//! The tests that run a workflow binary need the examples built (`cargo test` builds them;
//! `cargo test --test reliability` alone does not: `cargo build --examples` first). The
//! workflow is the `fleet_security` example's own, included from the file it shares with
//! the example binary, so both have the same keys.

include!("../examples/support/fleet_security.rs");

#[path = "shared/examples.rs"]
mod examples;

#[path = "reliability/support.rs"]
mod support;

#[path = "reliability/soak.rs"]
mod soak;

#[path = "reliability/crash.rs"]
mod crash;

#[path = "reliability/replace.rs"]
mod replace;

#[path = "reliability/proxy.rs"]
mod proxy;

#[path = "reliability/bad_input.rs"]
mod bad_input;

#[path = "reliability/adoption.rs"]
mod adoption;

#[path = "reliability/user_input.rs"]
mod user_input;

#[path = "reliability/secrets.rs"]
mod secrets;

#[path = "reliability/lease.rs"]
mod lease;

#[path = "reliability/no_silent_simulator.rs"]
mod no_silent_simulator;

#[path = "reliability/signals.rs"]
mod signals;

#[path = "reliability/vanished.rs"]
mod vanished;

#[path = "reliability/tls.rs"]
mod tls;

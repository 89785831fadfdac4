//! The client against the simulator: every call the executor makes, answered by a real
//! HTTP server that keeps state, instead of by canned mock answers.
//!
//! The mock-server tests (`tests/client/`) pin what goes on the wire and how each canned
//! answer is read; these pin that the simulator and the client agree on the contract when
//! they talk to each other: what is created is read back, pages add up, errors arrive
//! typed, retries, pacing and duplicate-safe creates work against a server that really
//! applies (and, under injected faults, really loses) requests. The scenarios differ in
//! kind (a mock scenario is a script of answers, here the server decides), so the two
//! binaries share the requests they send (`tests/shared/requests.rs`), not the scenarios.
//!
//! Every test starts its own simulator on 127.0.0.1 and a client for it.

#[path = "shared/requests.rs"]
mod requests;
#[path = "conformance/support.rs"]
mod support;

#[path = "conformance/agents.rs"]
mod agents;
#[path = "conformance/duplicates.rs"]
mod duplicates;
#[path = "conformance/pagination.rs"]
mod pagination;
#[path = "conformance/resilience.rs"]
mod resilience;
#[path = "conformance/tasks.rs"]
mod tasks;
#[path = "conformance/teams.rs"]
mod teams;

//! The Agamemnon client against mock servers: the contract of every call, pagination,
//! retries, duplicate-safe creates, bad answers, pacing and configuration.
//!
//! Every test has its own `MockServer` whose catch-all fails the test on any request that no
//! mock expects.

#[path = "shared/requests.rs"]
mod requests;
#[path = "client/support.rs"]
mod support;

#[path = "client/bad_input.rs"]
mod bad_input;
#[path = "client/config.rs"]
mod config;
#[path = "client/contract.rs"]
mod contract;
#[path = "client/duplicates.rs"]
mod duplicates;
#[path = "client/logs.rs"]
mod logs;
#[path = "client/pacing.rs"]
mod pacing;
#[path = "client/pagination.rs"]
mod pagination;
#[path = "client/redirects.rs"]
mod redirects;
#[path = "client/retries.rs"]
mod retries;
#[path = "client/tls.rs"]
mod tls;

//! Telemachy: declarative multi-agent workflows for the Agamemnon orchestration server.
//!
//! Describe which agents exist, how they form teams and which tasks they do in which order
//! with the [`workflow!`] macro; it checks the whole workflow while it compiles.

pub mod api;
pub mod cli;
pub mod client;
pub mod executor;
pub mod key;
#[cfg(feature = "sim")]
pub mod sim;
pub mod spec;

pub use client::{Client, Config};
pub use telemachy_macros::workflow;

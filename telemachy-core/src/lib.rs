//! The workflow model of Telemachy, shared by the runtime (`telemachy`) and the `workflow!`
//! macro (`telemachy-macros`): the specification types ([`spec`]) and the idempotency keys
//! ([`key`]); with the `serde` feature, the file form of the model (`form`).
//!
//! Depend on `telemachy`, which re-exports everything here; this crate exists so that the
//! macro, which runs inside the compiler, and the runtime share one model and one key
//! function by construction.

#[cfg(feature = "serde")]
pub mod form;
pub mod key;
pub mod spec;

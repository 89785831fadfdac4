//! The workflow model of Telemachy, shared by the runtime (`telemachy`) and the `workflow!`
//! macro (`telemachy-macros`): the specification types ([`spec`]), the idempotency keys
//! ([`key`]), the rules every workflow must meet ([`rules`]) and the "did you mean" hints
//! they give ([`suggest`]); with the `serde` feature, the file form of the model (`form`).
//!
//! Depend on `telemachy`, which re-exports everything here; this crate exists so that the
//! macro, which runs inside the compiler, and the runtime share one model, one key function
//! and one set of rules by construction.

#[cfg(feature = "serde")]
pub mod form;
pub mod key;
pub mod rules;
pub mod spec;
pub mod suggest;
#[doc(hidden)]
pub mod tables;

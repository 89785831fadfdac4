//! Telemachy: declarative multi-agent workflows for the Agamemnon orchestration server.
//!
//! Describe which agents exist, how they form teams and which tasks they do in which order
//! with the [`workflow!`] macro; it checks the whole workflow while it compiles.
//!
//! ```
//! telemachy::workflow! {
//!     /// Review a change, then summarise the review.
//!     pub workflow review {
//!         name: "pr-review",
//!
//!         agent reviewer { model: "claude-opus-4-5" }
//!         agent scribe { name: "pr-scribe", runtime: docker, image: "alpine:3" }
//!
//!         team crew {
//!             members: [reviewer, scribe],
//!
//!             task read { subject: "Read the diff", assignee: reviewer }
//!             task summarise {
//!                 subject: "Summarise the review",
//!                 assignee: scribe,
//!                 after: [read],
//!             }
//!         }
//!     }
//! }
//!
//! fn main() {
//!     use telemachy::key::make_key;
//!     use telemachy::spec::TaskRef;
//!
//!     // Key constants, computed while the workflow compiled.
//!     assert_eq!(review::NAME, "pr-review");
//!     assert_eq!(review::agents::REVIEWER, make_key("pr-review", "reviewer"));
//!     assert_eq!(review::agents::SCRIBE, make_key("pr-review", "pr-scribe"));
//!     assert_eq!(review::teams::CREW, make_key("pr-review", "crew"));
//!
//!     // The whole specification, as data.
//!     let spec = review::spec();
//!     assert_eq!(spec.description, "Review a change, then summarise the review.");
//!     let summarise = spec
//!         .task(&TaskRef::new("crew", "summarise"))
//!         .expect("declared above");
//!     assert_eq!(summarise.after, [TaskRef::new("crew", "read")]);
//!     assert_eq!(summarise.kind, "general");
//! }
//! ```
//!
//! The language (every field, its default, and what is checked) is described in the
//! README's "Writing a workflow" section.

//! # Cargo features
//!
//! - `cli` (default): the command line every workflow binary shares ([`cli`], and the
//!   `main()` that `workflow!` generates), with clap, indicatif and tracing-subscriber.
//! - `sim` (default): the in-memory Agamemnon simulator, `telemachy::sim`; with `cli`, also
//!   the embedded simulator a workflow binary uses when no server is given.
//!
//! `default-features = false` builds a lean library: the workflow model, the client and the
//! executor, with a workflow's `spec()`, `run()` and key constants but no `main()`.

pub mod api;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod convert;
pub mod executor;
pub mod load;
mod python_env;
#[cfg(feature = "sim")]
pub mod sim;
mod timestamp;
mod workflow_main;

pub use client::{Client, Config};
pub use telemachy_core::{key, rules, spec};
pub use telemachy_macros::workflow;

/// What the expansion of [`workflow!`] uses and nothing else should: not part of the public
/// interface, and free to change in any release.
#[doc(hidden)]
pub mod __private {
    pub use telemachy_core::tables::Tables;
}

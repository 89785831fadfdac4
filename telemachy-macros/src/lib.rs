//! The `workflow!` procedural macro of Telemachy. Use it through the `telemachy` crate,
//! which re-exports it and documents the language.
//!
//! The macro works in stages, one module each: `ast` parses the tokens leniently (keeping
//! every span), `model` reads them into typed data (`value` reads each field's value),
//! `validate` checks the workflow as a whole, and `expand` generates the code (the key
//! constants, checked for identifiers that would become the same constant, and `spec()`
//! as static tables that `telemachy_core::tables` encodes and decodes). To check,
//! `lower` turns the workflow into the core's model with a table of where each element
//! was written (`spans`), and the core's rules (`telemachy_core::rules`, shared with
//! workflows built in code or loaded from files) run on it; `source_rules` adds the few
//! checks only the source supports. Errors from every stage gather in one `ctxt::Ctxt`, so
//! a single expansion reports all of them; `telemachy_core::suggest` finds the "did you
//! mean", and `kw` holds every word of the language once.

mod ast;
mod ctxt;
mod expand;
mod kw;
mod lower;
mod model;
mod source_rules;
mod spans;
mod validate;
mod value;

use proc_macro::TokenStream;

/// Declares a workflow, checks all of it while it compiles, and expands to a module of key
/// constants and the workflow's specification.
///
/// ```text
/// telemachy::workflow! {
///     /// Description (the doc comment).
///     pub workflow ident {
///         name: "server-name",              // required
///         teardown: on_completion,          // | on_failure | never
///         timeout: 7200,                    // seconds; optional
///
///         agent ident {                     // every field optional
///             name: "...", program: "claude-code", model: "...", working_dir: "/tmp",
///             runtime: docker, image: "...", cpus: 2, memory: "4g",
///         }
///         team ident {
///             name: "...",
///             members: [agent, ...],        // required, not empty
///             task ident {
///                 subject: "...",           // required, unique in the team
///                 assignee: agent,          // required, a member
///                 description: "...",
///                 after: [task, team.task],
///                 type: "general",
///             }
///         }
///     }
/// }
/// ```
///
/// It expands to `pub mod ident` holding `NAME`, `agents::IDENT`, `teams::IDENT` (each
/// agent's and team's idempotency key) and `fn spec() -> ::telemachy::spec::Workflow`.
/// Every mistake is a compile error at the offending token, all of them in one go. The
/// `telemachy` crate's documentation and README describe each field, its default and what
/// is checked.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    expand::workflow(input.into()).into()
}

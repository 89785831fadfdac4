//! The `workflow!` procedural macro of Telemachy. Use it through the `telemachy` crate,
//! which re-exports it and documents the language.
//!
//! The macro reads its input in three stages, one module each: `ast` parses the tokens
//! leniently (keeping every span), `model` reads them into typed data, `validate` checks the
//! workflow as a whole, and `expand` generates the code. Errors from every stage gather in
//! one `ctxt::Ctxt`, so a single expansion reports all of them.

mod ast;
mod ctxt;
mod expand;
// The idempotency keys, shared verbatim with the runtime crate so that the key constants
// the macro computes equal `telemachy::key::make_key` by construction.
#[allow(dead_code, unreachable_pub)]
#[path = "../../telemachy/src/key.rs"]
mod key;
mod kw;
mod model;
mod suggest;
mod validate;

use proc_macro::TokenStream;

/// Declares a workflow; see the `telemachy` crate's documentation.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    expand::workflow(input.into()).into()
}

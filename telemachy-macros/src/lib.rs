//! The `workflow!` procedural macro of Telemachy. Use it through the `telemachy` crate,
//! which re-exports it.

use proc_macro::TokenStream;

/// Declares a workflow; see the `telemachy` crate's documentation.
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

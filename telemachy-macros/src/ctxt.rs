//! The error accumulator: every stage reports into one `Ctxt`, so that a single expansion
//! shows every mistake in the workflow, not just the first.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects errors while the workflow is read and checked. It must be finished with
/// [`Ctxt::check`]; dropping it unchecked is a bug in this crate (not in the user's input)
/// and panics, as serde_derive's context does.
pub(crate) struct Ctxt {
    /// `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// A context with no errors yet.
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error at `span`.
    pub(crate) fn error_at(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error spanning `tokens`.
    pub(crate) fn error_spanned_by(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error built elsewhere (for example by the parser).
    pub(crate) fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// Consumes the context: `Ok` if nothing was recorded, else every error folded into
    /// one with [`syn::Error::combine`], in source order (errors at the same place, or
    /// where the compiler does not tell positions, in the order they were recorded).
    pub(crate) fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.borrow_mut().take().unwrap_or_default();
        errors.sort_by_cached_key(|error| {
            let start = error.span().start();
            (start.line, start.column)
        });
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("telemachy-macros: a `Ctxt` was dropped without `check()` (a bug in the macro)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_errors_checks_ok() {
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    fn every_error_is_kept_in_order() {
        let ctxt = Ctxt::new();
        ctxt.error_at(Span::call_site(), "first");
        ctxt.error_at(Span::call_site(), "second");
        let error = ctxt.check().expect_err("two errors were recorded");
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn errors_come_out_in_source_order() {
        let tokens: proc_macro2::TokenStream =
            "first\nsecond third".parse().expect("the source lexes");
        let spans: Vec<Span> = tokens.into_iter().map(|token| token.span()).collect();
        let ctxt = Ctxt::new();
        ctxt.error_at(spans[2], "third");
        ctxt.error_at(spans[0], "first");
        ctxt.error_at(spans[1], "second");
        ctxt.error_at(spans[0], "first, again");
        let error = ctxt.check().expect_err("errors were recorded");
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "first, again", "second", "third"]);
    }

    #[test]
    #[should_panic(expected = "without `check()`")]
    fn forgetting_to_check_is_caught() {
        let ctxt = Ctxt::new();
        ctxt.error_at(Span::call_site(), "lost");
    }
}

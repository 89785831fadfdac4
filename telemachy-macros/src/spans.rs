//! Where each element of the lowered workflow was written: a table from a path into the
//! model (`teams[0].tasks[2].assignee`) to the tokens it came from, so that a problem the
//! core's rules find in the model is reported at the user's token.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use telemachy_core::rules::Path;

use crate::ctxt::Ctxt;

/// What an error about one element points at.
pub(crate) enum Anchor {
    /// One token.
    At(Span),
    /// Several tokens, e.g. `team.task` in `after`.
    Tokens(TokenStream),
}

/// The path -> tokens table of one workflow.
#[derive(Default)]
pub(crate) struct Spans {
    anchors: HashMap<Path, Anchor>,
    /// Elements the source leaves out or could not be read (already reported): the model
    /// holds a stand-in value there, and problems about it or inside it are not the user's.
    unread: HashSet<Path>,
}

impl Spans {
    /// Records that the element at `path` was written at `span`.
    pub(crate) fn at(&mut self, path: Path, span: Span) {
        self.anchors.insert(path, Anchor::At(span));
    }

    /// Records that the element at `path` was written as `tokens`.
    pub(crate) fn tokens(&mut self, path: Path, tokens: TokenStream) {
        self.anchors.insert(path, Anchor::Tokens(tokens));
    }

    /// Records that the element at `path` holds a stand-in for what could not be read.
    pub(crate) fn unread(&mut self, path: Path) {
        self.unread.insert(path);
    }

    /// Whether `path`, or an element it lies in, holds a stand-in.
    pub(crate) fn is_unread(&self, path: &Path) -> bool {
        let mut current = Some(path.clone());
        while let Some(path) = current {
            if self.unread.contains(&path) {
                return true;
            }
            current = path.parent();
        }
        false
    }

    /// Reports `message` at the tokens of `path`, or of the nearest element it lies in.
    pub(crate) fn error(&self, ctxt: &Ctxt, path: &Path, message: impl std::fmt::Display) {
        let mut current = Some(path.clone());
        while let Some(path) = current {
            match self.anchors.get(&path) {
                Some(Anchor::At(span)) => return ctxt.error_at(*span, message),
                Some(Anchor::Tokens(tokens)) => return ctxt.error_spanned_by(tokens, message),
                None => current = path.parent(),
            }
        }
        ctxt.error_at(Span::call_site(), message);
    }
}

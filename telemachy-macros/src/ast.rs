//! The syntax of `workflow!`, parsed leniently: every node keeps the user's tokens (and so
//! their spans), and a syntax error inside a block is recorded and skipped over rather than
//! ending the parse, so that one expansion reports every mistake it can find.
//!
//! ```text
//! input  = attr* vis "workflow" ident body
//! body   = "{" entry* "}"
//! entry  = field | item | ","
//! field  = ident ":" value ("," | before an item | at the end)
//! item   = attr* keyword ident body          keyword: agent | team | task (or a misspelling)
//! value  = string | integer | decimal | ident | ident "." ident | "[" scalar,* "]" | other
//! ```
//!
//! A value is every token up to the next comma, item or the end of the block, so an
//! expression where a string belongs is one value of the wrong kind (one error), not a
//! syntax error.
//!
//! What the fields mean, and which items may stand where, is for `model` to decide.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::buffer::Cursor;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Lit, LitFloat, LitInt, LitStr, Token, Visibility, braced, token};

use crate::kw;

/// How deep items may nest before the parser stops looking inside them: the workflow's body
/// holds teams, whose bodies hold tasks, whose bodies hold fields. One level more is parsed
/// so that a misplaced item gets a precise error; anything deeper is skipped unread.
const MAX_DEPTH: usize = 3;

/// The whole macro input: `/// docs  pub workflow name { ... }`.
pub(crate) struct Input {
    /// Outer attributes: the doc comment that describes the workflow.
    pub(crate) attrs: Vec<Attribute>,
    /// The visibility of the generated module.
    pub(crate) vis: Visibility,
    /// The workflow's identifier: the generated module's name.
    pub(crate) ident: Ident,
    /// Fields and items.
    pub(crate) body: Body,
}

/// A block in braces: its entries in source order, and whether any could not be read.
pub(crate) struct Body {
    /// Fields, items and recovered syntax errors, in the order they appear (so that errors
    /// are reported in source order).
    pub(crate) entries: Vec<Entry>,
    /// Whether part of the block could not be read; checks for missing fields then stay
    /// quiet rather than blame the user for a field that may be in the unreadable part.
    pub(crate) broken: bool,
}

/// One entry of a block.
pub(crate) enum Entry {
    /// `key: value`.
    Field(Field),
    /// `keyword ident { ... }`.
    Item(Item),
    /// Something unreadable, skipped up to the next comma or block.
    Error(syn::Error),
}

/// `key: value`.
pub(crate) struct Field {
    /// The field's name (a keyword such as `type` is allowed).
    pub(crate) key: Ident,
    /// The value, classified by its shape only.
    pub(crate) value: Value,
}

/// `keyword ident { ... }` with its attributes.
pub(crate) struct Item {
    /// Doc comments (and any other attributes, which `model` rejects).
    pub(crate) attrs: Vec<Attribute>,
    /// `agent`, `team`, `task`, or a word that `model` reports as unknown.
    pub(crate) keyword: Ident,
    /// The item's identifier.
    pub(crate) ident: Ident,
    /// Its fields and nested items.
    pub(crate) body: Body,
}

/// A field's value, by shape. Which shape a field wants is for `model` to check.
pub(crate) enum Value {
    /// `"text"`.
    Str(LitStr),
    /// `42` (possibly with a suffix, which the field may reject).
    Int(LitInt),
    /// `1.5`.
    Float(LitFloat),
    /// `word`.
    Ident(Ident),
    /// `team.task`.
    Path(Ident, Token![.], Ident),
    /// `[a, b.c, ...]`.
    List(List),
    /// Anything else (an expression, a call, a negative number, ...), kept for its span.
    Other(TokenStream),
    /// Nothing at all where a value belongs; already reported, at this span.
    Missing(Span),
}

/// `[value, ...]`.
pub(crate) struct List {
    /// The brackets.
    pub(crate) span: Span,
    /// The elements; an empty element (`[a,,b]`) is `Value::Missing`.
    pub(crate) elems: Vec<Value>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut early = Vec::new();
        let mut attrs = Vec::new();
        loop {
            if let Some(error) = inner_attributes(input)? {
                early.push(Entry::Error(error));
            } else if input.peek(Token![#]) {
                let before = attrs.len();
                attrs.extend(input.call(Attribute::parse_outer)?);
                if attrs.len() == before {
                    break;
                }
            } else {
                break;
            }
        }
        let vis: Visibility = input.parse()?;
        if !input.peek(kw::workflow) {
            return Err(input.error(
                "expected `workflow <name> { ... }`, e.g. `pub workflow codebase_audit { name: \"codebase-audit\", ... }`",
            ));
        }
        input.parse::<kw::workflow>()?;
        let ident: Ident = input.parse()?;
        if !input.peek(token::Brace) {
            return Err(input.error("expected `{` to open the workflow's body"));
        }
        let content;
        braced!(content in input);
        let mut body = Body::parse_block(&content, 0);
        early.append(&mut body.entries);
        body.entries = early;
        if !input.is_empty() {
            body.entries.push(Entry::Error(input.error(
                "unexpected tokens after the workflow: one `workflow!` declares one workflow; \
                 invoke the macro again for another",
            )));
            skip_rest(input);
        }
        Ok(Input {
            attrs,
            vis,
            ident,
            body,
        })
    }
}

impl Body {
    /// Parses the inside of a block; never fails: what it cannot read it records in
    /// `errors` and skips.
    fn parse_block(content: ParseStream, depth: usize) -> Body {
        let mut body = Body {
            entries: Vec::new(),
            broken: false,
        };
        if depth > MAX_DEPTH {
            body.broken = true;
            skip_rest(content);
            return body;
        }
        while !content.is_empty() {
            if content.peek(Token![,]) {
                let _ = content.parse::<Token![,]>();
                continue;
            }
            if let Ok(semi) = content.parse::<Token![;]>() {
                let message = match body.entries.last() {
                    Some(Entry::Item(_)) => "unexpected `;`: items need nothing after their `}`",
                    _ => "expected `,`, found `;`: fields are separated by commas",
                };
                body.entries
                    .push(Entry::Error(syn::Error::new(semi.span, message)));
                continue;
            }
            match inner_attributes(content) {
                Ok(Some(error)) => {
                    body.entries.push(Entry::Error(error));
                    continue;
                }
                Ok(None) => {}
                Err(error) => {
                    body.entries.push(Entry::Error(error));
                    body.broken = true;
                    skip_entry(content);
                    continue;
                }
            }
            if let Err(error) = body.parse_entry(content, depth) {
                body.entries.push(Entry::Error(error));
                body.broken = true;
                skip_entry(content);
            }
        }
        body
    }

    fn parse_entry(&mut self, content: ParseStream, depth: usize) -> syn::Result<()> {
        let attrs = Attribute::parse_outer(content)?;
        if at_item_keyword(content.cursor()) || at_misspelt_item(content.cursor()) {
            let item = parse_item(content, attrs, depth)?;
            self.entries.push(Entry::Item(item));
            return Ok(());
        }
        if !content.peek(Ident::peek_any) {
            return Err(content.error(
                "expected a field (`name: value`) or an item (`agent`, `team` or `task`, \
                 its name, then `{ ... }`)",
            ));
        }
        if let Some(attr) = attrs.first() {
            self.entries.push(Entry::Error(syn::Error::new_spanned(
                attr,
                "doc comments and attributes belong on items (`agent`, `team`, `task`), \
                 not on fields",
            )));
        }
        self.parse_field(content)
    }

    /// `key: value` and what ends it. A missing `:` before a value, or a missing `,`
    /// before the next field, is reported and the field read as if it were there, so that
    /// neither this field nor the next is blamed for it.
    fn parse_field(&mut self, content: ParseStream) -> syn::Result<()> {
        let key = Ident::parse_any(content)?;
        let colon_span = if content.peek(Token![:]) && !content.peek(Token![::]) {
            content.parse::<Token![:]>()?.span
        } else if starts_value(content.cursor()) {
            let key = key.unraw();
            let error = match content.cursor().token_tree() {
                Some((value, rest)) if ends_value(rest) => match value {
                    TokenTree::Group(_) => {
                        format!("expected `:` after `{key}`: write `{key}: [...]`")
                    }
                    value => format!("expected `:` after `{key}`: write `{key}: {value}`"),
                },
                _ => format!("expected `:` after `{key}`"),
            };
            self.entries.push(Entry::Error(content.error(error)));
            key.span()
        } else {
            return Err(content.error(format!("expected `:` after `{}`", key.unraw())));
        };
        let tokens = value_tokens(content);
        if let (Some(last), Some(next)) = (tokens.last(), next_field(content.cursor())) {
            self.entries.push(Entry::Error(syn::Error::new(
                last.span(),
                format!(
                    "expected `,` between this value and `{}`: fields are separated by commas",
                    next.unraw()
                ),
            )));
        }
        let value = classify(tokens, colon_span);
        if content.peek(Token![,]) {
            content.parse::<Token![,]>()?;
        }
        self.entries.push(Entry::Field(Field { key, value }));
        Ok(())
    }
}

/// Inner attributes (`//!` doc comments, `#![...]`) where only outer ones may stand: read
/// and turned into one error, or `None` if there are none here.
fn inner_attributes(content: ParseStream) -> syn::Result<Option<syn::Error>> {
    if !(content.peek(Token![#]) && content.peek2(Token![!])) {
        return Ok(None);
    }
    let attrs = content.call(Attribute::parse_inner)?;
    let Some(first) = attrs.first() else {
        return Ok(None);
    };
    let doc = first.path().is_ident("doc");
    let message = if doc {
        "an inner doc comment (`//!`) cannot document a workflow's parts: write `///` above \
         the `workflow`, `agent` or `team` it describes (a task takes `description: \"...\"`)"
    } else {
        "inner attributes (`#![...]`) are not supported in a workflow"
    };
    Ok(Some(syn::Error::new_spanned(first, message)))
}

fn parse_item(content: ParseStream, attrs: Vec<Attribute>, depth: usize) -> syn::Result<Item> {
    let keyword = Ident::parse_any(content)?;
    if !content.peek(Ident) {
        return Err(if content.peek(Ident::peek_any) {
            content.error(
                "this name is a Rust keyword: write it as a raw identifier (`r#...`), or \
                 choose another",
            )
        } else {
            content.error(format!(
                "expected a name after `{keyword}`, e.g. `{keyword} worker {{ ... }}`"
            ))
        });
    }
    let ident: Ident = content.parse()?;
    if !content.peek(token::Brace) {
        return Err(content.error(format!(
            "expected `{{` after `{keyword} {ident}`: an item's fields go in braces, \
             e.g. `{keyword} {ident} {{ ... }}`",
        )));
    }
    let inner;
    braced!(inner in content);
    let body = Body::parse_block(&inner, depth + 1);
    Ok(Item {
        attrs,
        keyword,
        ident,
        body,
    })
}

/// Whether the cursor stands at an item keyword (`agent`, `team`, `task`) followed by an
/// identifier: the start of an item, which also ends a field whose trailing comma is missing.
fn at_item(cursor: Cursor) -> bool {
    match cursor.ident() {
        Some((keyword, rest)) => is_item_keyword(&keyword) && rest.ident().is_some(),
        None => false,
    }
}

/// Whether the cursor stands at an item keyword not followed by `:` (which would make it a
/// field): an item, even if what follows is wrong (`agent 42 {}`).
fn at_item_keyword(cursor: Cursor) -> bool {
    match cursor.ident() {
        Some((keyword, rest)) => {
            let colon = matches!(rest.punct(), Some((punct, _)) if punct.as_char() == ':');
            is_item_keyword(&keyword) && !colon
        }
        None => false,
    }
}

/// Whether the cursor stands at two words and a block (`agnet scout { ... }`): an item
/// whose keyword is for `model` to judge. Two words without a block are a field missing its
/// `:` (`runtime docker,`).
fn at_misspelt_item(cursor: Cursor) -> bool {
    let Some((_, rest)) = cursor.ident() else {
        return false;
    };
    let Some((_, rest)) = rest.ident() else {
        return false;
    };
    rest.group(Delimiter::Brace).is_some()
}

/// Whether the cursor stands at something that can only be a value (after a key whose `:`
/// is missing): not a separator, not a block, not the end.
fn starts_value(cursor: Cursor) -> bool {
    match cursor.token_tree() {
        None => false,
        Some((TokenTree::Punct(punct), _)) => !matches!(punct.as_char(), ',' | ';' | ':'),
        Some((TokenTree::Group(group), _)) => group.delimiter() != Delimiter::Brace,
        Some(_) => true,
    }
}

/// Whether the cursor stands where a value ends: a separator or the end of the block.
fn ends_value(cursor: Cursor) -> bool {
    cursor.eof() || is_comma(cursor) || is_semicolon(cursor)
}

/// The key of the field that starts at the cursor (`key:`, not `key::`), if one does.
fn next_field(cursor: Cursor) -> Option<Ident> {
    let (key, rest) = cursor.ident()?;
    let (colon, after) = rest.punct()?;
    let path = colon.spacing() == proc_macro2::Spacing::Joint
        && matches!(after.punct(), Some((next, _)) if next.as_char() == ':');
    (colon.as_char() == ':' && !path).then_some(key)
}

fn is_item_keyword(ident: &Ident) -> bool {
    kw::ITEMS.iter().any(|keyword| ident == keyword)
}

fn is_comma(cursor: Cursor) -> bool {
    matches!(cursor.punct(), Some((punct, _)) if punct.as_char() == ',')
}

fn is_semicolon(cursor: Cursor) -> bool {
    matches!(cursor.punct(), Some((punct, _)) if punct.as_char() == ';')
}

/// The tokens of a value: everything up to the next comma or semicolon at this level, the
/// start of an item, the start of the next field (`key:`, when the comma before it is
/// missing), or the end of the block.
fn value_tokens(content: ParseStream) -> Vec<TokenTree> {
    let step = content.step(|cursor| {
        let mut rest = *cursor;
        let mut tokens = Vec::new();
        while !is_comma(rest)
            && !is_semicolon(rest)
            && !at_item(rest)
            && (tokens.is_empty() || next_field(rest).is_none())
        {
            match rest.token_tree() {
                Some((token, next)) => {
                    tokens.push(token);
                    rest = next;
                }
                None => break,
            }
        }
        Ok((tokens, rest))
    });
    step.unwrap_or_default()
}

/// Sorts a value's tokens into the shapes the language knows. Lists do not nest: brackets
/// inside a list are `Other` (so that no input can make this recurse deeply).
fn classify(tokens: Vec<TokenTree>, missing_span: Span) -> Value {
    let tokens = look_through(tokens);
    match tokens.as_slice() {
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Bracket => Value::List(List {
            span: group.span(),
            elems: split_list(group.stream(), group.span_close()),
        }),
        _ => classify_scalar(tokens, missing_span),
    }
}

/// [`classify`] for anything but a list.
fn classify_scalar(tokens: Vec<TokenTree>, missing_span: Span) -> Value {
    let tokens = look_through(tokens);
    match tokens.as_slice() {
        [] => Value::Missing(missing_span),
        [TokenTree::Literal(literal)] => match Lit::new(literal.clone()) {
            Lit::Str(lit) => Value::Str(lit),
            Lit::Int(lit) => Value::Int(lit),
            Lit::Float(lit) => Value::Float(lit),
            _ => Value::Other(literal.to_token_stream()),
        },
        [TokenTree::Ident(ident)] => Value::Ident(ident.clone()),
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Bracket => Value::List(List {
            span: group.span(),
            elems: split_list(group.stream(), group.span_close()),
        }),
        [
            TokenTree::Ident(team),
            TokenTree::Punct(dot),
            TokenTree::Ident(task),
        ] if dot.as_char() == '.' => Value::Path(team.clone(), Token![.](dot.span()), task.clone()),
        _ => Value::Other(tokens.into_iter().collect()),
    }
}

/// A value that is one invisible group (what a `macro_rules!` fragment such as
/// `$name:literal` or `$name:expr` becomes) stands for the tokens inside it, however many
/// wrappers deep.
fn look_through(mut tokens: Vec<TokenTree>) -> Vec<TokenTree> {
    loop {
        match tokens.as_slice() {
            [TokenTree::Group(group)] if group.delimiter() == Delimiter::None => {
                tokens = group.stream().into_iter().collect();
            }
            _ => return tokens,
        }
    }
}

/// Splits the inside of `[...]` at its top-level commas; a trailing comma is allowed.
fn split_list(stream: TokenStream, close_span: Span) -> Vec<Value> {
    let mut elems = Vec::new();
    let mut current = Vec::new();
    for token in stream {
        match &token {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                elems.push(classify_scalar(std::mem::take(&mut current), punct.span()));
            }
            _ => current.push(token),
        }
    }
    if !current.is_empty() {
        elems.push(classify_scalar(current, close_span));
    }
    elems
}

/// Skips what is left of an unreadable entry: up to and including the next comma at this
/// level, or up to and including the next block in braces, whichever comes first. Always
/// consumes at least one token unless the block is already at its end.
fn skip_entry(content: ParseStream) {
    let _ = content.step(|cursor| {
        let mut rest = *cursor;
        while let Some((token, next)) = rest.token_tree() {
            rest = next;
            match token {
                TokenTree::Punct(punct) if punct.as_char() == ',' => break,
                TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => break,
                _ => {}
            }
        }
        Ok(((), rest))
    });
}

/// Skips everything left in `content`.
fn skip_rest(content: ParseStream) {
    let _ = content.step(|cursor| {
        let mut rest = *cursor;
        while let Some((_, next)) = rest.token_tree() {
            rest = next;
        }
        Ok(((), rest))
    });
}

impl Value {
    /// The value's tokens, for errors that point at it.
    fn span_tokens(&self) -> TokenStream {
        match self {
            Value::Str(lit) => lit.to_token_stream(),
            Value::Int(lit) => lit.to_token_stream(),
            Value::Float(lit) => lit.to_token_stream(),
            Value::Ident(ident) => ident.to_token_stream(),
            Value::Path(team, dot, task) => {
                let mut tokens = team.to_token_stream();
                dot.to_tokens(&mut tokens);
                task.to_tokens(&mut tokens);
                tokens
            }
            Value::List(list) => {
                let mut group = proc_macro2::Group::new(Delimiter::Bracket, TokenStream::new());
                group.set_span(list.span);
                TokenTree::Group(group).into()
            }
            Value::Other(tokens) => tokens.clone(),
            Value::Missing(_) => TokenStream::new(),
        }
    }

    /// An error at this value.
    pub(crate) fn error(&self, message: impl std::fmt::Display) -> syn::Error {
        match self {
            Value::Missing(span) => syn::Error::new(*span, message),
            Value::List(list) => syn::Error::new(list.span, message),
            _ => syn::Error::new_spanned(self.span_tokens(), message),
        }
    }

    /// What the value is, for "expected ..., found ..." messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Str(_) => "a string".to_owned(),
            Value::Int(_) => "an integer".to_owned(),
            Value::Float(_) => "a decimal number".to_owned(),
            Value::Ident(ident) => format!("`{}`", ident.unraw()),
            Value::Path(team, _, task) => format!("`{}.{}`", team.unraw(), task.unraw()),
            Value::List(_) => "a list".to_owned(),
            Value::Other(_) => "an expression".to_owned(),
            Value::Missing(_) => "nothing".to_owned(),
        }
    }
}

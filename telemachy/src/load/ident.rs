//! Rust identifiers for what a Python workflow file names by free text: agents and teams
//! by name, tasks by subject.
//!
//! `scout-alpha` becomes `scout_alpha`, `Analyse repository structure` becomes
//! `analyse_repository_structure`: lower case, every run of other characters one `_`, at
//! most [`MAX_LEN`] characters (cut between words). The loader and `telemachy convert` use
//! the same identifiers, so a converted workflow plans exactly like its file.

use std::collections::HashSet;

/// The longest identifier derived from a name, in characters (longer ones are cut between
/// words).
pub const MAX_LEN: usize = 40;

/// Words Rust reserves that a raw identifier (`r#type`) cannot stand for either.
const NOT_RAW: &[&str] = &["_", "crate", "self", "super", "Self"];

/// Rust's keywords, strict and reserved (2024 edition): an identifier that is one is
/// written raw (`r#type`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The identifier derived from `name`; `fallback` (e.g. `agent`) when `name` has no ASCII
/// letter or digit, or as a prefix when it starts with a digit.
pub fn from_name(name: &str, fallback: &str) -> String {
    let mut ident = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ident.push(c.to_ascii_lowercase());
        } else if !ident.is_empty() && !ident.ends_with('_') {
            ident.push('_');
        }
    }
    while ident.ends_with('_') {
        ident.pop();
    }
    if ident.len() > MAX_LEN {
        let cut = ident[..=MAX_LEN]
            .rfind('_')
            .filter(|at| *at > 0)
            .unwrap_or(MAX_LEN);
        ident.truncate(cut);
    }
    if ident.is_empty() {
        return fallback.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident = format!("{fallback}_{ident}");
    }
    if NOT_RAW.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// How `ident` is written in Rust source: raw (`r#type`) when it is a keyword.
pub fn to_source(ident: &str) -> String {
    if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

/// Whether `id` can stand as an identifier in Rust source (raw where it is a keyword):
/// ASCII letters, digits and `_`, not starting with a digit, and not a word that cannot be
/// raw (`self`, `_`, ...).
pub fn is_rust_ident(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !NOT_RAW.contains(&id)
}

/// Hands out identifiers unique within one scope: the second `lead` is `lead_2`.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// The identifier for `name`, made unique in this scope.
    pub(crate) fn ident(&mut self, name: &str, fallback: &str) -> String {
        let base = from_name(name, fallback);
        let mut ident = base.clone();
        let mut n = 2;
        while !self.taken.insert(ident.clone()) {
            ident = format!("{base}_{n}");
            n += 1;
        }
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_snake_case_identifiers() {
        assert_eq!(from_name("scout-alpha", "agent"), "scout_alpha");
        assert_eq!(
            from_name("Analyse repository structure", "task"),
            "analyse_repository_structure"
        );
        assert_eq!(
            from_name("  Say hello, world!  ", "task"),
            "say_hello_world"
        );
        assert_eq!(from_name("späher 2", "agent"), "sp_her_2");
        assert_eq!(from_name("3d-render", "agent"), "agent_3d_render");
        assert_eq!(from_name("---", "team"), "team");
        assert_eq!(from_name("self", "agent"), "self_");
        assert_eq!(from_name("type", "agent"), "type");
    }

    #[test]
    fn long_names_are_cut_between_words() {
        let ident = from_name(
            "Audit notification-service for security vulnerabilities",
            "task",
        );
        assert_eq!(ident, "audit_notification_service_for_security");
        assert!(ident.len() <= MAX_LEN);
        let ident = from_name(&"x".repeat(60), "task");
        assert_eq!(ident.len(), MAX_LEN);
    }

    #[test]
    fn recognises_rust_identifiers() {
        assert!(is_rust_ident("scout_alpha"));
        assert!(is_rust_ident("type"));
        assert!(!is_rust_ident("scout-alpha"));
        assert!(!is_rust_ident("self"));
        assert!(!is_rust_ident("Self"));
        assert!(!is_rust_ident("_"));
        assert!(!is_rust_ident("2x"));
    }

    #[test]
    fn keywords_are_written_raw() {
        assert_eq!(to_source("type"), "r#type");
        assert_eq!(to_source("scout"), "scout");
    }

    #[test]
    fn a_scope_keeps_identifiers_apart() {
        let mut scope = Scope::default();
        assert_eq!(scope.ident("Lead", "agent"), "lead");
        assert_eq!(scope.ident("lead", "agent"), "lead_2");
        assert_eq!(scope.ident("LEAD", "agent"), "lead_3");
    }
}

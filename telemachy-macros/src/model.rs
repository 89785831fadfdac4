//! The workflow as typed data: what each field means, which items may stand where, and
//! what value each field takes. Reading a block reports unknown and repeated fields, values
//! of the wrong kind and missing required fields; checks that need the whole workflow
//! (references, duplicates, cycles, runtime rules) are `validate`'s.
//!
//! Every value keeps the span of the token it came from. A field that could not be read is
//! left out (its default applies), so one mistake does not cause others downstream.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Visibility};

use crate::ast::{self, Body, Entry, Field, Item, Value};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::suggest;

/// A value with the span it was written at.
pub(crate) struct Spanned<T> {
    /// The value.
    pub(crate) value: T,
    /// Where the user wrote it.
    pub(crate) span: Span,
}

/// A workflow, read.
pub(crate) struct Workflow {
    /// The generated module's visibility.
    pub(crate) vis: Visibility,
    /// The generated module's name.
    pub(crate) ident: Ident,
    /// The doc comment, as attributes (forwarded to the generated module).
    pub(crate) docs: Vec<Attribute>,
    /// The doc comment as text: the specification's description.
    pub(crate) description: String,
    /// `name:`; required, so `None` only when it is missing (and reported).
    pub(crate) name: Option<Spanned<String>>,
    /// `teardown:`.
    pub(crate) teardown: Option<Spanned<Teardown>>,
    /// `timeout:`.
    pub(crate) timeout: Option<Spanned<Timeout>>,
    /// The agents, in declaration order.
    pub(crate) agents: Vec<Agent>,
    /// The teams, in declaration order.
    pub(crate) teams: Vec<Team>,
}

/// A teardown policy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Teardown {
    /// `on_completion`.
    OnCompletion,
    /// `on_failure`.
    OnFailure,
    /// `never`.
    Never,
}

/// A timeout, as a whole number of seconds and nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Timeout {
    /// Whole seconds.
    pub(crate) secs: u64,
    /// The fraction of a second, in nanoseconds.
    pub(crate) nanos: u32,
}

/// Where an agent runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Runtime {
    /// `local`.
    Local,
    /// `docker`.
    Docker,
}

/// An agent, read.
pub(crate) struct Agent {
    /// Its identifier.
    pub(crate) ident: Ident,
    /// Its identifier as text, without `r#`.
    pub(crate) id: String,
    /// Its doc comment.
    pub(crate) docs: Vec<Attribute>,
    /// An explicit `name:`.
    pub(crate) name: Option<Spanned<String>>,
    /// `program:`.
    pub(crate) program: Option<Spanned<String>>,
    /// `model:`.
    pub(crate) model: Option<Spanned<String>>,
    /// `working_dir:`.
    pub(crate) working_dir: Option<Spanned<String>>,
    /// `runtime:`.
    pub(crate) runtime: Option<Spanned<Runtime>>,
    /// `image:`.
    pub(crate) image: Option<Spanned<String>>,
    /// `cpus:`.
    pub(crate) cpus: Option<Spanned<u64>>,
    /// `memory:`.
    pub(crate) memory: Option<Spanned<String>>,
    /// Every known field written, readable or not, with its key (for rules that depend
    /// on whether a field is there at all, such as `image` on a local agent).
    pub(crate) given: Vec<(&'static str, Ident)>,
    /// The known fields written or evidently meant by a misspelt key (`docker_image`), for
    /// rules that should not also blame a missing field.
    pub(crate) meant: Vec<&'static str>,
}

/// A team, read.
pub(crate) struct Team {
    /// Its identifier.
    pub(crate) ident: Ident,
    /// Its identifier as text, without `r#`.
    pub(crate) id: String,
    /// Its doc comment.
    pub(crate) docs: Vec<Attribute>,
    /// An explicit `name:`.
    pub(crate) name: Option<Spanned<String>>,
    /// `members:`, with the span of the brackets; `None` when missing or unreadable.
    pub(crate) members: Option<Spanned<Vec<Ident>>>,
    /// The team's tasks, in declaration order.
    pub(crate) tasks: Vec<Task>,
}

/// A task, read.
pub(crate) struct Task {
    /// Its identifier.
    pub(crate) ident: Ident,
    /// Its identifier as text, without `r#`.
    pub(crate) id: String,
    /// `subject:`; required.
    pub(crate) subject: Option<Spanned<String>>,
    /// `description:`.
    pub(crate) description: Option<Spanned<String>>,
    /// `assignee:`; required.
    pub(crate) assignee: Option<Ident>,
    /// `after:`.
    pub(crate) after: Vec<Dependency>,
    /// `type:`.
    pub(crate) kind: Option<Spanned<String>>,
}

/// One entry of `after: [...]`.
pub(crate) struct Dependency {
    /// The team, when qualified (`team.task`).
    pub(crate) team: Option<Ident>,
    /// What the entry names.
    pub(crate) target: Target,
    /// All of the entry's tokens, for errors about the entry as a whole.
    pub(crate) tokens: TokenStream,
}

/// What a dependency names.
pub(crate) enum Target {
    /// A task, by identifier.
    Task(Ident),
    /// A subject in quotes, as the Python tool's `blocked_by` wrote it: always an error,
    /// reported by `validate`, which can name the task that has this subject.
    Subject(LitStr),
}

impl Agent {
    /// The server-side name: the explicit `name:`, else the identifier.
    pub(crate) fn server_name(&self) -> &str {
        self.name.as_ref().map_or(&self.id, |name| &name.value)
    }
}

impl Team {
    /// The server-side name: the explicit `name:`, else the identifier.
    pub(crate) fn server_name(&self) -> &str {
        self.name.as_ref().map_or(&self.id, |name| &name.value)
    }

    /// The members listed (none when `members:` is missing).
    pub(crate) fn member_idents(&self) -> &[Ident] {
        self.members.as_ref().map_or(&[], |members| &members.value)
    }
}

impl Teardown {
    fn from_word(word: &str) -> Option<Teardown> {
        match word {
            "on_completion" => Some(Teardown::OnCompletion),
            "on_failure" => Some(Teardown::OnFailure),
            "never" => Some(Teardown::Never),
            _ => None,
        }
    }
}

impl Runtime {
    fn from_word(word: &str) -> Option<Runtime> {
        match word {
            "local" => Some(Runtime::Local),
            "docker" => Some(Runtime::Docker),
            _ => None,
        }
    }
}

/// Reads the parsed input into a workflow, reporting into `ctxt` everything it cannot use.
pub(crate) fn read(ctxt: &Ctxt, input: ast::Input) -> Workflow {
    let ast::Input {
        attrs,
        vis,
        ident,
        body,
    } = input;
    let docs = doc_attrs(ctxt, attrs);
    let description = doc_text(&docs);
    let owner = format!("workflow `{}`", ident.unraw());
    let mut workflow = Workflow {
        vis,
        ident,
        docs,
        description,
        name: None,
        teardown: None,
        timeout: None,
        agents: Vec::new(),
        teams: Vec::new(),
    };
    let fields = FieldReader::new(ctxt, &owner, kw::WORKFLOW_FIELDS, &body);
    fields.require(
        &workflow.ident,
        "name",
        "`name: \"...\"`, its name on the server, from which every key is derived",
    );
    walk(ctxt, body, fields, |entry| match entry {
        Walked::Field("name", field) => workflow.name = string(ctxt, field),
        Walked::Field("teardown", field) => {
            workflow.teardown = choice(ctxt, field, kw::TEARDOWN_POLICIES, "teardown policy")
                .and_then(|word| spanned_map(word, Teardown::from_word));
        }
        Walked::Field("timeout", field) => workflow.timeout = timeout(ctxt, field),
        Walked::Field(..) => {}
        Walked::Item(item) => match item.keyword.to_string().as_str() {
            kw::AGENT => workflow.agents.push(read_agent(ctxt, item)),
            kw::TEAM => workflow.teams.push(read_team(ctxt, item)),
            kw::TASK => ctxt.error_spanned_by(
                &item.keyword,
                "a task belongs to a team: move it into `team <name> { members: [...], task ... }`",
            ),
            other => unknown_item(ctxt, &item, other, &[kw::AGENT, kw::TEAM], &owner),
        },
    });
    workflow
}

fn read_agent(ctxt: &Ctxt, item: Item) -> Agent {
    let Item {
        attrs, ident, body, ..
    } = item;
    let owner = format!("agent `{}`", ident.unraw());
    let fields = FieldReader::new(ctxt, &owner, kw::AGENT_FIELDS, &body);
    let meant = fields.meant();
    let mut agent = Agent {
        id: ident.unraw().to_string(),
        ident,
        docs: doc_attrs(ctxt, attrs),
        name: None,
        program: None,
        model: None,
        working_dir: None,
        runtime: None,
        image: None,
        cpus: None,
        memory: None,
        given: Vec::new(),
        meant,
    };
    walk(ctxt, body, fields, |entry| {
        let (key, field) = match entry {
            Walked::Field(key, field) => (key, field),
            Walked::Item(item) => return no_items(ctxt, &item, &owner, kw::AGENT_FIELDS),
        };
        agent.given.push((key, field.key.clone()));
        match key {
            "name" => agent.name = string(ctxt, field),
            "program" => agent.program = string(ctxt, field),
            "model" => agent.model = string(ctxt, field),
            "working_dir" => agent.working_dir = string(ctxt, field),
            "runtime" => {
                agent.runtime = runtime(ctxt, field);
                if agent.runtime.is_some() && matches!(field.value, Value::Other(_)) {
                    agent.meant.push("image"); // `docker("...")`, reported already
                }
            }
            "image" => agent.image = string(ctxt, field),
            "cpus" => agent.cpus = whole_number(ctxt, field, "cpus: 2"),
            "memory" => agent.memory = string(ctxt, field),
            _ => {}
        }
    });
    agent
}

fn read_team(ctxt: &Ctxt, item: Item) -> Team {
    let Item {
        attrs, ident, body, ..
    } = item;
    let owner = format!("team `{}`", ident.unraw());
    let mut team = Team {
        id: ident.unraw().to_string(),
        ident,
        docs: doc_attrs(ctxt, attrs),
        name: None,
        members: None,
        tasks: Vec::new(),
    };
    let fields = FieldReader::new(ctxt, &owner, kw::TEAM_FIELDS, &body);
    fields.require(&team.ident, "members", "`members: [<agent>, ...]`");
    walk(ctxt, body, fields, |entry| match entry {
        Walked::Field("name", field) => team.name = string(ctxt, field),
        Walked::Field("members", field) => team.members = ident_list(ctxt, field, "agent"),
        Walked::Field(..) => {}
        Walked::Item(item) => match item.keyword.to_string().as_str() {
            kw::TASK => team.tasks.push(read_task(ctxt, item)),
            kw::AGENT => ctxt.error_spanned_by(
                &item.keyword,
                "agents are declared in the workflow, outside teams; a team lists them in \
                 `members: [...]`",
            ),
            kw::TEAM => ctxt.error_spanned_by(&item.keyword, "teams do not nest"),
            other => unknown_item(ctxt, &item, other, &[kw::TASK], &owner),
        },
    });
    team
}

fn read_task(ctxt: &Ctxt, item: Item) -> Task {
    let Item {
        attrs, ident, body, ..
    } = item;
    let owner = format!("task `{}`", ident.unraw());
    if let Some(attr) = attrs.first() {
        ctxt.error_spanned_by(
            attr,
            "a task's doc comment would be lost: write it as `description: \"...\"`",
        );
    }
    let mut task = Task {
        id: ident.unraw().to_string(),
        ident,
        subject: None,
        description: None,
        assignee: None,
        after: Vec::new(),
        kind: None,
    };
    let fields = FieldReader::new(ctxt, &owner, kw::TASK_FIELDS, &body);
    fields.require(&task.ident, "subject", "`subject: \"...\"`");
    fields.require(&task.ident, "assignee", "`assignee: <agent>`");
    walk(ctxt, body, fields, |entry| match entry {
        Walked::Field("subject", field) => task.subject = string(ctxt, field),
        Walked::Field("description", field) => task.description = string(ctxt, field),
        Walked::Field("assignee", field) => {
            task.assignee = single_ident(ctxt, field, "an agent");
        }
        Walked::Field("after", field) => task.after = dependencies(ctxt, field),
        Walked::Field("type", field) => task.kind = string(ctxt, field),
        Walked::Field(..) => {}
        Walked::Item(item) => no_items(ctxt, &item, &owner, kw::TASK_FIELDS),
    });
    task
}

/// What [`walk`] hands on: a known field set for the first time, or an item.
enum Walked<'f> {
    Field(&'static str, &'f Field),
    Item(Item),
}

/// Goes through a block's entries in source order: syntax errors are reported, unknown and
/// repeated fields are reported and skipped, the rest is handed to `visit`.
fn walk(ctxt: &Ctxt, body: Body, mut fields: FieldReader, mut visit: impl FnMut(Walked)) {
    for entry in body.entries {
        match entry {
            Entry::Error(error) => ctxt.push(error),
            Entry::Field(field) => {
                if let Some(key) = fields.accept(&field) {
                    visit(Walked::Field(key, &field));
                }
            }
            Entry::Item(item) => visit(Walked::Item(item)),
        }
    }
}

fn no_items(ctxt: &Ctxt, item: &Item, owner: &str, fields: &[&str]) {
    ctxt.error_spanned_by(
        &item.keyword,
        format!(
            "{owner} holds fields only ({}), not items such as `{} {}`",
            suggest::alternatives(fields),
            item.keyword,
            item.ident
        ),
    );
}

fn unknown_item(ctxt: &Ctxt, item: &Item, word: &str, allowed: &[&str], owner: &str) {
    let hint = match suggest::closest(word, allowed.iter().copied()) {
        Some(found) => format!("did you mean `{found}`?"),
        None => format!("expected {}", suggest::alternatives(allowed)),
    };
    ctxt.error_spanned_by(
        &item.keyword,
        format!("unknown item `{word}` in {owner}: {hint}"),
    );
}

/// Keeps only doc comments; reports any other attribute.
fn doc_attrs(ctxt: &Ctxt, attrs: Vec<Attribute>) -> Vec<Attribute> {
    let mut docs = Vec::new();
    for attr in attrs {
        if doc_line(&attr).is_some() {
            docs.push(attr);
        } else {
            ctxt.error_spanned_by(
                &attr,
                "only doc comments (`/// ...`) may stand here; other attributes are not supported",
            );
        }
    }
    docs
}

/// The text of a `#[doc = "..."]` attribute.
fn doc_line(attr: &Attribute) -> Option<String> {
    match &attr.meta {
        Meta::NameValue(meta) if meta.path.is_ident("doc") => match &meta.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => Some(text.value()),
            _ => None,
        },
        _ => None,
    }
}

/// Doc comment lines as plain text: one leading space dropped per line, lines joined with
/// `\n`, surrounding blank space trimmed.
fn doc_text(docs: &[Attribute]) -> String {
    let lines: Vec<String> = docs
        .iter()
        .filter_map(doc_line)
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    lines.join("\n").trim().to_owned()
}

/// Checks each field of one block: known, and set once.
struct FieldReader<'a> {
    ctxt: &'a Ctxt,
    owner: &'a str,
    known: &'static [&'static str],
    seen: HashSet<&'static str>,
    /// The known fields the block sets or, misspelt, evidently means to set (so that a
    /// misspelt required field is reported once, as misspelt, not also as missing).
    meant: HashSet<&'static str>,
    /// Whether part of the block could not be read.
    broken: bool,
}

impl<'a> FieldReader<'a> {
    fn new(ctxt: &'a Ctxt, owner: &'a str, known: &'static [&'static str], body: &Body) -> Self {
        let mut reader = FieldReader {
            ctxt,
            owner,
            known,
            seen: HashSet::new(),
            meant: HashSet::new(),
            broken: body.broken,
        };
        for entry in &body.entries {
            if let Entry::Field(field) = entry {
                let key = field.key.unraw().to_string();
                let meant = reader.known_name(&key).or_else(|| reader.suggestion(&key));
                reader.meant.extend(meant);
            }
        }
        reader
    }

    /// Reports `key` missing (at `at`, the block's identifier) unless the block sets it,
    /// means to, or could not be read entirely.
    fn require(&self, at: &Ident, key: &str, example: &str) {
        if !self.broken && !self.meant.contains(key) {
            self.ctxt
                .error_spanned_by(at, format!("{} has no `{key}`: add {example}", self.owner));
        }
    }

    /// The fields the block sets or means to set, misspelt ones included.
    fn meant(&self) -> Vec<&'static str> {
        let mut meant: Vec<&'static str> = self.meant.iter().copied().collect();
        meant.sort_unstable();
        meant
    }

    /// The field's name if it is known here and not set before; else reports it.
    fn accept(&mut self, field: &Field) -> Option<&'static str> {
        let key = field.key.unraw().to_string();
        let Some(known) = self.known_name(&key) else {
            let hint = match self.suggestion(&key) {
                Some(found) => format!("did you mean `{found}`?"),
                None => format!("expected {}", suggest::alternatives(self.known)),
            };
            self.ctxt.error_spanned_by(
                &field.key,
                format!("unknown field `{key}` in {}: {hint}", self.owner),
            );
            return None;
        };
        if !self.seen.insert(known) {
            self.ctxt.error_spanned_by(
                &field.key,
                format!("`{key}` is set twice in {}: keep one", self.owner),
            );
            return None;
        }
        Some(known)
    }

    fn known_name(&self, key: &str) -> Option<&'static str> {
        self.known.iter().copied().find(|known| *known == key)
    }

    /// The known field an unknown `key` most likely means: a name the Python tool used for
    /// it, or a close spelling.
    fn suggestion(&self, key: &str) -> Option<&'static str> {
        let alias = kw::ALIASES
            .iter()
            .find(|(alias, instead)| *alias == key && self.known.contains(instead))
            .map(|(_, instead)| *instead);
        alias.or_else(|| suggest::closest(key, self.known.iter().copied()))
    }
}

fn spanned_map<T>(word: Spanned<&'static str>, map: fn(&str) -> Option<T>) -> Option<Spanned<T>> {
    map(word.value).map(|value| Spanned {
        value,
        span: word.span,
    })
}

fn key_of(field: &Field) -> String {
    field.key.unraw().to_string()
}

fn wrong_kind(ctxt: &Ctxt, field: &Field, value: &Value, expected: &str, hint: &str) {
    let key = key_of(field);
    let message = match value {
        Value::Missing(_) => format!("`{key}` has no value: expected {expected}"),
        _ => format!("`{key}` expects {expected}, found {}", value.describe()),
    };
    let message = if hint.is_empty() {
        message
    } else {
        format!("{message}: {hint}")
    };
    ctxt.push(value.error(message));
}

/// A string literal.
fn string(ctxt: &Ctxt, field: &Field) -> Option<Spanned<String>> {
    match &field.value {
        Value::Str(lit) => Some(Spanned {
            value: lit.value(),
            span: lit.span(),
        }),
        other => {
            let hint = match other {
                Value::Ident(_) | Value::Int(_) | Value::Float(_) | Value::Path(..) => {
                    "write it in double quotes"
                }
                _ => "",
            };
            wrong_kind(ctxt, field, other, "a string", hint);
            None
        }
    }
}

/// A whole number without a suffix.
fn whole_number(ctxt: &Ctxt, field: &Field, example: &str) -> Option<Spanned<u64>> {
    let key = key_of(field);
    match &field.value {
        Value::Int(lit) if lit.suffix().is_empty() => match lit.base10_parse::<u64>() {
            Ok(value) => Some(Spanned {
                value,
                span: lit.span(),
            }),
            Err(_) => {
                ctxt.error_spanned_by(lit, format!("`{key}` is too large"));
                None
            }
        },
        Value::Int(lit) => {
            ctxt.error_spanned_by(
                lit,
                format!(
                    "`{key}` expects a plain whole number, found the suffix `{}`: write `{example}`",
                    lit.suffix()
                ),
            );
            None
        }
        Value::Str(lit) if lit.value().parse::<u64>().is_ok() => {
            let hint = format!("write it without quotes, e.g. `{example}`");
            wrong_kind(ctxt, field, &field.value, "a whole number", &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, "a whole number", "");
            None
        }
    }
}

/// `timeout:` in seconds: a positive whole or decimal number.
fn timeout(ctxt: &Ctxt, field: &Field) -> Option<Spanned<Timeout>> {
    const EXPECTED: &str = "a number of seconds";
    let (seconds, span) = match &field.value {
        Value::Int(lit) if lit.suffix().is_empty() => match lit.base10_parse::<u64>() {
            Ok(secs) => (Timeout { secs, nanos: 0 }, lit.span()),
            Err(_) => {
                ctxt.error_spanned_by(lit, "`timeout` is too large");
                return None;
            }
        },
        Value::Float(lit) if lit.suffix().is_empty() => {
            let seconds = lit.base10_parse::<f64>().ok().filter(|s| s.is_finite());
            match seconds.and_then(|s| std::time::Duration::try_from_secs_f64(s).ok()) {
                Some(duration) => (
                    Timeout {
                        secs: duration.as_secs(),
                        nanos: duration.subsec_nanos(),
                    },
                    lit.span(),
                ),
                None => {
                    ctxt.error_spanned_by(lit, "`timeout` is out of range");
                    return None;
                }
            }
        }
        Value::Int(_) | Value::Float(_) => {
            ctxt.push(
                field
                    .value
                    .error("`timeout` takes plain seconds without a suffix, e.g. `timeout: 7200`"),
            );
            return None;
        }
        other => {
            wrong_kind(
                ctxt,
                field,
                other,
                EXPECTED,
                "write seconds, e.g. `timeout: 7200`",
            );
            return None;
        }
    };
    if seconds.secs == 0 && seconds.nanos == 0 {
        ctxt.error_at(
            span,
            "a `timeout` of 0 would stop every run at once: give a number of seconds above 0, \
             or leave `timeout` out to wait as long as it takes",
        );
        return None;
    }
    Some(Spanned {
        value: seconds,
        span,
    })
}

/// One word out of `options` (an identifier, not a string).
fn choice(
    ctxt: &Ctxt,
    field: &Field,
    options: &'static [&'static str],
    what: &str,
) -> Option<Spanned<&'static str>> {
    let expected = format!("one of {}", suggest::alternatives(options));
    match &field.value {
        Value::Ident(ident) => {
            let word = ident.unraw().to_string();
            if let Some(&option) = options.iter().find(|option| **option == word) {
                return Some(Spanned {
                    value: option,
                    span: ident.span(),
                });
            }
            let hint = match suggest::closest(&word, options.iter().copied()) {
                Some(found) => format!("did you mean `{found}`?"),
                None => format!("expected {expected}"),
            };
            ctxt.error_spanned_by(ident, format!("unknown {what} `{word}`: {hint}"));
            None
        }
        Value::Str(lit) if options.contains(&lit.value().as_str()) => {
            let hint = format!("write `{}` without quotes", lit.value());
            wrong_kind(ctxt, field, &field.value, &expected, &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, &expected, "");
            None
        }
    }
}

/// `runtime: local | docker`; the call form `docker("image")` gets a hint, since it reads
/// naturally but would hide the image from the other fields' rules.
fn runtime(ctxt: &Ctxt, field: &Field) -> Option<Spanned<Runtime>> {
    if let Value::Other(tokens) = &field.value {
        let mut tokens = tokens.clone().into_iter();
        if let (Some(TokenTree::Ident(word)), Some(TokenTree::Group(_))) =
            (tokens.next(), tokens.next())
        {
            if word == "docker" {
                ctxt.push(field.value.error(
                    "write the image as a field of its own: `runtime: docker, image: \"...\"`",
                ));
                return Some(Spanned {
                    value: Runtime::Docker,
                    span: word.span(),
                });
            }
        }
    }
    choice(ctxt, field, kw::RUNTIMES, "runtime")
        .and_then(|word| spanned_map(word, Runtime::from_word))
}

/// One identifier naming a `what` (e.g. "an agent").
fn single_ident(ctxt: &Ctxt, field: &Field, what: &str) -> Option<Ident> {
    match &field.value {
        Value::Ident(ident) => Some(ident.clone()),
        Value::Str(lit) => {
            let hint = format!(
                "name it by its identifier, without quotes: `{}`",
                lit.value()
            );
            wrong_kind(ctxt, field, &field.value, what, &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, what, "");
            None
        }
    }
}

/// `[a, b, ...]`: identifiers naming `what`s.
fn ident_list(ctxt: &Ctxt, field: &Field, what: &str) -> Option<Spanned<Vec<Ident>>> {
    let Value::List(list) = &field.value else {
        let hint = match &field.value {
            Value::Ident(ident) => format!("write `[{}]`", ident.unraw()),
            _ => String::new(),
        };
        wrong_kind(
            ctxt,
            field,
            &field.value,
            &format!("a list of {what}s in brackets"),
            &hint,
        );
        return None;
    };
    let mut idents = Vec::with_capacity(list.elems.len());
    for elem in &list.elems {
        match elem {
            Value::Ident(ident) => idents.push(ident.clone()),
            Value::Str(lit) => ctxt.push(elem.error(format!(
                "`{}` lists {what}s by identifier, without quotes: write `{}`",
                key_of(field),
                lit.value()
            ))),
            Value::Missing(_) => ctxt.push(elem.error("empty entry in the list")),
            other => ctxt.push(other.error(format!(
                "`{}` lists {what}s by identifier, found {}",
                key_of(field),
                other.describe()
            ))),
        }
    }
    Some(Spanned {
        value: idents,
        span: list.span,
    })
}

/// `after: [task, team.task, ...]`.
fn dependencies(ctxt: &Ctxt, field: &Field) -> Vec<Dependency> {
    const EXPECTED: &str = "a list of tasks in brackets";
    let elems = match &field.value {
        Value::List(list) => list.elems.as_slice(),
        single @ (Value::Ident(_) | Value::Path(..) | Value::Str(_)) => {
            let hint = match single {
                Value::Ident(task) => format!("write `[{}]`", task.unraw()),
                Value::Path(team, _, task) => {
                    format!("write `[{}.{}]`", team.unraw(), task.unraw())
                }
                _ => "put it in brackets".to_owned(),
            };
            wrong_kind(ctxt, field, single, EXPECTED, &hint);
            std::slice::from_ref(single)
        }
        other => {
            wrong_kind(
                ctxt,
                field,
                other,
                EXPECTED,
                "e.g. `after: [analyse, other_team.review]`",
            );
            return Vec::new();
        }
    };
    let mut after = Vec::with_capacity(elems.len());
    for elem in elems {
        let dependency = match elem {
            Value::Ident(task) => Dependency {
                team: None,
                target: Target::Task(task.clone()),
                tokens: task.to_token_stream(),
            },
            Value::Path(team, dot, task) => Dependency {
                team: Some(team.clone()),
                target: Target::Task(task.clone()),
                tokens: quote::quote!(#team #dot #task),
            },
            Value::Str(lit) => Dependency {
                team: None,
                target: Target::Subject(lit.clone()),
                tokens: lit.to_token_stream(),
            },
            Value::Missing(_) => {
                ctxt.push(elem.error("empty entry in the list"));
                continue;
            }
            other => {
                ctxt.push(other.error(format!(
                    "`after` lists tasks as `task` or `team.task`, found {}",
                    other.describe()
                )));
                continue;
            }
        };
        after.push(dependency);
    }
    after
}

//! The workflow as typed data: what each field means, which items may stand where, and
//! what value each field takes. Reading a block reports unknown and repeated fields, values
//! of the wrong kind and missing required fields; checks that need the whole workflow
//! (references, duplicates, cycles, runtime rules) are `validate`'s.
//!
//! Every value keeps the span of the token it came from. A field that could not be read is
//! left out (its default applies), so one mistake does not cause others downstream.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Visibility};

use crate::ast::{self, Body, Entry, Field, Item, Value};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::value::{
    choice, dependencies, ident_list, runtime, single_ident, spanned_map, string, timeout,
    whole_number,
};
use telemachy_core::suggest;

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
}

impl Teardown {
    /// The policy `teardown:` names.
    pub(crate) fn from_word(word: &str) -> Option<Teardown> {
        match word {
            "on_completion" => Some(Teardown::OnCompletion),
            "on_failure" => Some(Teardown::OnFailure),
            "never" => Some(Teardown::Never),
            _ => None,
        }
    }
}

impl Runtime {
    /// The runtime `runtime:` names.
    pub(crate) fn from_word(word: &str) -> Option<Runtime> {
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

//! A workflow as Rust source: the `workflow!` invocation that builds exactly this
//! [`Workflow`], and the `fn main` of its binary (what `telemachy convert FILE` prints).
//!
//! Every identifier is the workflow's own identifier where that is a Rust identifier
//! (raw, `r#type`, where it is a keyword), and derived from it
//! ([`load::ident::from_name`](crate::load::ident::from_name)) where it is not. `name:` is
//! written wherever the identifier is not the name, so every key stays as it is.
//!
//! ```
//! use telemachy::spec::{Agent, Task, Team, Workflow};
//!
//! let mut workflow = Workflow::new("hello-world-e2e");
//! let mut worker = Agent::new("hello_worker");
//! worker.name = "hello-worker".into();
//! workflow.agents.push(worker);
//! let mut team = Team::new("crew", ["hello_worker"]);
//! team.tasks.push(Task::new("say_hello", "Say hello world", "hello_worker"));
//! workflow.teams.push(team);
//!
//! let source = telemachy::convert::to_rust(&workflow);
//! assert!(source.contains("pub workflow hello_world_e2e {"));
//! assert!(source.contains("agent hello_worker {\n            name: \"hello-worker\",\n"));
//! assert!(source.contains("fn main() -> std::process::ExitCode {\n    hello_world_e2e::main()\n}"));
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::load::ident;
use crate::spec::{DEFAULT_PROGRAM, DEFAULT_TASK_TYPE, DEFAULT_WORKING_DIR, Runtime, Workflow};

/// The column past which long strings continue on the next line (`\` at the end of a line).
const WIDTH: usize = 96;

/// The complete source file: a comment, the `workflow!` invocation and `fn main`.
pub fn to_rust(workflow: &Workflow) -> String {
    let module = ident::from_name(&workflow.name, "workflow");
    let agents = Idents::new(workflow.agents.iter().map(|agent| &*agent.id), "agent");
    let teams = Idents::new(workflow.teams.iter().map(|team| &*team.id), "team");
    let tasks: HashMap<&str, Idents> = workflow
        .teams
        .iter()
        .map(|team| {
            let idents = Idents::new(team.tasks.iter().map(|task| &*task.id), "task");
            (&*team.id, idents)
        })
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The workflow `{}`, as `workflow!` source: `cargo check` checks it, and\n\
         // its binary runs it with the command line every workflow binary has.\n",
        workflow.name.replace('\n', " ")
    );
    out.push_str("telemachy::workflow! {\n");
    doc(&mut out, 1, &workflow.description);
    let _ = writeln!(out, "    pub workflow {} {{", ident::to_source(&module));
    field(&mut out, 2, "name", &string(&workflow.name, 2, "name"));
    field(&mut out, 2, "teardown", workflow.teardown.as_str());
    if let Some(timeout) = workflow.timeout {
        let seconds = if timeout.subsec_nanos() == 0 {
            timeout.as_secs().to_string()
        } else {
            timeout.as_secs_f64().to_string()
        };
        field(&mut out, 2, "timeout", &seconds);
    }

    for agent in &workflow.agents {
        out.push('\n');
        let id = agents.get(&agent.id);
        let _ = writeln!(out, "        agent {} {{", ident::to_source(id));
        if agent.name != id {
            field(&mut out, 3, "name", &string(&agent.name, 3, "name"));
        }
        if agent.program != DEFAULT_PROGRAM {
            field(
                &mut out,
                3,
                "program",
                &string(&agent.program, 3, "program"),
            );
        }
        if let Some(model) = &agent.model {
            field(&mut out, 3, "model", &string(model, 3, "model"));
        }
        if agent.working_dir != DEFAULT_WORKING_DIR {
            let dir = string(&agent.working_dir, 3, "working_dir");
            field(&mut out, 3, "working_dir", &dir);
        }
        if let Runtime::Docker(docker) = &agent.runtime {
            field(&mut out, 3, "runtime", "docker");
            field(&mut out, 3, "image", &string(&docker.image, 3, "image"));
            field(&mut out, 3, "cpus", &docker.cpus.to_string());
            field(&mut out, 3, "memory", &string(&docker.memory, 3, "memory"));
        }
        out.push_str("        }\n");
    }

    for team in &workflow.teams {
        out.push('\n');
        let id = teams.get(&team.id);
        let _ = writeln!(out, "        team {} {{", ident::to_source(id));
        if team.name != id {
            field(&mut out, 3, "name", &string(&team.name, 3, "name"));
        }
        let members: Vec<String> = team
            .agents
            .iter()
            .map(|member| ident::to_source(agents.get(member)))
            .collect();
        field(&mut out, 3, "members", &format!("[{}]", members.join(", ")));
        let own = tasks.get(&*team.id);
        for task in &team.tasks {
            out.push('\n');
            let id = own.map_or(&*task.id, |idents| idents.get(&task.id));
            let _ = writeln!(out, "            task {} {{", ident::to_source(id));
            field(&mut out, 4, "subject", &string(&task.subject, 4, "subject"));
            if !task.description.is_empty() {
                let description = string(&task.description, 4, "description");
                field(&mut out, 4, "description", &description);
            }
            let assignee = ident::to_source(agents.get(&task.assignee));
            field(&mut out, 4, "assignee", &assignee);
            if !task.after.is_empty() {
                let after: Vec<String> = task
                    .after
                    .iter()
                    .map(|reference| {
                        let task = tasks
                            .get(&*reference.team)
                            .map_or(&*reference.task, |idents| idents.get(&reference.task));
                        let task = ident::to_source(task);
                        if reference.team == team.id {
                            task
                        } else {
                            format!("{}.{task}", ident::to_source(teams.get(&reference.team)))
                        }
                    })
                    .collect();
                field(&mut out, 4, "after", &format!("[{}]", after.join(", ")));
            }
            if task.kind != DEFAULT_TASK_TYPE {
                field(&mut out, 4, "type", &string(&task.kind, 4, "type"));
            }
            out.push_str("            }\n");
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n}\n\n");
    let _ = write!(
        out,
        "fn main() -> std::process::ExitCode {{\n    {}::main()\n}}\n",
        ident::to_source(&module)
    );
    out
}

/// The Rust identifier of each identifier of one scope: itself where it is one, else
/// derived from it and made unique.
struct Idents<'w> {
    map: HashMap<&'w str, String>,
}

impl<'w> Idents<'w> {
    fn new(ids: impl Iterator<Item = &'w str> + Clone, fallback: &str) -> Self {
        let mut scope = ident::Scope::default();
        for id in ids.clone().filter(|id| ident::is_rust_ident(id)) {
            scope.ident(id, fallback);
        }
        let map = ids
            .map(|id| {
                let rust = if ident::is_rust_ident(id) {
                    id.to_owned()
                } else {
                    scope.ident(id, fallback)
                };
                (id, rust)
            })
            .collect();
        Idents { map }
    }

    /// The Rust identifier for `id`; `id` itself for one this scope does not know (an
    /// unknown reference, which the rules reject before a workflow gets here).
    fn get<'a>(&'a self, id: &'a str) -> &'a str {
        self.map.get(id).map_or(id, String::as_str)
    }
}

/// `key: value,` at `depth` levels of indentation.
fn field(out: &mut String, depth: usize, key: &str, value: &str) {
    let _ = writeln!(out, "{}{key}: {value},", indent(depth));
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

/// `text` as a Rust string literal; a long one continues over lines at single spaces
/// (a `\` at the end of a line, which the literal does not contain).
fn string(text: &str, depth: usize, key: &str) -> String {
    let start = indent(depth).len() + key.len() + 3;
    let mut out = String::from("\"");
    let mut column = start;
    let chars: Vec<char> = text.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        let escaped: String = c.escape_debug().collect();
        let escaped = if *c == '\'' { "'".to_owned() } else { escaped };
        out.push_str(&escaped);
        column += escaped.len();
        let breakable = *c == ' '
            && at > 0
            && chars[at - 1] != ' '
            && chars.get(at + 1).is_some_and(|next| !next.is_whitespace());
        if breakable && column > WIDTH - 12 {
            let continuation = indent(depth + 1);
            let _ = write!(out, "\\\n{continuation}");
            column = continuation.len();
        }
    }
    out.push('"');
    out
}

/// `text` as doc comment lines (`#[doc = "..."]` when it holds characters a `///` line
/// cannot).
fn doc(out: &mut String, depth: usize, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let pad = indent(depth);
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        let _ = writeln!(out, "{pad}#[doc = {text:?}]");
        return;
    }
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{pad}///");
        } else {
            let _ = writeln!(out, "{pad}/// {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_exact_rust_literals() {
        assert_eq!(string("a \"b\" \\ c\td", 0, "k"), r#""a \"b\" \\ c\td""#);
        assert_eq!(string("it's", 0, "k"), r#""it's""#);
        assert_eq!(string("line\nnext\r", 0, "k"), r#""line\nnext\r""#);
    }

    #[test]
    fn long_strings_continue_at_single_spaces_only() {
        let text = "word ".repeat(40);
        let literal = string(text.trim_end(), 4, "description");
        assert!(literal.contains("\\\n"), "{literal}");
        // Rust drops the line break and the next line's indentation: what stays is the text.
        let joined: String = literal
            .split("\\\n")
            .enumerate()
            .map(|(i, part)| if i == 0 { part } else { part.trim_start() })
            .collect();
        assert_eq!(joined, format!("\"{}\"", text.trim_end()));
        let spaced = "a  b ".repeat(40);
        assert!(!string(&spaced, 4, "description").contains("\\\n  b"));
    }

    #[test]
    fn identifiers_that_are_not_rust_are_derived() {
        let idents = Idents::new(["scout-alpha", "scout_alpha", "ok"].into_iter(), "agent");
        assert_eq!(idents.get("scout_alpha"), "scout_alpha");
        assert_eq!(idents.get("scout-alpha"), "scout_alpha_2");
        assert_eq!(idents.get("ok"), "ok");
    }
}

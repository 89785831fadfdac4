//! Workflows from files: the Python tool's YAML files as they are, and the file form of the
//! model ([`telemachy_core::form`]) in YAML or JSON.
//!
//! [`load_file`] reads a file, finds which of the two formats it is in (a file with
//! `apiVersion` or `metadata` at its top is the Python tool's), builds the
//! [`Workflow`] and checks it against the same rules as `workflow!`
//! and `Plan::new`. Every problem comes back at once, each with the file's line and
//! column and the same "did you mean" the macro gives:
//!
//! ```text
//! workflow.yaml:14:9: error: unknown field `assignee` in task `Say hello world`: did you mean `assign_to`?
//! ```
//!
//! ```
//! let loaded = telemachy::load::load_str(
//!     r#"
//! apiVersion: telemachy/v1
//! metadata: {name: hello-world-e2e}
//! agents: [{name: hello-worker, program: none}]
//! teams:
//!   - name: hello-team
//!     agents: [hello-worker]
//!     tasks:
//!       - {subject: Say hello world, description: Say it, assign_to: hello-worker}
//! "#,
//!     "hello-world.yaml",
//! )?;
//! assert_eq!(loaded.format, telemachy::load::Format::Python);
//! let workflow = loaded.workflow;
//! // Names stay as written, so the keys are the Python tool's keys; identifiers are
//! // derived from them.
//! assert_eq!(workflow.agents[0].id, "hello_worker");
//! assert_eq!(workflow.key(&workflow.agents[0].name), "tlm-a4445eab73909f32-hello-worker");
//! assert_eq!(workflow.teams[0].tasks[0].id, "say_hello_world");
//!
//! let error = telemachy::load::load_str(
//!     "name: demo\nagents: [{id: a, modle: m}]\n",
//!     "demo.yaml",
//! )
//! .expect_err("misspelt field");
//! assert_eq!(
//!     error.to_string(),
//!     "demo.yaml:2:18: error: unknown field `modle` in agent `a`: did you mean `model`?",
//! );
//! # Ok::<(), telemachy::load::LoadError>(())
//! ```

mod de;
mod document;
mod error;
pub mod ident;
mod native;
mod python;

use std::path::Path;

use crate::spec::Workflow;
use document::{Node, Step};
pub use error::{Diagnostic, LoadError, Position, Severity};
pub use python::API_VERSION;

/// The formats a workflow file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Python tool's format (`apiVersion: telemachy/v1`, `metadata`, `assign_to`, ...).
    Python,
    /// The file form of the model (`name`, `agents` with `id`, `members`, `assignee`, ...).
    Model,
}

/// A workflow read from a file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Loaded {
    /// The workflow, valid by every rule.
    pub workflow: Workflow,
    /// The format the file is in.
    pub format: Format,
    /// What the file says that does not apply and is ignored (a docker setting on a local
    /// agent of a Python file).
    pub warnings: Vec<Diagnostic>,
}

/// Reads the workflow file at `path` (YAML or JSON, either format) and checks it.
///
/// # Errors
///
/// [`LoadError::Read`] when the file cannot be read; [`LoadError::Invalid`] with every
/// problem, each at its line and column, when it is not a valid workflow.
pub fn load_file(path: impl AsRef<Path>) -> Result<Loaded, LoadError> {
    use std::io::Read as _;

    let path = path.as_ref();
    let unreadable = |source| LoadError::Read {
        path: path.to_owned(),
        source,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(unreadable)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(unreadable(std::io::Error::other(format!(
            "it is larger than {} MiB, which no workflow needs",
            MAX_FILE_BYTES >> 20
        ))));
    }
    load_str(&text, &path.display().to_string())
}

/// The largest workflow file [`load_file`] reads: 16 MiB.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads a workflow from `text` (YAML or JSON, either format) and checks it; `file` names
/// it in diagnostics.
///
/// # Errors
///
/// [`LoadError::Invalid`] with every problem, each at its line and column.
pub fn load_str(text: &str, file: &str) -> Result<Loaded, LoadError> {
    let place = |position: Option<Position>, message: String, severity: Severity| Diagnostic {
        file: file.to_owned(),
        position,
        severity,
        message,
    };
    let root = document::parse(text).map_err(|error| LoadError::Invalid {
        diagnostics: vec![place(error.position, error.message, Severity::Error)],
    })?;
    let format = detect(&root);
    let mut diagnostics = Vec::new();
    let unread = |problems: Vec<de::Located>, diagnostics: &mut Vec<Diagnostic>| {
        diagnostics.extend(
            problems
                .into_iter()
                .map(|problem| place(Some(problem.position), problem.message, Severity::Error)),
        );
    };
    let workflow = match format {
        Format::Model => {
            let (workflow, problems) = de::Reader::new(native::ALIASES).read::<Workflow>(&root);
            unread(problems, &mut diagnostics);
            workflow
        }
        Format::Python => {
            let (workflow, problems, findings) =
                python::read(&de::Reader::new(python::ALIASES), &root);
            unread(problems, &mut diagnostics);
            for finding in findings {
                let severity = if finding.warning {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                let position = document::locate(&root, &finding.steps);
                diagnostics.push(place(Some(position), finding.message, severity));
            }
            workflow
        }
    };

    if let Some(workflow) = &workflow {
        for (steps, message) in rule_problems(workflow, format) {
            let position = document::locate(&root, &steps);
            // A reference the format could not resolve is reported once, by the format.
            let reported = diagnostics.iter().any(|diagnostic| {
                diagnostic.severity == Severity::Error && diagnostic.position == Some(position)
            });
            if !reported {
                diagnostics.push(place(Some(position), message, Severity::Error));
            }
        }
    }

    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics
        .into_iter()
        .partition(|diagnostic| diagnostic.severity == Severity::Error);
    match workflow {
        Some(workflow) if errors.is_empty() => Ok(Loaded {
            workflow,
            format,
            warnings,
        }),
        _ => {
            let mut errors = errors;
            errors.sort_by_key(|diagnostic| diagnostic.position);
            Err(LoadError::Invalid {
                diagnostics: errors,
            })
        }
    }
}

/// The format of a file, by its top: `apiVersion` or `metadata` make it the Python tool's.
fn detect(root: &Node) -> Format {
    if document::entry(root, "apiVersion").is_some() || document::entry(root, "metadata").is_some()
    {
        Format::Python
    } else {
        Format::Model
    }
}

/// What the rules find wrong with `workflow`, each at its place in a file of `format`.
fn rule_problems(workflow: &Workflow, format: Format) -> Vec<(Vec<Step<'static>>, String)> {
    telemachy_core::rules::problems(workflow)
        .into_iter()
        .map(|problem| {
            let path = problem.path.segments();
            let steps = match format {
                Format::Model => native::steps(path),
                Format::Python => python::steps(path),
            };
            (steps, problem.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests;

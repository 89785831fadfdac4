//! What the loader reports: diagnostics at a line and column, and the error that carries
//! them.

use std::fmt;
use std::path::PathBuf;

/// A place in a workflow file: line and column, both counted from 1 (the column in
/// characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl Position {
    /// The position of a parser's marker (its lines count from 1, its columns from 0).
    pub(crate) fn of(marker: &saphyr::Marker) -> Position {
        Position {
            line: marker.line().max(1),
            column: marker.col() + 1,
        }
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The file cannot be run as it is.
    Error,
    /// The file runs, but part of it is ignored.
    Warning,
}

/// One problem in a workflow file: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The file, as it was given.
    pub file: String,
    /// Where in the file; `None` when the problem is the whole file.
    pub position: Option<Position>,
    /// Whether it stops the workflow from running.
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: error: message`, as compilers write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(position) = self.position {
            write!(f, ":{}:{}", position.line, position.column)?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}: {}", self.message)
    }
}

/// Why a workflow file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("could not read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid workflow: every problem found, each with its position.
    #[error("{}", Lines(diagnostics))]
    Invalid {
        /// The problems, in the order of the file (errors only; never empty).
        diagnostics: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// The problems, each with its position; empty for a file that could not be read.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Invalid { diagnostics } => diagnostics,
            LoadError::Read { .. } => &[],
        }
    }
}

/// Diagnostics, one per line.
struct Lines<'a>(&'a [Diagnostic]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

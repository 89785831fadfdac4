//! What the rules report: one [`Problem`] per mistake, all of a workflow's in [`Problems`].

use std::fmt;

use super::path::Path;

/// Which rule a [`Problem`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A name (of the workflow, an agent or a team) is empty.
    EmptyName,
    /// A name holds a control character (a line break, a tab, ...).
    ControlCharacterInName,
    /// An identifier of an agent, team or task is empty.
    EmptyId,
    /// Two agents, or two teams, or two tasks of one team share an identifier.
    DuplicateId,
    /// Two resources (agents and teams alike) have the same name, so the same key.
    SharedKey,
    /// A text field that may not be empty is.
    EmptyField,
    /// The timeout is 0, or longer than the executor can wait.
    TimeoutOutOfRange,
    /// A docker agent's CPUs are outside the range the executor accepts.
    CpusOutOfRange,
    /// A docker agent's memory is not written as a size.
    MemoryNotASize,
    /// A docker agent's memory is below Docker's minimum or beyond any machine.
    MemoryOutOfRange,
    /// A docker agent has no image.
    NoImage,
    /// A team has no members.
    NoMembers,
    /// A team lists an agent the workflow does not declare.
    UnknownMember,
    /// A team lists an agent twice.
    DuplicateMember,
    /// A task is assigned to an agent the workflow does not declare.
    UnknownAssignee,
    /// A task is assigned to an agent that is not a member of its team.
    AssigneeNotMember,
    /// Two tasks of a team have the same subject.
    DuplicateSubject,
    /// A dependency names a team the workflow does not declare.
    UnknownTeam,
    /// A dependency names a task its team does not have.
    UnknownTask,
    /// A task depends on itself.
    SelfDependency,
    /// A task lists the same dependency twice.
    DuplicateDependency,
    /// Tasks wait for each other in a circle.
    Cycle,
    /// More cycles than are spelled out.
    MoreCycles,
}

/// One mistake in a workflow: where it is, what is wrong, and what to do.
///
/// Its `Display` is the message and the hint, `"<message>: <hint>"`, as every front end
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// The rule broken.
    pub rule: Rule,
    /// The element of the workflow at fault.
    pub path: Path,
    /// What is wrong.
    pub message: String,
    /// What to do about it; empty when the message says it all.
    pub hint: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(
        rule: Rule,
        path: Path,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Problem {
            rule,
            path,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hint.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.message, self.hint)
        }
    }
}

/// Every problem of an invalid workflow, in the order the rules found them (at least one).
///
/// Its `Display` lists each with its path:
///
/// ```
/// use telemachy_core::spec::{Agent, Workflow};
///
/// let mut workflow = Workflow::new("demo");
/// workflow.agents = vec![Agent::new("a"), Agent::new("a")];
/// let problems = telemachy_core::rules::check(&workflow).expect_err("a is declared twice");
/// assert_eq!(
///     problems.to_string(),
///     "agents[1].id: agent `a` is declared twice: give each agent its own identifier"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems {
    problems: Vec<Problem>,
}

impl Problems {
    /// `Ok` when `problems` is empty, else the error holding them.
    pub fn from_vec(problems: Vec<Problem>) -> Result<(), Problems> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Problems { problems })
        }
    }

    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.problems.iter()
    }

    /// How many there are (at least 1).
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Always `false`: an error has at least one problem.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether any problem breaks `rule`.
    pub fn breaks(&self, rule: Rule) -> bool {
        self.problems.iter().any(|problem| problem.rule == rule)
    }

    /// The problems, owned.
    pub fn into_vec(self) -> Vec<Problem> {
        self.problems
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.into_iter()
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.problems.as_slice() {
            return write!(f, "{}: {only}", only.path);
        }
        write!(f, "{} problems:", self.problems.len())?;
        for problem in &self.problems {
            write!(f, "\n  {}: {problem}", problem.path)?;
        }
        Ok(())
    }
}

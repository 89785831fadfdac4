//! Where in a workflow a problem is: a path of field names and list indices, spelled in the
//! words of the `workflow!` language and of the file form (`teams[1].members[0]`,
//! `agents[2].memory`, `teams[0].tasks[3].type`).
//!
//! Front ends map a path back to what the user wrote: the `workflow!` macro to a token, a
//! workflow file to a line and column.

use std::fmt;

/// One step of a [`Path`]: into a field, or to an entry of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A field, by its name in the language (`agents`, `name`, `memory`, `type`, ...).
    Field(&'static str),
    /// An entry of a list, counting from 0.
    Index(usize),
}

/// A path into a [`Workflow`](crate::spec::Workflow), from the workflow itself down to the
/// element a problem is about.
///
/// ```
/// use telemachy_core::rules::Path;
///
/// let path = Path::task(1, 0).field("after").index(2).field("task");
/// assert_eq!(path.to_string(), "teams[1].tasks[0].after[2].task");
/// assert_eq!(Path::root().to_string(), "(the workflow)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Path {
    segments: Vec<Segment>,
}

/// The field names a [`Path`] uses for the parts of a workflow, one constant each: the
/// words of `workflow!` and of the file form, which differ from the model's Rust fields in
/// three places (a team's `members` are `Team::agents`, a task's `type` is `Task::kind`, and
/// `image`, `cpus` and `memory` stand on the agent beside `runtime`).
pub mod field {
    /// `Workflow::name`, `Agent::name`, `Team::name`.
    pub const NAME: &str = "name";
    /// `Workflow::timeout`.
    pub const TIMEOUT: &str = "timeout";
    /// `Workflow::agents`.
    pub const AGENTS: &str = "agents";
    /// A team's members, `Team::agents`.
    pub const MEMBERS: &str = "members";
    /// `Workflow::teams`.
    pub const TEAMS: &str = "teams";
    /// `Team::tasks`.
    pub const TASKS: &str = "tasks";
    /// The identifier of an agent, team or task.
    pub const ID: &str = "id";
    /// `Agent::program`.
    pub const PROGRAM: &str = "program";
    /// `Agent::model`.
    pub const MODEL: &str = "model";
    /// `Agent::working_dir`.
    pub const WORKING_DIR: &str = "working_dir";
    /// `Agent::runtime`.
    pub const RUNTIME: &str = "runtime";
    /// `Docker::image`, on the agent.
    pub const IMAGE: &str = "image";
    /// `Docker::cpus`, on the agent.
    pub const CPUS: &str = "cpus";
    /// `Docker::memory`, on the agent.
    pub const MEMORY: &str = "memory";
    /// `Task::subject`.
    pub const SUBJECT: &str = "subject";
    /// `Task::assignee`.
    pub const ASSIGNEE: &str = "assignee";
    /// `Task::after`.
    pub const AFTER: &str = "after";
    /// `Task::kind`.
    pub const TYPE: &str = "type";
    /// `TaskRef::team`.
    pub const TEAM: &str = "team";
    /// `TaskRef::task`.
    pub const TASK: &str = "task";
}

impl Path {
    /// The workflow itself.
    pub fn root() -> Path {
        Path::default()
    }

    /// The `index`-th agent: `agents[index]`.
    pub fn agent(index: usize) -> Path {
        Path::root().field(field::AGENTS).index(index)
    }

    /// The `index`-th team: `teams[index]`.
    pub fn team(index: usize) -> Path {
        Path::root().field(field::TEAMS).index(index)
    }

    /// The `task`-th task of the `team`-th team: `teams[team].tasks[task]`.
    pub fn task(team: usize, task: usize) -> Path {
        Path::team(team).field(field::TASKS).index(task)
    }

    /// This path, then the field `name`.
    #[must_use]
    pub fn field(mut self, name: &'static str) -> Path {
        self.segments.push(Segment::Field(name));
        self
    }

    /// This path, then the list entry `index`.
    #[must_use]
    pub fn index(mut self, index: usize) -> Path {
        self.segments.push(Segment::Index(index));
        self
    }

    /// The steps from the workflow down.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The path one step up, or `None` for the workflow itself.
    pub fn parent(&self) -> Option<Path> {
        let (_, up) = self.segments.split_last()?;
        Some(Path {
            segments: up.to_vec(),
        })
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.segments.starts_with(&other.segments)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("(the workflow)");
        }
        for (n, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Field(name) if n == 0 => f.write_str(name)?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_walk_up_to_the_workflow() {
        let path = Path::team(3).field(field::MEMBERS).index(1);
        assert_eq!(path.to_string(), "teams[3].members[1]");
        let up = path.parent().expect("not the root");
        assert_eq!(up.to_string(), "teams[3].members");
        assert!(path.starts_with(&Path::team(3)));
        assert!(!path.starts_with(&Path::team(4)));
        assert_eq!(Path::root().parent(), None);
    }
}

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
/// A path lives inline (no allocation), so the rules can name every element they look at
/// without cost. It holds at most [`Path::DEPTH_MAX`] steps, more than the deepest element of
/// a workflow needs (`teams[t].tasks[i].after[k].team` is 7).
///
/// ```
/// use telemachy_core::rules::Path;
///
/// let path = Path::task(1, 0).field("after").index(2).field("task");
/// assert_eq!(path.to_string(), "teams[1].tasks[0].after[2].task");
/// assert_eq!(Path::root().to_string(), "(the workflow)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// The steps in use are `steps[..len]`; the others are always `Index(0)`, so that the
    /// derived comparisons and hash see only the steps in use.
    steps: [Segment; Path::DEPTH_MAX],
    len: u8,
}

impl Default for Path {
    fn default() -> Self {
        Path {
            steps: [Segment::Index(0); Path::DEPTH_MAX],
            len: 0,
        }
    }
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

    /// The most steps a path holds.
    pub const DEPTH_MAX: usize = 8;

    /// This path, then the field `name`.
    #[must_use]
    pub fn field(self, name: &'static str) -> Path {
        self.then(Segment::Field(name))
    }

    /// This path, then the list entry `index`.
    #[must_use]
    pub fn index(self, index: usize) -> Path {
        self.then(Segment::Index(index))
    }

    /// This path, then `step`; a path already [`DEPTH_MAX`](Path::DEPTH_MAX) deep stays as
    /// it is (no element of a workflow lies that deep).
    fn then(mut self, step: Segment) -> Path {
        if let Some(slot) = self.steps.get_mut(usize::from(self.len)) {
            *slot = step;
            self.len += 1;
        }
        self
    }

    /// The steps from the workflow down.
    pub fn segments(&self) -> &[Segment] {
        &self.steps[..usize::from(self.len)]
    }

    /// The path one step up, or `None` for the workflow itself.
    pub fn parent(&self) -> Option<Path> {
        let len = self.len.checked_sub(1)?;
        let mut up = self.clone();
        up.steps[usize::from(len)] = Segment::Index(0);
        up.len = len;
        Some(up)
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.segments().starts_with(other.segments())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return f.write_str("(the workflow)");
        }
        for (n, segment) in self.segments().iter().enumerate() {
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
        assert_eq!(up, Path::team(3).field(field::MEMBERS));
    }

    #[test]
    fn a_path_is_at_most_eight_deep() {
        let mut path = Path::root();
        for index in 0..10 {
            path = path.index(index);
        }
        assert_eq!(path.segments().len(), Path::DEPTH_MAX);
        assert_eq!(path.to_string(), "[0][1][2][3][4][5][6][7]");
    }
}

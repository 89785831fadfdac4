//! The workflow specification: what `workflow!` expands to, and what the executor runs.
//!
//! A [`Workflow`] is plain data. The `workflow!` macro builds one (its `spec()` function)
//! after checking it at compile time; tools and tests may also build one by hand with the
//! constructors below. Resources refer to each other by their identifier in the workflow
//! (`id`), never by server-side name or id.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::key::make_key;

/// Text in a specification: borrowed from the program for macro-built workflows, owned for
/// workflows built at run time.
pub type Text = Cow<'static, str>;

/// The program an agent runs when a workflow does not say.
pub const DEFAULT_PROGRAM: &str = "claude-code";
/// The working directory of an agent when a workflow does not say.
pub const DEFAULT_WORKING_DIR: &str = "/tmp";
/// The CPUs of a docker agent when a workflow does not say.
pub const DEFAULT_CPUS: u32 = 2;
/// The memory of a docker agent when a workflow does not say.
pub const DEFAULT_MEMORY: &str = "4g";
/// Agamemnon's task type when a workflow does not say.
pub const DEFAULT_TASK_TYPE: &str = "general";

/// A whole workflow: its agents, and its teams with their tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// The workflow's name; every key is derived from it (any non-empty text without
    /// control characters; see [`rules`](crate::rules)).
    pub name: Text,
    /// What the workflow does (the doc comment on `workflow!`).
    pub description: Text,
    /// What to delete when the run ends.
    pub teardown: Teardown,
    /// How long a run may take before it is stopped; `None` waits as long as it takes.
    pub timeout: Option<Duration>,
    /// The agents, in declaration order.
    pub agents: Vec<Agent>,
    /// The teams, in declaration order.
    pub teams: Vec<Team>,
}

/// One agent: a program that works on tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The identifier that tasks and teams use to refer to this agent.
    pub id: Text,
    /// The readable name from which the agent's key is derived; the identifier unless the
    /// workflow sets `name:` (as a workflow started by the Python tool needs).
    pub name: Text,
    /// The program the agent runs.
    pub program: Text,
    /// The model the program uses, if the workflow names one.
    pub model: Option<Text>,
    /// The directory the agent works in.
    pub working_dir: Text,
    /// Where the agent runs.
    pub runtime: Runtime,
}

/// Where an agent runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Runtime {
    /// On the Agamemnon host itself.
    #[default]
    Local,
    /// In a docker container.
    Docker(Docker),
}

/// The container of a docker agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docker {
    /// The image, e.g. `ghcr.io/homericintelligence/achaeanfleet:latest`.
    pub image: Text,
    /// CPUs for the container: 1 to [`CPUS_MAX`](crate::rules::bounds::CPUS_MAX).
    pub cpus: u32,
    /// Memory for the container, as docker writes it (`512m`, `4g`, ...): from `6m`
    /// (Docker's minimum) to `1024t` (see [`rules::bounds`](crate::rules::bounds)).
    pub memory: Text,
}

/// A team: agents that share a task list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// The identifier that qualified task references use (`team.task`).
    pub id: Text,
    /// The readable name from which the team's key is derived.
    pub name: Text,
    /// The members, by agent identifier.
    pub agents: Vec<Text>,
    /// The team's tasks, in declaration order.
    pub tasks: Vec<Task>,
}

/// A unit of work for one agent of the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The identifier that dependencies use.
    pub id: Text,
    /// The task's subject: what identifies it on the server within its team.
    pub subject: Text,
    /// What to do, in detail.
    pub description: Text,
    /// The agent (identifier, a member of the team) that does it.
    pub assignee: Text,
    /// The tasks that must complete before this one is submitted.
    pub after: Vec<TaskRef>,
    /// Agamemnon's task `type`.
    pub kind: Text,
}

/// A reference to a task: its team and its identifier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskRef {
    /// The team's identifier.
    pub team: Text,
    /// The task's identifier within that team.
    pub task: Text,
}

/// What the executor deletes when a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Teardown {
    /// Delete the workflow's teams and agents after a successful run; keep them after a
    /// failure, for inspection.
    #[default]
    OnCompletion,
    /// Delete them after a failed or cancelled run; keep them after success.
    OnFailure,
    /// Never delete anything.
    Never,
}

impl Teardown {
    /// Every policy, in the order the documentation lists them.
    pub const ALL: [Teardown; 3] = [Teardown::OnCompletion, Teardown::OnFailure, Teardown::Never];

    /// The policy's name in workflows and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Teardown::OnCompletion => "on_completion",
            Teardown::OnFailure => "on_failure",
            Teardown::Never => "never",
        }
    }

    /// Whether a run that ended with `succeeded` deletes its resources under this policy.
    pub const fn applies(self, succeeded: bool) -> bool {
        match self {
            Teardown::OnCompletion => succeeded,
            Teardown::OnFailure => !succeeded,
            Teardown::Never => false,
        }
    }
}

impl fmt::Display for Teardown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown teardown policy name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown teardown policy `{0}`: expected one of `on_completion`, `on_failure`, `never`")]
pub struct ParseTeardownError(String);

impl FromStr for Teardown {
    type Err = ParseTeardownError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Teardown::ALL
            .into_iter()
            .find(|policy| policy.as_str() == s)
            .ok_or_else(|| ParseTeardownError(s.to_owned()))
    }
}

impl Workflow {
    /// An empty workflow called `name`, with the default teardown policy and no timeout.
    pub fn new(name: impl Into<Text>) -> Self {
        Workflow {
            name: name.into(),
            description: Text::Borrowed(""),
            teardown: Teardown::default(),
            timeout: None,
            agents: Vec::new(),
            teams: Vec::new(),
        }
    }

    /// The idempotency key of a resource called `resource` in this workflow.
    pub fn key(&self, resource: &str) -> String {
        make_key(&self.name, resource)
    }

    /// The agent with identifier `id`.
    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|agent| agent.id == id)
    }

    /// The team with identifier `id`.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|team| team.id == id)
    }

    /// The task that `reference` points at.
    pub fn task(&self, reference: &TaskRef) -> Option<&Task> {
        self.team(&reference.team)?
            .tasks
            .iter()
            .find(|task| task.id == reference.task)
    }

    /// Every task with its team, teams in declaration order, then tasks in declaration order.
    pub fn tasks(&self) -> impl Iterator<Item = (&Team, &Task)> {
        self.teams
            .iter()
            .flat_map(|team| team.tasks.iter().map(move |task| (team, task)))
    }
}

impl Agent {
    /// A local agent with the default program and working directory, named after `id`.
    pub fn new(id: impl Into<Text>) -> Self {
        let id = id.into();
        Agent {
            name: id.clone(),
            id,
            program: Text::Borrowed(DEFAULT_PROGRAM),
            model: None,
            working_dir: Text::Borrowed(DEFAULT_WORKING_DIR),
            runtime: Runtime::Local,
        }
    }
}

impl Docker {
    /// A container of `image` with the default CPUs and memory.
    pub fn new(image: impl Into<Text>) -> Self {
        Docker {
            image: image.into(),
            cpus: DEFAULT_CPUS,
            memory: Text::Borrowed(DEFAULT_MEMORY),
        }
    }
}

impl Team {
    /// A team of `agents` (identifiers) with no tasks, named after `id`.
    pub fn new<I, A>(id: impl Into<Text>, agents: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<Text>,
    {
        let id = id.into();
        Team {
            name: id.clone(),
            id,
            agents: agents.into_iter().map(Into::into).collect(),
            tasks: Vec::new(),
        }
    }
}

impl Task {
    /// A task with no description and no dependencies, of the default type.
    pub fn new(id: impl Into<Text>, subject: impl Into<Text>, assignee: impl Into<Text>) -> Self {
        Task {
            id: id.into(),
            subject: subject.into(),
            description: Text::Borrowed(""),
            assignee: assignee.into(),
            after: Vec::new(),
            kind: Text::Borrowed(DEFAULT_TASK_TYPE),
        }
    }
}

impl TaskRef {
    /// A reference to task `task` of team `team`.
    pub fn new(team: impl Into<Text>, task: impl Into<Text>) -> Self {
        TaskRef {
            team: team.into(),
            task: task.into(),
        }
    }
}

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.team, self.task)
    }
}

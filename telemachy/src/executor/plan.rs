//! Resolving a [`Workflow`] into a [`Plan`]: keys, server-side definitions, the task graph
//! across teams and an order to submit it in.
//!
//! The `workflow!` macro rejects invalid workflows while it compiles; workflows built at run
//! time get the same checks here, as typed [`PlanError`]s, before anything touches a server.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use crate::api;
use crate::executor::settings::{SETTINGS_TAG_PREFIX, settings_fingerprint};
use crate::key::is_name_char;
use crate::spec::{Runtime, TaskRef, Teardown, Workflow};

/// The tag every agent Telemachy creates carries.
pub const OWNER_TAG: &str = "telemachy";

/// The prefix of the tag that records which workflow an agent belongs to
/// (`telemachy-workflow=<workflow name>`).
pub const WORKFLOW_TAG_PREFIX: &str = "telemachy-workflow=";

/// A workflow resolved for execution: every resource with its key, references turned into
/// indices, and the tasks in an order where each comes after its dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The workflow's name.
    pub workflow: String,
    /// The workflow's teardown policy.
    pub teardown: Teardown,
    /// How long a run may take.
    pub timeout: Option<Duration>,
    /// The agents, in declaration order.
    pub agents: Vec<PlannedAgent>,
    /// The teams, in declaration order.
    pub teams: Vec<PlannedTeam>,
    /// Every task of every team: teams in declaration order, then tasks in declaration order.
    pub tasks: Vec<PlannedTask>,
    /// Indices into `tasks`, each task after all of its dependencies; among tasks that are
    /// ready together, declaration order.
    pub order: Vec<usize>,
}

/// An agent of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAgent {
    /// The identifier in the workflow.
    pub id: String,
    /// The readable name the key derives from.
    pub name: String,
    /// The idempotency key: the agent's name on the server.
    pub key: String,
    /// What the executor sends to create it. Its tags record the owner, the workflow and
    /// the fingerprint of its settings (`telemachy-settings=<16 hex>`).
    pub definition: api::NewAgent,
}

/// A team of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTeam {
    /// The identifier in the workflow.
    pub id: String,
    /// The readable name the key derives from.
    pub name: String,
    /// The idempotency key: the team's name on the server.
    pub key: String,
    /// The members, as indices into [`Plan::agents`], in declaration order.
    pub members: Vec<usize>,
    /// The team's tasks, as indices into [`Plan::tasks`], in declaration order.
    pub tasks: Vec<usize>,
}

/// A task of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    /// The team, as an index into [`Plan::teams`].
    pub team: usize,
    /// The identifier within its team.
    pub id: String,
    /// The reference other tasks use: `team.task`.
    pub reference: String,
    /// The subject: with the team, what identifies the task on the server.
    pub subject: String,
    /// What to do.
    pub description: String,
    /// Agamemnon's task type.
    pub kind: String,
    /// The assignee, as an index into [`Plan::agents`].
    pub assignee: usize,
    /// The dependencies, as indices into [`Plan::tasks`], in declaration order.
    pub after: Vec<usize>,
}

/// Why a workflow cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The workflow's name is empty or has characters a key cannot hold.
    #[error(
        "workflow name `{name}` is not valid: use letters, digits, `_`, `.` and `-` (at least one)"
    )]
    InvalidWorkflowName {
        /// The name.
        name: String,
    },
    /// Two agents share an identifier.
    #[error("agent `{agent}` is declared twice: give each agent its own identifier")]
    DuplicateAgent {
        /// The identifier.
        agent: String,
    },
    /// Two agents share a readable name, so they would share a key.
    #[error(
        "agents `{first}` and `{second}` are both named `{name}`: they would share a key; rename one"
    )]
    DuplicateAgentName {
        /// The name.
        name: String,
        /// The first agent's identifier.
        first: String,
        /// The second agent's identifier.
        second: String,
    },
    /// Two teams share an identifier.
    #[error("team `{team}` is declared twice: give each team its own identifier")]
    DuplicateTeam {
        /// The identifier.
        team: String,
    },
    /// Two teams share a readable name, so they would share a key.
    #[error(
        "teams `{first}` and `{second}` are both named `{name}`: they would share a key; rename one"
    )]
    DuplicateTeamName {
        /// The name.
        name: String,
        /// The first team's identifier.
        first: String,
        /// The second team's identifier.
        second: String,
    },
    /// A docker agent asks for no CPU.
    #[error("agent `{agent}` asks for 0 CPUs: a docker agent needs at least 1")]
    NoCpus {
        /// The agent.
        agent: String,
    },
    /// A team lists an agent the workflow does not declare.
    #[error("team `{team}` lists unknown agent `{agent}`: declare it or remove it from the team")]
    UnknownMember {
        /// The team.
        team: String,
        /// The unknown agent.
        agent: String,
    },
    /// A team lists an agent twice.
    #[error("team `{team}` lists agent `{agent}` twice: list each member once")]
    DuplicateMember {
        /// The team.
        team: String,
        /// The agent.
        agent: String,
    },
    /// Two tasks of a team share an identifier.
    #[error("task `{team}.{task}` is declared twice: give each task of a team its own identifier")]
    DuplicateTask {
        /// The team.
        team: String,
        /// The task.
        task: String,
    },
    /// Two tasks of a team share a subject, which is what identifies a task on the server.
    #[error(
        "tasks `{team}.{first}` and `{team}.{second}` share the subject `{subject}`: a team's \
         subjects identify its tasks on the server, so make them differ"
    )]
    DuplicateSubject {
        /// The team.
        team: String,
        /// The subject.
        subject: String,
        /// The first task.
        first: String,
        /// The second task.
        second: String,
    },
    /// A task is assigned to an agent the workflow does not declare.
    #[error("task `{team}.{task}` is assigned to unknown agent `{agent}`")]
    UnknownAssignee {
        /// The team.
        team: String,
        /// The task.
        task: String,
        /// The unknown agent.
        agent: String,
    },
    /// A task is assigned to an agent outside its team.
    #[error(
        "task `{team}.{task}` is assigned to `{agent}`, who is not a member of team `{team}`: \
         add the agent to the team or assign a member"
    )]
    AssigneeNotMember {
        /// The team.
        team: String,
        /// The task.
        task: String,
        /// The agent.
        agent: String,
    },
    /// A task depends on a task that does not exist.
    #[error("task `{task}` depends on unknown task `{dependency}`")]
    UnknownDependency {
        /// The task, as `team.task`.
        task: String,
        /// The unknown dependency, as `team.task`.
        dependency: String,
    },
    /// Tasks depend on each other in a circle.
    #[error("tasks depend on each other in a cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The tasks of the cycle, as `team.task`, the first repeated at the end.
        cycle: Vec<String>,
    },
}

impl Plan {
    /// Resolves `workflow`, or says why it cannot run.
    pub fn new(workflow: &Workflow) -> Result<Plan, PlanError> {
        check_workflow_name(&workflow.name)?;
        let agents = plan_agents(workflow)?;
        let agent_index: HashMap<&str, usize> = agents
            .iter()
            .enumerate()
            .map(|(index, agent)| (agent.id.as_str(), index))
            .collect();
        let (teams, mut tasks) = plan_teams(workflow, &agents, &agent_index)?;
        resolve_dependencies(workflow, &teams, &mut tasks)?;
        let order = topological_order(&tasks)?;
        Ok(Plan {
            workflow: workflow.name.to_string(),
            teardown: workflow.teardown,
            timeout: workflow.timeout,
            agents,
            teams,
            tasks,
            order,
        })
    }

    /// The tag that records this workflow as an agent's owner.
    pub fn workflow_tag(&self) -> String {
        format!("{WORKFLOW_TAG_PREFIX}{}", self.workflow)
    }

    /// The index of the agent with key `key`.
    pub fn agent_by_key(&self, key: &str) -> Option<usize> {
        self.agents.iter().position(|agent| agent.key == key)
    }

    /// The index of the team with key `key`.
    pub fn team_by_key(&self, key: &str) -> Option<usize> {
        self.teams.iter().position(|team| team.key == key)
    }
}

fn check_workflow_name(name: &str) -> Result<(), PlanError> {
    if name.is_empty() || !name.chars().all(is_name_char) {
        return Err(PlanError::InvalidWorkflowName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn plan_agents(workflow: &Workflow) -> Result<Vec<PlannedAgent>, PlanError> {
    let mut ids: HashSet<&str> = HashSet::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    let tags = vec![
        OWNER_TAG.to_owned(),
        format!("{WORKFLOW_TAG_PREFIX}{}", workflow.name),
    ];
    let mut planned = Vec::with_capacity(workflow.agents.len());
    for agent in &workflow.agents {
        if !ids.insert(&agent.id) {
            return Err(PlanError::DuplicateAgent {
                agent: agent.id.to_string(),
            });
        }
        if let Some(first) = names.insert(&agent.name, &agent.id) {
            return Err(PlanError::DuplicateAgentName {
                name: agent.name.to_string(),
                first: first.to_owned(),
                second: agent.id.to_string(),
            });
        }
        let key = workflow.key(&agent.name);
        let mut definition = api::NewAgent {
            name: key.clone(),
            label: agent.name.to_string(),
            program: agent.program.to_string(),
            working_directory: agent.working_dir.to_string(),
            program_args: agent
                .model
                .as_ref()
                .map(|model| vec!["--model".to_owned(), model.to_string()])
                .unwrap_or_default(),
            tags: tags.clone(),
            host: "local".to_owned(),
            ..api::NewAgent::default()
        };
        if let Runtime::Docker(docker) = &agent.runtime {
            if docker.cpus == 0 {
                return Err(PlanError::NoCpus {
                    agent: agent.id.to_string(),
                });
            }
            definition.host = "docker".to_owned();
            definition.image = Some(docker.image.to_string());
            definition.cpus = Some(docker.cpus);
            definition.memory = Some(docker.memory.to_string());
        }
        let fingerprint = settings_fingerprint(&definition);
        definition
            .tags
            .push(format!("{SETTINGS_TAG_PREFIX}{fingerprint}"));
        planned.push(PlannedAgent {
            id: agent.id.to_string(),
            name: agent.name.to_string(),
            key,
            definition,
        });
    }
    Ok(planned)
}

fn plan_teams(
    workflow: &Workflow,
    agents: &[PlannedAgent],
    agent_index: &HashMap<&str, usize>,
) -> Result<(Vec<PlannedTeam>, Vec<PlannedTask>), PlanError> {
    let mut team_ids: HashSet<&str> = HashSet::new();
    let mut team_names: HashMap<&str, &str> = HashMap::new();
    let mut teams = Vec::with_capacity(workflow.teams.len());
    let mut tasks = Vec::new();
    for (team_index, team) in workflow.teams.iter().enumerate() {
        if !team_ids.insert(&team.id) {
            return Err(PlanError::DuplicateTeam {
                team: team.id.to_string(),
            });
        }
        if let Some(first) = team_names.insert(&team.name, &team.id) {
            return Err(PlanError::DuplicateTeamName {
                name: team.name.to_string(),
                first: first.to_owned(),
                second: team.id.to_string(),
            });
        }
        let mut members = Vec::with_capacity(team.agents.len());
        for member in &team.agents {
            let Some(&index) = agent_index.get(member.as_ref()) else {
                return Err(PlanError::UnknownMember {
                    team: team.id.to_string(),
                    agent: member.to_string(),
                });
            };
            if members.contains(&index) {
                return Err(PlanError::DuplicateMember {
                    team: team.id.to_string(),
                    agent: member.to_string(),
                });
            }
            members.push(index);
        }

        let mut task_ids: HashSet<&str> = HashSet::new();
        let mut subjects: HashMap<&str, &str> = HashMap::new();
        let mut team_tasks = Vec::with_capacity(team.tasks.len());
        for task in &team.tasks {
            if !task_ids.insert(&task.id) {
                return Err(PlanError::DuplicateTask {
                    team: team.id.to_string(),
                    task: task.id.to_string(),
                });
            }
            if let Some(first) = subjects.insert(&task.subject, &task.id) {
                return Err(PlanError::DuplicateSubject {
                    team: team.id.to_string(),
                    subject: task.subject.to_string(),
                    first: first.to_owned(),
                    second: task.id.to_string(),
                });
            }
            let Some(&assignee) = agent_index.get(task.assignee.as_ref()) else {
                return Err(PlanError::UnknownAssignee {
                    team: team.id.to_string(),
                    task: task.id.to_string(),
                    agent: task.assignee.to_string(),
                });
            };
            if !members.contains(&assignee) {
                return Err(PlanError::AssigneeNotMember {
                    team: team.id.to_string(),
                    task: task.id.to_string(),
                    agent: agents[assignee].id.clone(),
                });
            }
            team_tasks.push(tasks.len());
            tasks.push(PlannedTask {
                team: team_index,
                id: task.id.to_string(),
                reference: TaskRef::new(team.id.clone(), task.id.clone()).to_string(),
                subject: task.subject.to_string(),
                description: task.description.to_string(),
                kind: task.kind.to_string(),
                assignee,
                after: Vec::new(),
            });
        }
        teams.push(PlannedTeam {
            id: team.id.to_string(),
            name: team.name.to_string(),
            key: workflow.key(&team.name),
            members,
            tasks: team_tasks,
        });
    }
    Ok((teams, tasks))
}

fn resolve_dependencies(
    workflow: &Workflow,
    teams: &[PlannedTeam],
    tasks: &mut [PlannedTask],
) -> Result<(), PlanError> {
    let index: HashMap<(&str, &str), usize> = tasks
        .iter()
        .enumerate()
        .map(|(position, task)| ((teams[task.team].id.as_str(), task.id.as_str()), position))
        .collect();
    let mut resolved = Vec::with_capacity(tasks.len());
    for (team, task) in workflow.tasks() {
        let mut after = Vec::with_capacity(task.after.len());
        for dependency in &task.after {
            let Some(&position) = index.get(&(dependency.team.as_ref(), dependency.task.as_ref()))
            else {
                return Err(PlanError::UnknownDependency {
                    task: TaskRef::new(team.id.clone(), task.id.clone()).to_string(),
                    dependency: dependency.to_string(),
                });
            };
            if !after.contains(&position) {
                after.push(position);
            }
        }
        resolved.push(after);
    }
    for (task, after) in tasks.iter_mut().zip(resolved) {
        task.after = after;
    }
    Ok(())
}

/// Kahn's algorithm; among ready tasks the one declared first goes first.
fn topological_order(tasks: &[PlannedTask]) -> Result<Vec<usize>, PlanError> {
    let mut waiting_on: Vec<usize> = tasks.iter().map(|task| task.after.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    for (index, task) in tasks.iter().enumerate() {
        for &dependency in &task.after {
            dependents[dependency].push(index);
        }
    }
    let mut ready: BTreeSet<usize> = (0..tasks.len())
        .filter(|&index| waiting_on[index] == 0)
        .collect();
    let mut order = Vec::with_capacity(tasks.len());
    while let Some(index) = ready.pop_first() {
        order.push(index);
        for &dependent in &dependents[index] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    if order.len() == tasks.len() {
        return Ok(order);
    }
    Err(PlanError::Cycle {
        cycle: find_cycle(tasks, &waiting_on),
    })
}

/// A cycle among the tasks Kahn's algorithm could not order: walk dependencies that are
/// themselves unordered until a task repeats.
fn find_cycle(tasks: &[PlannedTask], waiting_on: &[usize]) -> Vec<String> {
    let Some(start) = (0..tasks.len()).find(|&index| waiting_on[index] > 0) else {
        return Vec::new();
    };
    let mut path = vec![start];
    let mut current = start;
    // Every unordered task waits on another unordered task, so the walk ends in a cycle.
    while let Some(&next) = tasks[current]
        .after
        .iter()
        .find(|&&dependency| waiting_on[dependency] > 0)
    {
        if let Some(position) = path.iter().position(|&seen| seen == next) {
            // Each task on `path` depends on the one after it; close the circle.
            return path[position..]
                .iter()
                .chain(std::iter::once(&next))
                .map(|&index| tasks[index].reference.clone())
                .collect();
        }
        path.push(next);
        current = next;
    }
    path.iter()
        .map(|&index| tasks[index].reference.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Agent, Docker, Task, Team};

    fn two_teams() -> Workflow {
        let mut workflow = Workflow::new("plan-test");
        workflow.agents = vec![Agent::new("a"), Agent::new("b")];
        let mut build = Team::new("build", ["a", "b"]);
        let mut compile = Task::new("compile", "Compile", "a");
        compile.after = vec![TaskRef::new("docs", "write")];
        build.tasks = vec![compile, Task::new("lint", "Lint", "b")];
        let mut docs = Team::new("docs", ["b"]);
        docs.tasks = vec![Task::new("write", "Write", "b")];
        workflow.teams = vec![build, docs];
        workflow
    }

    fn plan(workflow: &Workflow) -> Plan {
        Plan::new(workflow).expect("the test workflow is valid")
    }

    #[test]
    fn resolves_keys_members_and_definitions() {
        let mut workflow = two_teams();
        workflow.agents[0].model = Some("claude-opus-4-5".into());
        let mut docker = Docker::new("ghcr.io/example/image:1");
        docker.cpus = 4;
        workflow.agents[1].runtime = Runtime::Docker(docker);
        let plan = plan(&workflow);

        assert_eq!(plan.agents[0].key, crate::key::make_key("plan-test", "a"));
        assert_eq!(plan.teams[1].key, crate::key::make_key("plan-test", "docs"));
        assert_eq!(plan.teams[0].members, vec![0, 1]);
        assert_eq!(plan.teams[0].tasks, vec![0, 1]);
        assert_eq!(plan.teams[1].tasks, vec![2]);

        let local = &plan.agents[0].definition;
        assert_eq!(local.name, plan.agents[0].key);
        assert_eq!(local.label, "a");
        assert_eq!(local.program_args, vec!["--model", "claude-opus-4-5"]);
        let fingerprint = format!("telemachy-settings={}", settings_fingerprint(local));
        assert_eq!(
            local.tags,
            vec!["telemachy", "telemachy-workflow=plan-test", &fingerprint]
        );
        assert_eq!(local.host, "local");
        assert_eq!(local.image, None);

        let docker = &plan.agents[1].definition;
        assert_eq!(docker.host, "docker");
        assert_eq!(docker.image.as_deref(), Some("ghcr.io/example/image:1"));
        assert_eq!(docker.cpus, Some(4));
        assert_eq!(docker.memory.as_deref(), Some("4g"));
        assert!(docker.program_args.is_empty());
        let fingerprint = format!("telemachy-settings={}", settings_fingerprint(docker));
        assert_eq!(docker.tags.last(), Some(&fingerprint));
        assert_ne!(
            docker.tags, local.tags,
            "other settings, another fingerprint"
        );
    }

    #[test]
    fn orders_across_teams_and_keeps_declaration_order_otherwise() {
        let plan = plan(&two_teams());
        // build.compile waits on docs.write; build.lint is free.
        assert_eq!(plan.tasks[0].after, vec![2]);
        assert_eq!(plan.order, vec![1, 2, 0]);
        assert_eq!(plan.tasks[0].reference, "build.compile");
    }

    #[test]
    fn reports_a_cycle_with_its_tasks() {
        let mut workflow = two_teams();
        workflow.teams[1].tasks[0].after = vec![TaskRef::new("build", "compile")];
        let error = Plan::new(&workflow).expect_err("a cycle is refused");
        assert_eq!(
            error,
            PlanError::Cycle {
                cycle: vec![
                    "build.compile".to_owned(),
                    "docs.write".to_owned(),
                    "build.compile".to_owned()
                ]
            }
        );
        assert_eq!(
            error.to_string(),
            "tasks depend on each other in a cycle: build.compile -> docs.write -> build.compile"
        );
    }

    #[test]
    fn reports_a_task_that_depends_on_itself() {
        let mut workflow = two_teams();
        workflow.teams[0].tasks[1].after = vec![TaskRef::new("build", "lint")];
        let error = Plan::new(&workflow).expect_err("a self-dependency is refused");
        assert_eq!(
            error,
            PlanError::Cycle {
                cycle: vec!["build.lint".to_owned(), "build.lint".to_owned()]
            }
        );
    }

    #[test]
    fn refuses_unknown_references() {
        let mut workflow = two_teams();
        workflow.teams[0].tasks[0].after = vec![TaskRef::new("docs", "draw")];
        assert_eq!(
            Plan::new(&workflow),
            Err(PlanError::UnknownDependency {
                task: "build.compile".to_owned(),
                dependency: "docs.draw".to_owned()
            })
        );

        let mut workflow = two_teams();
        workflow.teams[1].agents.push("c".into());
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::UnknownMember { agent, .. }) if agent == "c"
        ));

        let mut workflow = two_teams();
        workflow.teams[0].tasks[1].assignee = "z".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::UnknownAssignee { agent, .. }) if agent == "z"
        ));

        let mut workflow = two_teams();
        workflow.teams[1].tasks[0].assignee = "a".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::AssigneeNotMember { team, agent, .. }) if team == "docs" && agent == "a"
        ));
    }

    #[test]
    fn refuses_duplicates() {
        let mut workflow = two_teams();
        workflow.agents.push(Agent::new("a"));
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::DuplicateAgent { .. })
        ));

        let mut workflow = two_teams();
        workflow.agents[1].name = "a".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::DuplicateAgentName { name, .. }) if name == "a"
        ));

        let mut workflow = two_teams();
        workflow.teams[1].name = "build".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::DuplicateTeamName { .. })
        ));

        let mut workflow = two_teams();
        workflow.teams[0].tasks[1].subject = "Compile".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::DuplicateSubject { subject, .. }) if subject == "Compile"
        ));

        let mut workflow = two_teams();
        workflow.teams[1].agents.push("b".into());
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::DuplicateMember { .. })
        ));
    }

    #[test]
    fn the_same_subject_in_two_teams_is_fine() {
        let mut workflow = two_teams();
        workflow.teams[1].tasks[0].subject = "Compile".into();
        assert!(Plan::new(&workflow).is_ok());
    }

    #[test]
    fn refuses_bad_names_and_settings() {
        let mut workflow = two_teams();
        workflow.name = "has space".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::InvalidWorkflowName { .. })
        ));
        workflow.name = "".into();
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::InvalidWorkflowName { .. })
        ));

        let mut workflow = two_teams();
        let mut docker = Docker::new("image");
        docker.cpus = 0;
        workflow.agents[0].runtime = Runtime::Docker(docker);
        assert!(matches!(
            Plan::new(&workflow),
            Err(PlanError::NoCpus { .. })
        ));
    }
}

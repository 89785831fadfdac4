//! Resolving a [`Workflow`] into a [`Plan`]: keys, server-side definitions, the task graph
//! across teams and an order to submit it in.
//!
//! The `workflow!` macro rejects invalid workflows while it compiles; workflows built at run
//! time meet the same rules ([`crate::rules`]) here, before anything touches a server, and a
//! [`PlanError`] lists every problem with the same messages the macro gives.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::api;
use crate::executor::settings::{SETTINGS_TAG_PREFIX, settings_fingerprint};
use crate::rules::{self, Problems};
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

/// Why a workflow cannot be run: every problem the rules find in it
/// ([`rules`](crate::rules), the same rules `workflow!` applies while it compiles).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("workflow `{workflow}` cannot run: {problems}")]
#[non_exhaustive]
pub struct PlanError {
    /// The workflow's name.
    pub workflow: String,
    /// Every problem, each with its path into the workflow.
    pub problems: Problems,
}

impl Plan {
    /// Resolves `workflow`, or says why it cannot run: every problem at once.
    pub fn new(workflow: &Workflow) -> Result<Plan, PlanError> {
        rules::check(workflow).map_err(|problems| PlanError {
            workflow: workflow.name.to_string(),
            problems,
        })?;
        let agents = plan_agents(workflow);
        let agent_index: HashMap<&str, usize> = agents
            .iter()
            .enumerate()
            .map(|(index, agent)| (agent.id.as_str(), index))
            .collect();
        let (teams, mut tasks) = plan_teams(workflow, &agent_index);
        resolve_dependencies(workflow, &teams, &mut tasks);
        let order = topological_order(&tasks);
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

// Below, the workflow has passed the rules: identifiers are unique, and every reference
// resolves.

fn plan_agents(workflow: &Workflow) -> Vec<PlannedAgent> {
    let tags = vec![
        OWNER_TAG.to_owned(),
        format!("{WORKFLOW_TAG_PREFIX}{}", workflow.name),
    ];
    workflow
        .agents
        .iter()
        .map(|agent| {
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
                definition.host = "docker".to_owned();
                definition.image = Some(docker.image.to_string());
                definition.cpus = Some(docker.cpus);
                definition.memory = Some(docker.memory.to_string());
            }
            let fingerprint = settings_fingerprint(&definition);
            definition
                .tags
                .push(format!("{SETTINGS_TAG_PREFIX}{fingerprint}"));
            PlannedAgent {
                id: agent.id.to_string(),
                name: agent.name.to_string(),
                key,
                definition,
            }
        })
        .collect()
}

fn plan_teams(
    workflow: &Workflow,
    agent_index: &HashMap<&str, usize>,
) -> (Vec<PlannedTeam>, Vec<PlannedTask>) {
    let mut teams = Vec::with_capacity(workflow.teams.len());
    let mut tasks = Vec::new();
    for (team_index, team) in workflow.teams.iter().enumerate() {
        let members = team
            .agents
            .iter()
            .filter_map(|member| agent_index.get(member.as_ref()).copied())
            .collect();
        let mut team_tasks = Vec::with_capacity(team.tasks.len());
        for task in &team.tasks {
            let Some(&assignee) = agent_index.get(task.assignee.as_ref()) else {
                continue;
            };
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
    (teams, tasks)
}

fn resolve_dependencies(workflow: &Workflow, teams: &[PlannedTeam], tasks: &mut [PlannedTask]) {
    let index: HashMap<(&str, &str), usize> = tasks
        .iter()
        .enumerate()
        .map(|(position, task)| ((teams[task.team].id.as_str(), task.id.as_str()), position))
        .collect();
    let resolved: Vec<Vec<usize>> = workflow
        .tasks()
        .map(|(_, task)| {
            task.after
                .iter()
                .filter_map(|dependency| {
                    index
                        .get(&(dependency.team.as_ref(), dependency.task.as_ref()))
                        .copied()
                })
                .collect()
        })
        .collect();
    for (task, after) in tasks.iter_mut().zip(resolved) {
        task.after = after;
    }
}

/// Kahn's algorithm; among ready tasks the one declared first goes first. (The rules have
/// ruled out cycles, so every task is ordered.)
fn topological_order(tasks: &[PlannedTask]) -> Vec<usize> {
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
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
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

    fn rules_broken(workflow: &Workflow) -> Vec<Rule> {
        match Plan::new(workflow) {
            Ok(_) => Vec::new(),
            Err(error) => error.problems.iter().map(|problem| problem.rule).collect(),
        }
    }

    #[test]
    fn reports_a_cycle_with_its_tasks() {
        let mut workflow = two_teams();
        workflow.teams[1].tasks[0].after = vec![TaskRef::new("build", "compile")];
        let error = Plan::new(&workflow).expect_err("a cycle is refused");
        assert_eq!(error.workflow, "plan-test");
        assert_eq!(
            error.to_string(),
            "workflow `plan-test` cannot run: teams[1].tasks[0].after[0]: dependency cycle: \
             `docs.write` -> `build.compile` -> `docs.write` (each task waits for the next): \
             remove one of these dependencies"
        );
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut workflow = two_teams();
        workflow.teams[0].tasks[1].after = vec![TaskRef::new("build", "lint")];
        workflow.teams[0].tasks[0].after = vec![TaskRef::new("docs", "draw")];
        workflow.teams[1].agents.push("c".into());
        workflow.agents.push(Agent::new("a"));
        assert_eq!(
            rules_broken(&workflow),
            [
                Rule::DuplicateId,
                Rule::UnknownMember,
                Rule::UnknownTask,
                Rule::SelfDependency
            ]
        );
    }

    #[test]
    fn the_same_subject_in_two_teams_is_fine() {
        let mut workflow = two_teams();
        workflow.teams[1].tasks[0].subject = "Compile".into();
        assert!(Plan::new(&workflow).is_ok());
    }

    #[test]
    fn any_name_without_control_characters_plans_with_the_python_key() {
        let mut workflow = two_teams();
        workflow.name = "fleet security".into();
        workflow.agents[0].name = "scout alpha".into();
        let plan = plan(&workflow);
        assert_eq!(
            plan.agents[0].key,
            crate::key::make_key("fleet security", "scout alpha")
        );
        assert!(plan.agents[0].key.ends_with("-scout-alpha"));
        assert_eq!(plan.agents[0].definition.label, "scout alpha");
    }

    #[test]
    fn refuses_bad_settings() {
        let mut workflow = two_teams();
        let mut docker = Docker::new("image");
        docker.cpus = 0;
        docker.memory = "lots".into();
        workflow.agents[0].runtime = Runtime::Docker(docker);
        workflow.timeout = Some(Duration::MAX);
        assert_eq!(
            rules_broken(&workflow),
            [
                Rule::TimeoutOutOfRange,
                Rule::CpusOutOfRange,
                Rule::MemoryNotASize
            ]
        );
    }
}

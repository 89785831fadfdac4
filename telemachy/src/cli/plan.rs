//! `plan`: what a run would create, in dependency order, with keys. Needs no server.

use std::fmt::Write as _;
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cli::document::View;
use crate::cli::output::{Failure, print_view};
use crate::executor::Plan;
use crate::spec::Workflow;

/// The plan of a workflow, as `plan --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct PlanView<'p> {
    workflow: &'p str,
    teardown: &'static str,
    timeout_seconds: Option<f64>,
    agents: Vec<AgentView<'p>>,
    teams: Vec<TeamView<'p>>,
    /// In the order a run submits them.
    tasks: Vec<TaskView<'p>>,
}

impl View for PlanView<'_> {
    const COMMAND: &'static str = "plan";
}

#[derive(Debug, Serialize, JsonSchema)]
struct AgentView<'p> {
    id: &'p str,
    key: &'p str,
    label: &'p str,
    program: &'p str,
    model: Option<&'p str>,
    working_dir: &'p str,
    host: &'p str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<&'p str>,
    tags: &'p [String],
}

#[derive(Debug, Serialize, JsonSchema)]
struct TeamView<'p> {
    id: &'p str,
    key: &'p str,
    members: Vec<&'p str>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct TaskView<'p> {
    /// The team's identifier.
    team: &'p str,
    /// The task's identifier within its team.
    task: &'p str,
    subject: &'p str,
    /// The assignee's identifier.
    assignee: &'p str,
    /// The dependencies, as `team.task`.
    after: Vec<&'p str>,
}

/// Prints the plan; exit status 2 if the workflow is invalid.
pub(crate) fn plan(workflow: &Workflow, json: bool) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    let view = view(&plan);
    print_view(&view, json, text)?;
    Ok(ExitCode::SUCCESS)
}

fn view(plan: &Plan) -> PlanView<'_> {
    PlanView {
        workflow: &plan.workflow,
        teardown: plan.teardown.as_str(),
        timeout_seconds: plan.timeout.map(|timeout| timeout.as_secs_f64()),
        agents: plan
            .agents
            .iter()
            .map(|agent| {
                let definition = &agent.definition;
                AgentView {
                    id: &agent.id,
                    key: &agent.key,
                    label: &definition.label,
                    program: &definition.program,
                    model: match definition.program_args.as_slice() {
                        [flag, model] if flag == "--model" => Some(model),
                        _ => None,
                    },
                    working_dir: &definition.working_directory,
                    host: &definition.host,
                    image: definition.image.as_deref(),
                    cpus: definition.cpus,
                    memory: definition.memory.as_deref(),
                    tags: &definition.tags,
                }
            })
            .collect(),
        teams: plan
            .teams
            .iter()
            .map(|team| TeamView {
                id: &team.id,
                key: &team.key,
                members: team
                    .members
                    .iter()
                    .map(|&member| plan.agents[member].id.as_str())
                    .collect(),
            })
            .collect(),
        tasks: plan
            .order
            .iter()
            .map(|&index| {
                let task = &plan.tasks[index];
                TaskView {
                    team: &plan.teams[task.team].id,
                    task: &task.id,
                    subject: &task.subject,
                    assignee: &plan.agents[task.assignee].id,
                    after: task
                        .after
                        .iter()
                        .map(|&dependency| plan.tasks[dependency].reference.as_str())
                        .collect(),
                }
            })
            .collect(),
    }
}

fn text(view: &PlanView<'_>) -> String {
    let mut text = String::new();
    let timeout = view
        .timeout_seconds
        .map_or_else(|| "none".to_owned(), |seconds| format!("{seconds} s"));
    let _ = writeln!(
        text,
        "workflow {} (teardown {}, timeout {timeout})",
        view.workflow, view.teardown
    );
    let _ = writeln!(text, "agents, created first:");
    for agent in &view.agents {
        let mut what = format!("{} {}", agent.host, agent.program);
        if let Some(model) = agent.model {
            let _ = write!(what, " --model {model}");
        }
        if let Some(image) = agent.image {
            let _ = write!(what, ", image {image}");
        }
        let _ = writeln!(text, "  {}  {}  ({what})", agent.id, agent.key);
    }
    let _ = writeln!(text, "teams, created next:");
    for team in &view.teams {
        let _ = writeln!(
            text,
            "  {}  {}  members: {}",
            team.id,
            team.key,
            team.members.join(", ")
        );
    }
    let _ = writeln!(text, "tasks, in the order they are submitted:");
    for (position, task) in view.tasks.iter().enumerate() {
        let after = if task.after.is_empty() {
            String::new()
        } else {
            format!(", after {}", task.after.join(", "))
        };
        let _ = writeln!(
            text,
            "  {}. {}.{}  \"{}\"  by {}{after}",
            position + 1,
            task.team,
            task.task,
            task.subject,
            task.assignee
        );
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Agent, Task, TaskRef, Team};

    #[test]
    fn lists_resources_with_keys_and_tasks_in_dependency_order() {
        let mut workflow = Workflow::new("plan-view");
        let mut agent = Agent::new("writer");
        agent.model = Some("claude-sonnet-4-5".into());
        workflow.agents = vec![agent];
        let mut team = Team::new("desk", ["writer"]);
        let mut second = Task::new("second", "Second", "writer");
        second.after = vec![TaskRef::new("desk", "first")];
        team.tasks = vec![second, Task::new("first", "First", "writer")];
        workflow.teams = vec![team];
        let plan = Plan::new(&workflow).expect("valid");

        let view = view(&plan);
        assert_eq!(view.agents[0].model, Some("claude-sonnet-4-5"));
        let order: Vec<(&str, &str)> = view.tasks.iter().map(|t| (t.team, t.task)).collect();
        assert_eq!(order, [("desk", "first"), ("desk", "second")]);

        let text = text(&view);
        assert!(
            text.contains(&crate::key::make_key("plan-view", "writer")),
            "{text}"
        );
        assert!(text.contains("1. desk.first"), "{text}");
        assert!(
            text.contains("2. desk.second  \"Second\"  by writer, after desk.first"),
            "{text}"
        );

        let json = serde_json::to_value(&view).expect("serialises");
        assert_eq!(json["tasks"][1]["after"][0], "desk.first");
        assert_eq!(
            json["teams"][0]["key"],
            crate::key::make_key("plan-view", "desk")
        );
    }
}

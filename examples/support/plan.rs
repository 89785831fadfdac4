//! Prints a workflow's plan from its specification: agents and teams with their keys, then
//! the tasks in an order that respects every dependency. Shared by the examples.

use std::collections::HashMap;

use telemachy::spec::{Runtime, TaskRef, Workflow};

/// Prints `workflow`'s plan to standard output.
pub(crate) fn print(workflow: &Workflow) {
    let timeout = workflow
        .timeout
        .map_or_else(|| "none".to_owned(), |t| format!("{}s", t.as_secs_f64()));
    println!(
        "workflow {} (teardown: {}, timeout: {timeout})",
        workflow.name, workflow.teardown
    );
    println!("agents:");
    for agent in &workflow.agents {
        let runtime = match &agent.runtime {
            Runtime::Local => "local".to_owned(),
            Runtime::Docker(docker) => format!(
                "docker {} ({} cpus, {})",
                docker.image, docker.cpus, docker.memory
            ),
        };
        println!(
            "  {:<14} {:<40} {} {} in {}, {runtime}",
            agent.id,
            workflow.key(&agent.name),
            agent.program,
            agent.model.as_deref().unwrap_or("(default model)"),
            agent.working_dir,
        );
    }
    println!("teams:");
    for team in &workflow.teams {
        println!(
            "  {:<14} {:<40} members: {}",
            team.id,
            workflow.key(&team.name),
            team.agents.join(", ")
        );
    }
    println!("tasks, in dependency order:");
    for (step, (reference, task)) in in_dependency_order(workflow).into_iter().enumerate() {
        let after: Vec<String> = task.after.iter().map(ToString::to_string).collect();
        let after = if after.is_empty() {
            String::new()
        } else {
            format!(" after {}", after.join(", "))
        };
        println!(
            "  {:>2}. {reference:<28} {:?} by {}{after}",
            step + 1,
            task.subject,
            task.assignee
        );
    }
}

/// Every task once, each after all of its dependencies, otherwise in declaration order
/// (Kahn's algorithm). `workflow!` has ruled out cycles and unknown references.
fn in_dependency_order(workflow: &Workflow) -> Vec<(TaskRef, &telemachy::spec::Task)> {
    let tasks: Vec<(TaskRef, &telemachy::spec::Task)> = workflow
        .tasks()
        .map(|(team, task)| (TaskRef::new(team.id.clone(), task.id.clone()), task))
        .collect();
    let index: HashMap<&TaskRef, usize> =
        tasks.iter().enumerate().map(|(i, (r, _))| (r, i)).collect();
    let mut waiting: Vec<usize> = tasks.iter().map(|(_, task)| task.after.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    for (i, (_, task)) in tasks.iter().enumerate() {
        for dependency in &task.after {
            if let Some(&d) = index.get(dependency) {
                dependents[d].push(i);
            }
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..tasks.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(tasks.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependent in &dependents[next] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    order.into_iter().map(|i| tasks[i].clone()).collect()
}

//! `graph`: the workflow's dependency graph as Graphviz DOT or a Mermaid flowchart. Each
//! task is a node (its identifier, subject and assignee), each team a cluster (its
//! identifier and members), and each dependency an edge from the task that must finish
//! first. Needs no server.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::args::GraphFormat;
use crate::cli::output::{Failure, print_text};
use crate::executor::Plan;
use crate::spec::Workflow;

/// Prints the graph; exit status 2 if the workflow is invalid.
pub(crate) fn graph(workflow: &Workflow, format: GraphFormat) -> Result<ExitCode, Failure> {
    let plan = Plan::new(workflow).map_err(|error| Failure::usage(error.to_string()))?;
    print_text(&match format {
        GraphFormat::Dot => dot(&plan),
        GraphFormat::Mermaid => mermaid(&plan),
    });
    Ok(ExitCode::SUCCESS)
}

/// The members of team `index`, by identifier.
fn members(plan: &Plan, index: usize) -> String {
    plan.teams[index]
        .members
        .iter()
        .map(|&member| plan.agents[member].id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The graph in Graphviz's DOT language.
pub(crate) fn dot(plan: &Plan) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "digraph {} {{", dot_string(&plan.workflow));
    let _ = writeln!(
        text,
        "  label={};",
        dot_string(&format!("workflow {}", plan.workflow))
    );
    text.push_str("  labelloc=t;\n  rankdir=LR;\n  compound=true;\n");
    text.push_str("  node [shape=box, style=rounded];\n");
    for (index, team) in plan.teams.iter().enumerate() {
        let _ = writeln!(text, "  subgraph cluster_{index} {{");
        let label = format!("team {} ({})", team.id, members(plan, index));
        let _ = writeln!(text, "    label={};", dot_string(&label));
        if team.tasks.is_empty() {
            let _ = writeln!(
                text,
                "    {} [label=\"no tasks\", shape=plaintext];",
                dot_string(&format!("{}.", team.id))
            );
        }
        for &task in &team.tasks {
            let task = &plan.tasks[task];
            let label = format!(
                "{}\n{}\nby {}",
                task.id,
                one_line(&task.subject),
                plan.agents[task.assignee].id
            );
            let _ = writeln!(
                text,
                "    {} [label={}];",
                dot_string(&task.reference),
                dot_string(&label)
            );
        }
        text.push_str("  }\n");
    }
    for task in &plan.tasks {
        for &dependency in &task.after {
            let _ = writeln!(
                text,
                "  {} -> {};",
                dot_string(&plan.tasks[dependency].reference),
                dot_string(&task.reference)
            );
        }
    }
    text.push('}');
    text
}

/// `text` as a DOT quoted string: `"` and `\` escaped, line breaks as DOT's `\n`.
fn dot_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => {}
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// The graph as a Mermaid flowchart.
pub(crate) fn mermaid(plan: &Plan) -> String {
    let mut text = String::from("flowchart LR\n");
    for (index, team) in plan.teams.iter().enumerate() {
        let label = format!("team {} ({})", team.id, members(plan, index));
        let _ = writeln!(text, "  subgraph team{index} [{}]", mermaid_string(&label));
        let _ = writeln!(text, "    direction LR");
        for &task in &team.tasks {
            let planned = &plan.tasks[task];
            let label = format!(
                "{}<br/>{}<br/>by {}",
                planned.id,
                one_line(&planned.subject),
                plan.agents[planned.assignee].id
            );
            let _ = writeln!(text, "    task{task}[{}]", mermaid_string(&label));
        }
        text.push_str("  end\n");
    }
    for (index, task) in plan.tasks.iter().enumerate() {
        for &dependency in &task.after {
            let _ = writeln!(text, "  task{dependency} --> task{index}");
        }
    }
    text.trim_end().to_owned()
}

/// `text` as a Mermaid quoted label: quotes and markup characters as entity codes.
fn mermaid_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    let mut rest = text;
    while let Some(character) = rest.chars().next() {
        // The line breaks this module writes itself pass through.
        if let Some(after) = rest.strip_prefix("<br/>") {
            quoted.push_str("<br/>");
            rest = after;
            continue;
        }
        match character {
            '"' => quoted.push_str("#quot;"),
            '<' => quoted.push_str("#lt;"),
            '>' => quoted.push_str("#gt;"),
            '#' => quoted.push_str("#35;"),
            other => quoted.push(other),
        }
        rest = &rest[character.len_utf8()..];
    }
    quoted.push('"');
    quoted
}

/// `text` with its line breaks as spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Agent, Task, TaskRef, Team};

    fn plan() -> Plan {
        let mut workflow = Workflow::new("graph-test");
        workflow.agents = vec![Agent::new("writer"), Agent::new("editor")];
        let mut desk = Team::new("desk", ["writer"]);
        desk.tasks = vec![Task::new("draft", "Draft \"the\" <piece> #1", "writer")];
        let mut review = Team::new("review", ["editor", "writer"]);
        let mut edit = Task::new("edit", "Edit\nthe draft", "editor");
        edit.after = vec![TaskRef::new("desk", "draft")];
        review.tasks = vec![edit];
        workflow.teams = vec![desk, review, Team::new("idle", ["editor"])];
        Plan::new(&workflow).expect("valid")
    }

    #[test]
    fn dot_has_a_cluster_per_team_and_an_edge_per_dependency() {
        let dot = dot(&plan());
        assert!(dot.starts_with("digraph \"graph-test\" {"), "{dot}");
        assert_eq!(dot.matches("subgraph cluster_").count(), 3, "{dot}");
        assert!(
            dot.contains("label=\"team review (editor, writer)\""),
            "{dot}"
        );
        assert!(dot.contains("\"desk.draft\" -> \"review.edit\";"), "{dot}");
        assert!(
            dot.contains(r#"label="draft\nDraft \"the\" <piece> #1\nby writer""#),
            "{dot}"
        );
        assert!(dot.contains("Edit the draft"), "{dot}");
        assert!(dot.contains("no tasks"), "an empty team still shows: {dot}");
        assert!(dot.ends_with('}'));
    }

    #[test]
    fn mermaid_has_a_subgraph_per_team_and_escapes_labels() {
        let mermaid = mermaid(&plan());
        assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
        assert_eq!(mermaid.matches("subgraph team").count(), 3, "{mermaid}");
        assert_eq!(mermaid.matches("\n  end").count(), 3, "{mermaid}");
        assert!(mermaid.contains("task0 --> task1"), "{mermaid}");
        assert!(
            mermaid.contains(
                "task0[\"draft<br/>Draft #quot;the#quot; #lt;piece#gt; #35;1<br/>by writer\"]"
            ),
            "{mermaid}"
        );
    }
}

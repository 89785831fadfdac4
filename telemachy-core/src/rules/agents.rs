//! Each agent on its own: identifier, name, text fields and docker settings.

use std::collections::HashSet;

use super::{Owner, Path, Report, Rule, bounds, field, names, non_empty};
use crate::spec::{Agent, Runtime};

pub(super) fn check(report: &mut Report, agents: &[Agent]) {
    let mut ids: HashSet<&str> = HashSet::with_capacity(agents.len());
    for (index, agent) in agents.iter().enumerate() {
        let path = Path::agent(index);
        let owner = Owner::new("agent", &agent.id);
        if !names::check_id(report, &agent.id, &mut ids, &path, "agent", "") {
            continue;
        }
        names::check_name(report, &agent.name, path.clone().field(field::NAME), owner);
        non_empty(
            report,
            &agent.program,
            path.clone().field(field::PROGRAM),
            "program",
            owner,
        );
        if let Some(model) = &agent.model {
            non_empty(
                report,
                model,
                path.clone().field(field::MODEL),
                "model",
                owner,
            );
        }
        let working_dir = path.clone().field(field::WORKING_DIR);
        non_empty(
            report,
            &agent.working_dir,
            working_dir,
            "working_dir",
            owner,
        );
        if let Runtime::Docker(docker) = &agent.runtime {
            if docker.image.is_empty() {
                report.push(
                    Rule::NoImage,
                    path.clone().field(field::IMAGE),
                    format!("docker {owner} has no image"),
                    "add `image: \"<image>\"`",
                );
            }
            bounds::check_docker(report, docker, &path, owner);
        }
    }
}

//! Requests both client test binaries send: the mock-server tests pin how each goes on the
//! wire, the conformance tests pin what a server makes of it.

use telemachy::api::{NewAgent, NewTask};

/// The name of [`docker_agent`].
pub(crate) const DOCKER_AGENT: &str = "tlm-0123456789abcdef-scout";
/// The name of [`local_agent`].
pub(crate) const LOCAL_AGENT: &str = "tlm-00112233aabbccdd-reviewer";
/// The subject of [`analysis_task`].
pub(crate) const ANALYSIS: &str = "Analyse repository structure";

/// A docker agent with every field the executor sets.
pub(crate) fn docker_agent() -> NewAgent {
    NewAgent {
        name: DOCKER_AGENT.into(),
        label: "scout".into(),
        program: "claude-code".into(),
        working_directory: "/workspace".into(),
        program_args: vec!["--model".into(), "claude-sonnet-4-5".into()],
        tags: vec!["telemachy".into(), "telemachy-workflow=audit".into()],
        role: "worker".into(),
        host: "docker".into(),
        image: Some("ghcr.io/example/scout:1".into()),
        cpus: Some(2),
        memory: Some("4g".into()),
        ..NewAgent::default()
    }
}

/// A local agent with only a name, a program and a host: role, owner and description are
/// left to the server.
pub(crate) fn local_agent() -> NewAgent {
    NewAgent {
        name: LOCAL_AGENT.into(),
        program: "claude-code".into(),
        host: "local".into(),
        ..NewAgent::default()
    }
}

/// The contract's example task, assigned to `assignee` and waiting for `blocked_by`.
pub(crate) fn login_task(assignee: &str, blocked_by: &[&str]) -> NewTask {
    NewTask {
        subject: "Implement login endpoint".into(),
        description: "Add POST /auth/login with JWT response".into(),
        assignee_agent_id: assignee.into(),
        blocked_by: blocked_by.iter().map(|id| (*id).to_owned()).collect(),
        kind: "implementation".into(),
    }
}

/// A task as the executor submits it: subject, description, assignee, type.
pub(crate) fn analysis_task(assignee: &str) -> NewTask {
    NewTask {
        subject: ANALYSIS.into(),
        description: "Explore the repository".into(),
        assignee_agent_id: assignee.into(),
        blocked_by: vec![],
        kind: "general".into(),
    }
}

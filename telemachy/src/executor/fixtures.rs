//! Server-side agents and teams for the executor's unit tests.

use crate::api;

/// An offline agent as the server lists it, with only what the executor reads filled in.
pub(crate) fn agent(id: &str, name: &str, tags: &[&str], created_at: &str) -> api::Agent {
    api::Agent {
        id: id.to_owned(),
        name: name.to_owned(),
        label: String::new(),
        program: String::new(),
        working_directory: String::new(),
        program_args: Vec::new(),
        task_description: String::new(),
        tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
        owner: String::new(),
        role: String::new(),
        host: String::new(),
        image: None,
        cpus: None,
        memory: None,
        status: api::AgentStatus::Offline,
        created_at: created_at.to_owned(),
        updated_at: None,
    }
}

/// A team as the server lists it.
pub(crate) fn team(id: &str, name: &str, members: &[&str], created_at: &str) -> api::Team {
    api::Team {
        id: id.to_owned(),
        name: name.to_owned(),
        agent_ids: members.iter().map(|member| (*member).to_owned()).collect(),
        created_at: created_at.to_owned(),
        updated_at: None,
    }
}

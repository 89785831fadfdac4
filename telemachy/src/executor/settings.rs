//! An agent's settings: the fingerprint every agent records in its tags, and what it takes
//! to bring a stored agent in line with its definition (nothing, a `PATCH`, or a
//! replacement).
//!
//! The server stores an agent's program, working directory, arguments and host, but a
//! create drops a docker agent's `image`, `cpus` and `memory`: those reach the server only
//! through the `PATCH` that follows the create. So the stored values cannot always show
//! what an agent was made with. The fingerprint can: a digest of every declared setting,
//! recorded in the tag `telemachy-settings=<16 hex>` (tags survive a create).
//!
//! Comparing a stored agent with its definition, each setting is
//! - **the same** when the server stores it and it equals the declared value;
//! - **changed** when the server stores another value, or when the server does not store it
//!   (a docker setting whose `PATCH` never happened) and the recorded fingerprint is not the
//!   declared one: it may have changed, and nothing can tell;
//! - **only unrecorded** when the server does not store it and the fingerprint is the
//!   declared one, or there is no fingerprint (an agent made by an older version or by the
//!   Python tool): it is taken as declared and stored with a `PATCH`, so that upgrading
//!   replaces nothing.
//!
//! What an agent was started with — program, model, working directory, runtime, image — is
//! what it is: a change to one of those replaces the agent. CPUs and memory are limits a
//! running container can take (`docker update`): a change to those, and the bookkeeping
//! (the fingerprint tag, the label, unrecorded docker settings), is patched in place.

use sha2::{Digest, Sha256};

use crate::api;

/// The prefix of the tag that records the fingerprint of an agent's declared settings
/// (`telemachy-settings=<16 hex>`).
pub const SETTINGS_TAG_PREFIX: &str = "telemachy-settings=";

/// The tag of an agent that is being replaced: a run that finds it beside a newer agent
/// with its key deletes it once every declared team has moved to the newer one.
pub const SUPERSEDED_TAG: &str = "telemachy-superseded";

/// How many hex characters of the digest a fingerprint keeps.
const FINGERPRINT_HEX_LEN: usize = 16;

/// The fingerprint of the settings in `definition`: the first 16 hex characters of the
/// SHA-256 of its program, working directory, arguments, host, image, CPUs and memory.
///
/// ```
/// use telemachy::api::NewAgent;
/// use telemachy::executor::settings_fingerprint;
///
/// let mut agent = NewAgent { program: "claude-code".into(), ..NewAgent::default() };
/// let before = settings_fingerprint(&agent);
/// assert_eq!(before.len(), 16);
/// agent.cpus = Some(4);
/// assert_ne!(settings_fingerprint(&agent), before);
/// ```
pub fn settings_fingerprint(definition: &api::NewAgent) -> String {
    let settings = serde_json::json!([
        definition.program,
        definition.working_directory,
        definition.program_args,
        definition.host,
        definition.image,
        definition.cpus,
        definition.memory,
    ]);
    let digest = Sha256::digest(settings.to_string().as_bytes());
    let mut hex = String::with_capacity(FINGERPRINT_HEX_LEN);
    for byte in digest.iter().take(FINGERPRINT_HEX_LEN / 2) {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The fingerprint an agent records in its tags, if any.
pub(crate) fn recorded_fingerprint(agent: &api::Agent) -> Option<&str> {
    agent
        .tags
        .iter()
        .find_map(|tag| tag.strip_prefix(SETTINGS_TAG_PREFIX))
}

/// Whether an agent is marked as being replaced.
pub(crate) fn is_superseded(agent: &api::Agent) -> bool {
    agent.tags.iter().any(|tag| tag == SUPERSEDED_TAG)
}

/// What bringing a stored agent in line with its definition takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SettingsAction {
    /// Nothing: the agent is as declared.
    InLine,
    /// A `PATCH` of the agent.
    Update,
    /// A new agent in its place.
    Replace,
}

impl SettingsAction {
    /// `in line`, `update` or `replace`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SettingsAction::InLine => "in line",
            SettingsAction::Update => "update",
            SettingsAction::Replace => "replace",
        }
    }
}

/// How a stored agent compares with its definition; see [`SettingsChange::compare`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingsChange {
    /// What bringing it in line takes.
    pub action: SettingsAction,
    /// The declared settings that changed (`program`, `working_dir`, `model`, `runtime`,
    /// `image`, `cpus`, `memory`), in that order. Empty for an update that only records
    /// what the server did not store (the fingerprint, the label, docker settings).
    pub settings: Vec<String>,
    /// The fingerprint of the declared settings.
    pub declared_fingerprint: String,
    /// The fingerprint the agent records, if any.
    pub recorded_fingerprint: Option<String>,
    /// What an update sends; empty unless `action` is `Update`.
    pub patch: api::AgentPatch,
}

impl SettingsChange {
    /// Compares `existing` (as the server lists it) with `definition`.
    pub fn compare(definition: &api::NewAgent, existing: &api::Agent) -> SettingsChange {
        let declared_fingerprint = settings_fingerprint(definition);
        let recorded = recorded_fingerprint(existing).map(str::to_owned);
        // Without a fingerprint, or with the declared one, what the server does not store
        // is taken as declared; with another one it may have changed.
        let unstored_may_differ = recorded
            .as_deref()
            .is_some_and(|recorded| recorded != declared_fingerprint);

        let mut settings = Vec::new();
        let mut replace = false;
        let mut patch = api::AgentPatch::new();
        let mut stored = |name: &str, same: bool, replaces: bool| {
            if !same {
                settings.push(name.to_owned());
                replace |= replaces;
            }
        };
        stored("program", definition.program == existing.program, true);
        stored(
            "working_dir",
            definition.working_directory == existing.working_directory,
            true,
        );
        stored(
            "model",
            definition.program_args == existing.program_args,
            true,
        );
        // A server that does not say which host counts as the default one, `local`.
        let host = if existing.host.is_empty() {
            "local"
        } else {
            existing.host.as_str()
        };
        stored("runtime", definition.host == host, true);

        // Docker settings: stored only after a `PATCH`.
        match docker_setting(&definition.image, &existing.image, unstored_may_differ) {
            Compared::Same => {}
            Compared::Unrecorded => patch.image = definition.image.clone(),
            Compared::Changed => stored("image", false, true),
        }
        match docker_setting(&definition.cpus, &existing.cpus, unstored_may_differ) {
            Compared::Same => {}
            Compared::Unrecorded => patch.cpus = definition.cpus,
            Compared::Changed => {
                stored("cpus", false, false);
                patch.cpus = definition.cpus;
            }
        }
        match docker_setting(&definition.memory, &existing.memory, unstored_may_differ) {
            Compared::Same => {}
            Compared::Unrecorded => patch.memory = definition.memory.clone(),
            Compared::Changed => {
                stored("memory", false, false);
                patch.memory = definition.memory.clone();
            }
        }

        let tags = wanted_tags(&definition.tags, &existing.tags);
        if tags != existing.tags {
            patch.tags = Some(tags);
        }
        if !definition.label.is_empty() && definition.label != existing.label {
            patch.label = Some(definition.label.clone());
        }

        let action = if replace {
            SettingsAction::Replace
        } else if patch.is_empty() {
            SettingsAction::InLine
        } else {
            SettingsAction::Update
        };
        if action != SettingsAction::Update {
            patch = api::AgentPatch::new();
        }
        SettingsChange {
            action,
            settings,
            declared_fingerprint,
            recorded_fingerprint: recorded,
            patch,
        }
    }

    /// Whether the agent records another fingerprint than the declared one (`false` for an
    /// agent that records none).
    pub fn fingerprint_changed(&self) -> bool {
        self.recorded_fingerprint
            .as_deref()
            .is_some_and(|recorded| recorded != self.declared_fingerprint)
    }
}

/// The patch that stores a docker agent's settings, which a create drops, or `None` when
/// `created` holds them already (a server that stores them on create) or it is no docker
/// agent.
pub(crate) fn docker_patch(
    definition: &api::NewAgent,
    created: &api::Agent,
) -> Option<api::AgentPatch> {
    let mut patch = api::AgentPatch::new();
    if definition.image.is_some() && created.image != definition.image {
        patch.image = definition.image.clone();
    }
    if definition.cpus.is_some() && created.cpus != definition.cpus {
        patch.cpus = definition.cpus;
    }
    if definition.memory.is_some() && created.memory != definition.memory {
        patch.memory = definition.memory.clone();
    }
    (!patch.is_empty()).then_some(patch)
}

/// The tags `existing` should have: its own, without an old fingerprint or the superseded
/// mark, then each declared tag it lacks.
fn wanted_tags(declared: &[String], existing: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = existing
        .iter()
        .filter(|tag| {
            declared.contains(tag)
                || !(tag.starts_with(SETTINGS_TAG_PREFIX) || tag.as_str() == SUPERSEDED_TAG)
        })
        .cloned()
        .collect();
    for tag in declared {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    tags
}

/// The tags of an agent marked as superseded.
pub(crate) fn superseded_tags(existing: &[String]) -> Vec<String> {
    let mut tags = existing.to_vec();
    if !tags.iter().any(|tag| tag == SUPERSEDED_TAG) {
        tags.push(SUPERSEDED_TAG.to_owned());
    }
    tags
}

enum Compared {
    Same,
    /// Not stored; taken as declared.
    Unrecorded,
    Changed,
}

fn docker_setting<T: PartialEq>(
    declared: &Option<T>,
    stored: &Option<T>,
    unstored_may_differ: bool,
) -> Compared {
    match (declared, stored) {
        // Not a setting of this agent (a local one): whatever the server holds is harmless.
        (None, _) => Compared::Same,
        (declared, stored) if declared == stored => Compared::Same,
        (Some(_), None) if !unstored_may_differ => Compared::Unrecorded,
        _ => Compared::Changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::fixtures;

    fn docker_definition() -> api::NewAgent {
        let mut definition = api::NewAgent {
            name: "tlm-0123456789abcdef-scout".to_owned(),
            label: "scout".to_owned(),
            program: "claude-code".to_owned(),
            working_directory: "/work".to_owned(),
            program_args: vec!["--model".to_owned(), "m".to_owned()],
            host: "docker".to_owned(),
            image: Some("img:1".to_owned()),
            cpus: Some(2),
            memory: Some("4g".to_owned()),
            ..api::NewAgent::default()
        };
        definition.tags = vec![
            "telemachy".to_owned(),
            "telemachy-workflow=w".to_owned(),
            format!("{SETTINGS_TAG_PREFIX}{}", settings_fingerprint(&definition)),
        ];
        definition
    }

    /// The agent as the server stores `definition` after a create (docker settings
    /// dropped) and, with `patched`, the `PATCH` that follows it.
    fn stored(definition: &api::NewAgent, patched: bool) -> api::Agent {
        let mut agent = fixtures::agent("a1", &definition.name, &[], "2026-01-01T00:00:00Z");
        agent.label = definition.label.clone();
        agent.program = definition.program.clone();
        agent.working_directory = definition.working_directory.clone();
        agent.program_args = definition.program_args.clone();
        agent.host = definition.host.clone();
        agent.tags = definition.tags.clone();
        if patched {
            agent.image = definition.image.clone();
            agent.cpus = definition.cpus;
            agent.memory = definition.memory.clone();
        }
        agent
    }

    #[test]
    fn an_agent_as_declared_is_in_line() {
        let definition = docker_definition();
        let change = SettingsChange::compare(&definition, &stored(&definition, true));
        assert_eq!(change.action, SettingsAction::InLine);
        assert!(change.settings.is_empty() && change.patch.is_empty());
        assert!(!change.fingerprint_changed());
    }

    #[test]
    fn docker_settings_a_create_dropped_are_patched() {
        let definition = docker_definition();
        let change = SettingsChange::compare(&definition, &stored(&definition, false));
        assert_eq!(change.action, SettingsAction::Update);
        assert!(change.settings.is_empty(), "{:?}", change.settings);
        assert_eq!(change.patch.image.as_deref(), Some("img:1"));
        assert_eq!(change.patch.cpus, Some(2));
        assert_eq!(change.patch.tags, None);
    }

    #[test]
    fn changed_limits_are_patched_and_a_changed_image_replaces() {
        let old = docker_definition();
        let existing = stored(&old, true);

        let mut more_cpus = old.clone();
        more_cpus.cpus = Some(8);
        more_cpus.tags[2] = format!("{SETTINGS_TAG_PREFIX}{}", settings_fingerprint(&more_cpus));
        let change = SettingsChange::compare(&more_cpus, &existing);
        assert_eq!(change.action, SettingsAction::Update);
        assert_eq!(change.settings, ["cpus"]);
        assert!(change.fingerprint_changed());
        assert_eq!(change.patch.cpus, Some(8));
        let tags = change.patch.tags.expect("the new fingerprint is recorded");
        assert_eq!(tags, more_cpus.tags);

        let mut new_image = old.clone();
        new_image.image = Some("img:2".to_owned());
        new_image.program_args = vec!["--model".to_owned(), "n".to_owned()];
        let change = SettingsChange::compare(&new_image, &existing);
        assert_eq!(change.action, SettingsAction::Replace);
        assert_eq!(change.settings, ["model", "image"]);
        assert!(change.patch.is_empty());
    }

    #[test]
    fn with_another_fingerprint_unstored_settings_count_as_changed() {
        let old = docker_definition();
        // Created, never patched, and the definition changed since.
        let existing = stored(&old, false);
        let mut changed = old.clone();
        changed.memory = Some("8g".to_owned());
        changed.tags[2] = format!("{SETTINGS_TAG_PREFIX}{}", settings_fingerprint(&changed));
        let change = SettingsChange::compare(&changed, &existing);
        assert_eq!(
            change.action,
            SettingsAction::Replace,
            "the image may differ"
        );
        assert_eq!(change.settings, ["image", "cpus", "memory"]);
    }

    #[test]
    fn agents_of_older_versions_are_adopted_with_a_patch() {
        let definition = docker_definition();
        let mut existing = stored(&definition, false);
        existing.tags = vec!["telemachy".to_owned(), "telemachy-workflow=w".to_owned()];
        existing.label = String::new();
        let change = SettingsChange::compare(&definition, &existing);
        assert_eq!(change.action, SettingsAction::Update);
        assert!(change.settings.is_empty());
        assert_eq!(change.recorded_fingerprint, None);
        assert_eq!(change.patch.tags.as_ref(), Some(&definition.tags));
        assert_eq!(change.patch.label.as_deref(), Some("scout"));
        assert_eq!(change.patch.memory.as_deref(), Some("4g"));

        // The Python tool's: no tags; a model changed since is still seen.
        existing.tags.clear();
        existing.program_args = vec!["--model".to_owned(), "old".to_owned()];
        let change = SettingsChange::compare(&definition, &existing);
        assert_eq!(change.action, SettingsAction::Replace);
        assert_eq!(change.settings, ["model"]);
    }

    #[test]
    fn tags_keep_foreign_ones_and_lose_the_old_fingerprint_and_mark() {
        let declared = vec!["telemachy".to_owned(), format!("{SETTINGS_TAG_PREFIX}new")];
        let existing = vec![
            "mine".to_owned(),
            format!("{SETTINGS_TAG_PREFIX}old"),
            SUPERSEDED_TAG.to_owned(),
            "telemachy".to_owned(),
        ];
        assert_eq!(
            wanted_tags(&declared, &existing),
            ["mine", "telemachy", "telemachy-settings=new"]
        );
        assert_eq!(superseded_tags(&existing), existing);
        assert_eq!(
            superseded_tags(&declared).last().map(String::as_str),
            Some(SUPERSEDED_TAG)
        );
    }

    #[test]
    fn a_local_agent_needs_no_docker_patch() {
        let mut local = docker_definition();
        local.host = "local".to_owned();
        local.image = None;
        local.cpus = None;
        local.memory = None;
        assert_eq!(docker_patch(&local, &stored(&local, false)), None);
        let docker = docker_definition();
        let patch = docker_patch(&docker, &stored(&docker, false)).expect("a patch");
        assert_eq!(patch.image.as_deref(), Some("img:1"));
        assert_eq!(docker_patch(&docker, &stored(&docker, true)), None);
    }
}

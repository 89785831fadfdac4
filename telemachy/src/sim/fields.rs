//! The fields a request body may set, typed the way the server reads them.
//!
//! A known field with the wrong JSON type is refused (the real server crashes on it; the
//! simulator answers 400 instead). Unknown fields are collected here; a create drops them
//! and an update stores them, as the real server does. Fields the server owns (`id`,
//! `createdAt`) are never taken from a body.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Fields of `POST /v1/agents` and `PATCH /v1/agents/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AgentFields {
    #[serde(default, deserialize_with = "present")]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) label: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) program: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) working_directory: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) program_args: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) task_description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) owner: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) role: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) host: Option<String>,
    /// Honoured by `PATCH` only; a new agent always starts `offline`.
    #[serde(default, deserialize_with = "present")]
    pub(crate) status: Option<String>,
    /// Everything else, `image`, `cpus` and `memory` of docker agents included: dropped by a
    /// create, stored by a `PATCH`.
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Fields of `POST /v1/teams` and `PUT /v1/teams/{id}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TeamFields {
    #[serde(default, deserialize_with = "present")]
    pub(crate) name: Option<String>,
    #[serde(default, rename = "agentIds", deserialize_with = "present")]
    pub(crate) agent_ids: Option<Vec<String>>,
    /// The snake_case spelling the server also accepts; `agentIds` wins when both are given.
    #[serde(default, rename = "agent_ids", deserialize_with = "present")]
    pub(crate) agent_ids_snake: Option<Vec<String>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl TeamFields {
    /// The members, in whichever spelling the body used.
    pub(crate) fn members(&mut self) -> Option<Vec<String>> {
        self.agent_ids
            .take()
            .or_else(|| self.agent_ids_snake.take())
    }
}

/// Fields of `POST /v1/teams/{team_id}/tasks` and `PUT`/`PATCH` of one task.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskFields {
    #[serde(default, deserialize_with = "present")]
    pub(crate) subject: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) assignee_agent_id: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) blocked_by: Option<Vec<String>>,
    #[serde(default, rename = "type", deserialize_with = "present")]
    pub(crate) kind: Option<String>,
    /// Honoured by updates only; a new task always starts `pending`.
    #[serde(default, deserialize_with = "present")]
    pub(crate) status: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Keys the server owns on every resource; never taken from a body. (The real server
/// keeps no `updatedAt`: an update that sends one stores it like any unknown field.)
const SERVER_OWNED: &[&str] = &["id", "createdAt"];

/// Removes the server-owned keys (and `more`) from unknown fields.
pub(crate) fn strip_owned(extra: &mut Map<String, Value>, more: &[&str]) {
    for key in SERVER_OWNED.iter().chain(more) {
        extra.remove(*key);
    }
}

/// Reads a field that, when present, must have its type: `null` is refused like any other
/// wrong type instead of passing for an absent field.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn unknown_fields_are_kept() {
        let fields: AgentFields =
            parse(r#"{"name":"a","host":"docker","image":"img","cpus":2}"#).expect("valid");
        assert_eq!(fields.name.as_deref(), Some("a"));
        assert_eq!(fields.extra.get("image"), Some(&Value::from("img")));
        assert_eq!(fields.extra.get("cpus"), Some(&Value::from(2)));
    }

    #[test]
    fn wrong_types_and_null_are_refused() {
        assert!(parse::<AgentFields>(r#"{"name":1}"#).is_err());
        assert!(parse::<AgentFields>(r#"{"tags":"x"}"#).is_err());
        assert!(parse::<TaskFields>(r#"{"status":null}"#).is_err());
        assert!(parse::<TeamFields>(r#"{"agentIds":[1]}"#).is_err());
    }

    #[test]
    fn both_member_spellings() {
        let mut camel: TeamFields = parse(r#"{"agentIds":["a"]}"#).expect("valid");
        assert_eq!(camel.members(), Some(vec!["a".to_owned()]));
        let mut snake: TeamFields = parse(r#"{"agent_ids":["b"]}"#).expect("valid");
        assert_eq!(snake.members(), Some(vec!["b".to_owned()]));
        let mut both: TeamFields = parse(r#"{"agent_ids":["b"],"agentIds":["a"]}"#).expect("ok");
        assert_eq!(both.members(), Some(vec!["a".to_owned()]));
    }
}

//! The JSON documents that `--json` prints. Every document starts with `schema_version` and
//! `command`, followed by the command's own fields; a JSON Schema for each command's
//! document is kept in `telemachy/schemas/<command>.schema.json`, generated from these
//! types (a unit test fails when a file is out of date; `TELEMACHY_WRITE_SCHEMAS=1 cargo
//! test -p telemachy --lib schemas` rewrites them).
//!
//! The same things have the same names in every document: `workflow` (the workflow's
//! name), `id` (an agent's or a team's identifier in the workflow), `key` (its name on the
//! server, `tlm-*`), `server_id` (its id on the server), `kind` (`agent` or `team`), and
//! for a task `team` and `task` (identifiers), `subject`, `attempt` and `status`.

use schemars::JsonSchema;
use serde::Serialize;

/// The version of the `--json` documents' schemas. It goes up by one whenever a field is
/// removed, renamed or changes its meaning; new fields may appear without a new version.
pub const SCHEMA_VERSION: u32 = 1;

/// A command's JSON document: what [`Document`] wraps.
pub(crate) trait View: Serialize + JsonSchema {
    /// The command that prints it, as the document's `command` says.
    const COMMAND: &'static str;
}

/// What `--json` prints: the schema's version, the command, and the command's fields.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Document<T> {
    /// The version of this document's schema (see the README's "JSON output").
    schema_version: u32,
    /// The command that printed the document.
    command: &'static str,
    #[serde(flatten)]
    body: T,
}

impl<'v, T: View> Document<&'v T> {
    /// The document for `view`.
    pub(crate) fn new(view: &'v T) -> Self {
        Document {
            schema_version: SCHEMA_VERSION,
            command: T::COMMAND,
            body: view,
        }
    }
}

/// The JSON Schema of `T`'s document, with `schema_version` and `command` pinned.
#[cfg(test)]
pub(crate) fn schema<T: View>() -> serde_json::Value {
    // What the output holds: a field is required unless it may be left out.
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Document<T>>()
        .to_value();
    schema["title"] = format!("telemachy {} --json", T::COMMAND).into();
    if let Some(properties) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        properties.insert(
            "schema_version".to_owned(),
            serde_json::json!({
                "description": "The version of this document's schema.",
                "const": SCHEMA_VERSION,
            }),
        );
        properties.insert(
            "command".to_owned(),
            serde_json::json!({
                "description": "The command that printed the document.",
                "const": T::COMMAND,
            }),
        );
    }
    schema
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{View, schema};
    use crate::cli::{check, destroy, plan, run, status};

    /// Every command's schema, by the command's name.
    fn schemas() -> Vec<(&'static str, serde_json::Value)> {
        fn entry<T: View>() -> (&'static str, serde_json::Value) {
            (T::COMMAND, schema::<T>())
        }
        vec![
            entry::<run::RunView<'static>>(),
            entry::<plan::PlanView<'static>>(),
            entry::<check::CheckView>(),
            entry::<status::StatusView>(),
            entry::<destroy::DestroyView>(),
        ]
    }

    #[test]
    fn schemas_in_the_repository_are_up_to_date() {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let write = std::env::var_os("TELEMACHY_WRITE_SCHEMAS").is_some();
        for (command, schema) in schemas() {
            let path = directory.join(format!("{command}.schema.json"));
            let text = serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n";
            if write {
                std::fs::create_dir_all(&directory).expect("the directory can be made");
                std::fs::write(&path, &text).expect("the schema can be written");
                continue;
            }
            let stored = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                stored == text,
                "{} is out of date: review the change, then rewrite it with \
                 `TELEMACHY_WRITE_SCHEMAS=1 cargo test -p telemachy --lib schemas` \
                 (and raise SCHEMA_VERSION if a field was removed, renamed or changed meaning)",
                path.display()
            );
        }
    }

    #[test]
    fn every_schema_pins_its_version_and_command() {
        for (command, schema) in schemas() {
            assert_eq!(
                schema["properties"]["schema_version"]["const"],
                super::SCHEMA_VERSION
            );
            assert_eq!(schema["properties"]["command"]["const"], command);
            let required = schema["required"].as_array().expect("required fields");
            assert!(
                required.iter().any(|field| field == "schema_version"),
                "{command}"
            );
            assert!(
                required.iter().any(|field| field == "workflow"),
                "{command}"
            );
        }
    }
}

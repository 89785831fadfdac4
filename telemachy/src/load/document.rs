//! A workflow file as a tree of YAML nodes that remember where they stand (JSON is read as
//! the YAML it also is), and the way from a path of keys and indices to a position.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use super::error::Position;

/// A node of the file, with its place.
pub(crate) type Node = MarkedYamlOwned;

/// One step into a file: a key of a mapping or an entry of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// The value of this key.
    Key(&'a str),
    /// The entry at this index, from 0.
    Index(usize),
}

/// What a file could not be read as: a message and where.
pub(crate) struct SyntaxError {
    pub(crate) position: Option<Position>,
    pub(crate) message: String,
}

/// Parses `text`, which must hold exactly one YAML (or JSON) document.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut documents = Node::load_from_str(text).map_err(|error| SyntaxError {
        position: Some(Position::of(error.marker())),
        message: format!("not valid YAML or JSON: {}", error.info()),
    })?;
    match documents.len() {
        1 => Ok(documents.remove(0)),
        0 => Err(SyntaxError {
            position: None,
            message: "the file is empty: a workflow file holds one workflow".to_owned(),
        }),
        n => Err(SyntaxError {
            position: documents
                .get(1)
                .map(|second| Position::of(&second.span.start)),
            message: format!("the file holds {n} documents: a workflow file holds one workflow"),
        }),
    }
}

/// The node a value stands for, looking through tags (`!!str 12`).
pub(crate) fn untagged(node: &Node) -> &Node {
    match &node.data {
        YamlDataOwned::Tagged(_, inner) => untagged(inner),
        _ => node,
    }
}

/// The text of a string scalar.
pub(crate) fn as_str(node: &Node) -> Option<&str> {
    match &untagged(node).data {
        YamlDataOwned::Value(ScalarOwned::String(text)) => Some(text),
        YamlDataOwned::Representation(text, ..) => Some(text),
        _ => None,
    }
}

/// The value of `key` in a mapping node, with the key's own node.
pub(crate) fn entry<'a>(node: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    match &untagged(node).data {
        YamlDataOwned::Mapping(map) => map.iter().find(|(k, _)| as_str(k) == Some(key)),
        _ => None,
    }
}

/// Where the element at `steps` stands, or, when part of the way is missing (a field left
/// to its default), where the deepest element on the way stands. A key that leads to a list
/// or a mapping is placed at the key; any other value at the value.
pub(crate) fn locate(root: &Node, steps: &[Step<'_>]) -> Position {
    let mut node = root;
    let mut at = &root.span.start;
    for step in steps {
        match *step {
            Step::Key(key) => {
                let Some((key_node, value)) = entry(node, key) else {
                    break;
                };
                at = match &untagged(value).data {
                    YamlDataOwned::Sequence(_) | YamlDataOwned::Mapping(_) => &key_node.span.start,
                    _ => &value.span.start,
                };
                node = value;
            }
            Step::Index(index) => {
                let YamlDataOwned::Sequence(entries) = &untagged(node).data else {
                    break;
                };
                let Some(value) = entries.get(index) else {
                    break;
                };
                at = &value.span.start;
                node = value;
            }
        }
    }
    Position::of(at)
}

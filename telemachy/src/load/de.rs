//! A serde `Deserializer` over the file's positioned nodes: every error knows its line and
//! column, names the field it is about, and says what to write instead.
//!
//! Unknown fields are checked here, against the field list serde hands to
//! `deserialize_struct`, rather than by `deny_unknown_fields`: so every unknown field of the
//! file is reported (each with "did you mean"), not only the first, and reading goes on.

use std::cell::RefCell;
use std::fmt;

use saphyr::{ScalarOwned, YamlDataOwned};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::document::{Node, as_str, entry, untagged};
use super::error::Position;
use telemachy_core::suggest;

/// What reading one file shares: the field names another spelling suggests, and the
/// unknown fields found so far.
pub(crate) struct Reader {
    /// `(written, meant)`: a field name of the other format and the one this format uses.
    aliases: &'static [(&'static str, &'static str)],
    unknown: RefCell<Vec<Located>>,
}

/// A message at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) position: Position,
    pub(crate) message: String,
}

impl Reader {
    pub(crate) fn new(aliases: &'static [(&'static str, &'static str)]) -> Self {
        Reader {
            aliases,
            unknown: RefCell::new(Vec::new()),
        }
    }

    /// Reads `root` as a `T`, and every problem found: unknown fields (the value is read
    /// all the same, without them), and the first value that could not be read (then there
    /// is no value).
    pub(crate) fn read<T: de::DeserializeOwned>(&self, root: &Node) -> (Option<T>, Vec<Located>) {
        let result = T::deserialize(NodeDe {
            node: root,
            reader: self,
            label: String::new(),
        });
        let mut problems = self.unknown.take();
        let value = match result {
            Ok(value) => Some(value),
            Err(Error {
                kind: Kind::Reported,
                ..
            }) => None,
            Err(error) => {
                problems.push(error.located(root));
                None
            }
        };
        problems.sort_by_key(|problem| problem.position);
        (value, problems)
    }

    /// The field an unknown `key` most likely means among `fields`.
    fn suggestion(&self, key: &str, fields: &'static [&'static str]) -> Option<&'static str> {
        self.aliases
            .iter()
            .find(|(alias, meant)| *alias == key && fields.contains(meant))
            .map(|(_, meant)| *meant)
            .or_else(|| suggest::closest(key, fields.iter().copied()))
    }
}

/// A deserialisation error, placed once it reaches the node it is about.
#[derive(Debug)]
pub(crate) struct Error {
    kind: Kind,
    at: Option<Position>,
}

#[derive(Debug)]
enum Kind {
    /// The final message.
    Message(String),
    /// A value of the wrong kind, found by a visitor.
    InvalidType { found: String, expected: String },
    /// A value out of range, found by a visitor.
    InvalidValue { found: String, expected: String },
    /// A word outside a fixed set.
    UnknownVariant {
        word: String,
        expected: &'static [&'static str],
    },
    /// A required field left out.
    Missing(&'static str),
    /// A required field left out that a misspelt field, reported already, means.
    Reported,
}

impl Error {
    fn at(message: String, node: &Node) -> Error {
        Error {
            kind: Kind::Message(message),
            at: Some(Position::of(&node.span.start)),
        }
    }

    /// This error with its final message and position: `node`'s, the node being read
    /// (called `label`), unless a deeper one placed it already.
    fn place(self, node: &Node, label: &str) -> Error {
        if self.at.is_some() {
            return self;
        }
        let message = match self.kind {
            Kind::Message(message) => message,
            Kind::InvalidType { found, expected } => {
                format!("{} expects {expected}, found {found}", quoted(label))
            }
            Kind::InvalidValue { found, expected } => {
                format!(
                    "{} is {found}: expected {}",
                    quoted(label),
                    plain(&expected)
                )
            }
            Kind::UnknownVariant { word, expected } => {
                let hint = match suggest::closest(&word, expected.iter().copied()) {
                    Some(found) => format!("did you mean `{found}`?"),
                    None => format!("expected one of {}", suggest::alternatives(expected)),
                };
                format!("unknown {} `{word}`: {hint}", noun(label))
            }
            Kind::Missing(field) => format!("`{field}` is missing"),
            Kind::Reported => return self,
        };
        Error::at(message, node)
    }

    fn located(self, root: &Node) -> Located {
        let placed = self.place(root, "");
        let message = match placed.kind {
            Kind::Message(message) => message,
            other => format!("{other:?}"),
        };
        Located {
            position: placed.at.unwrap_or_else(|| Position::of(&root.span.start)),
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Message(message) => f.write_str(message),
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error {
            kind: Kind::Message(message.to_string()),
            at: None,
        }
    }

    fn invalid_type(found: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error {
            kind: Kind::InvalidType {
                found: found.to_string(),
                expected: expected.to_string(),
            },
            at: None,
        }
    }

    fn invalid_value(found: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error {
            kind: Kind::InvalidValue {
                found: found.to_string(),
                expected: expected.to_string(),
            },
            at: None,
        }
    }

    fn unknown_variant(word: &str, expected: &'static [&'static str]) -> Self {
        Error {
            kind: Kind::UnknownVariant {
                word: word.to_owned(),
                expected,
            },
            at: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            kind: Kind::Missing(field),
            at: None,
        }
    }
}

/// `` `label` ``, or "the file" for the top.
fn quoted(label: &str) -> String {
    if label.is_empty() {
        "the file".to_owned()
    } else {
        format!("`{label}`")
    }
}

/// What a field's words are called in messages ("unknown teardown policy `x`").
fn noun(label: &str) -> String {
    match label {
        "teardown" => "teardown policy".to_owned(),
        "runtime" => "runtime".to_owned(),
        other => format!("value of `{other}`"),
    }
}

/// Serde's names of number types, in words.
fn plain(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => {
            "a whole number, 0 or more, that is not too large".to_owned()
        }
        other => other.to_owned(),
    }
}

/// What a node holds, in words, for "expects ..., found ...".
fn found(node: &Node) -> &'static str {
    match &untagged(node).data {
        YamlDataOwned::Value(ScalarOwned::Null) => "nothing (null)",
        YamlDataOwned::Value(ScalarOwned::Boolean(_)) => "true or false",
        YamlDataOwned::Value(ScalarOwned::Integer(_)) => "a whole number",
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(_)) => "a decimal number",
        YamlDataOwned::Value(ScalarOwned::String(_)) | YamlDataOwned::Representation(..) => {
            "a string"
        }
        YamlDataOwned::Sequence(_) => "a list",
        YamlDataOwned::Mapping(_) => "a mapping",
        YamlDataOwned::Tagged(..) | YamlDataOwned::Alias(_) | YamlDataOwned::BadValue => {
            "a value that cannot be read"
        }
    }
}

/// How to write a value of the kind that was expected.
fn advice(expected: &str, node: &Node) -> &'static str {
    let is_string = as_str(node).is_some();
    match expected {
        "a string" if !is_string => ": write it in quotes",
        "a whole number" | "a number" if is_string => ": write it without quotes",
        _ => "",
    }
}

/// Deserialises one node.
struct NodeDe<'a> {
    node: &'a Node,
    reader: &'a Reader,
    /// The field (or list entry) the node is the value of, for messages: `cpus`,
    /// `members[1]`; empty for the file's top.
    label: String,
}

impl<'a> NodeDe<'a> {
    fn child(&self, node: &'a Node, label: String) -> NodeDe<'a> {
        NodeDe {
            node,
            reader: self.reader,
            label,
        }
    }

    fn expected(&self, expected: &str) -> Error {
        Error::at(
            format!(
                "{} expects {expected}, found {}{}",
                quoted(&self.label),
                found(self.node),
                advice(expected, self.node)
            ),
            self.node,
        )
    }

    /// `node`'s integer.
    fn integer(&self) -> Option<i64> {
        match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::Integer(value)) => Some(*value),
            _ => None,
        }
    }

    fn visit_integer<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.integer() {
            Some(value) => match u64::try_from(value) {
                Ok(value) => visitor.visit_u64(value),
                Err(_) => visitor.visit_i64(value),
            },
            None => return Err(self.expected("a whole number")),
        };
        result.map_err(|error: Error| error.place(self.node, &self.label))
    }

    /// "agent `architect`": the kind of element a mapping is and its identifier, for
    /// messages about its fields.
    fn owner(&self, kind: &str) -> String {
        let name = ["id", "name", "subject"]
            .iter()
            .find_map(|key| entry(self.node, key).and_then(|(_, value)| as_str(value)))
            .or_else(|| {
                entry(self.node, "metadata")
                    .and_then(|(_, metadata)| entry(metadata, "name"))
                    .and_then(|(_, value)| as_str(value))
            });
        match name {
            Some(name) => format!("{kind} `{name}`"),
            None => format!("the {kind}"),
        }
    }
}

impl<'a> de::Deserializer<'a> for NodeDe<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::Null) => visitor.visit_unit(),
            YamlDataOwned::Value(ScalarOwned::Boolean(value)) => visitor.visit_bool(*value),
            YamlDataOwned::Value(ScalarOwned::Integer(_)) => return self.visit_integer(visitor),
            YamlDataOwned::Value(ScalarOwned::FloatingPoint(value)) => {
                visitor.visit_f64(value.into_inner())
            }
            YamlDataOwned::Sequence(_) => return self.deserialize_seq(visitor),
            YamlDataOwned::Mapping(_) => return self.deserialize_map(visitor),
            _ => match as_str(self.node) {
                Some(text) => visitor.visit_str(text),
                None => return Err(self.expected("a value")),
            },
        };
        result.map_err(|error: Error| error.place(self.node, &self.label))
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::Boolean(value)) => visitor
                .visit_bool(*value)
                .map_err(|error: Error| error.place(self.node, &self.label)),
            _ => Err(self.expected("true or false")),
        }
    }

    fn deserialize_i8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_i16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_i32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_i64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_u8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_u16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_u32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }
    fn deserialize_u64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit_integer(visitor)
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::FloatingPoint(value)) => {
                visitor.visit_f64(value.into_inner())
            }
            YamlDataOwned::Value(ScalarOwned::Integer(_)) => return self.visit_integer(visitor),
            _ => return Err(self.expected("a number")),
        };
        result.map_err(|error: Error| error.place(self.node, &self.label))
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match as_str(self.node) {
            Some(text) => visitor
                .visit_str(text)
                .map_err(|error: Error| error.place(self.node, &self.label)),
            None => Err(self.expected("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::Null) => visitor
                .visit_none()
                .map_err(|error: Error| error.place(self.node, &self.label)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &untagged(self.node).data {
            YamlDataOwned::Value(ScalarOwned::Null) => visitor
                .visit_unit()
                .map_err(|error: Error| error.place(self.node, &self.label)),
            _ => Err(self.expected("nothing (null)")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let YamlDataOwned::Sequence(entries) = &untagged(self.node).data else {
            return Err(self.expected("a list"));
        };
        let access = Entries {
            parent: &self,
            entries: entries.iter().enumerate(),
        };
        visitor
            .visit_seq(access)
            .map_err(|error: Error| error.place(self.node, &self.label))
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let YamlDataOwned::Mapping(map) = &untagged(self.node).data else {
            return Err(self.expected("a mapping"));
        };
        let access = Fields {
            parent: &self,
            entries: map.iter().collect::<Vec<_>>().into_iter(),
            value: None,
        };
        visitor
            .visit_map(access)
            .map_err(|error: Error| error.place(self.node, &self.label))
    }

    /// Reports every field not in `fields` (with "did you mean") and reads the rest; a
    /// missing field is reported at the mapping, naming its owner.
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        kind: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let YamlDataOwned::Mapping(map) = &untagged(self.node).data else {
            return Err(self.expected(&format!("{} (a mapping of fields)", article(kind))));
        };
        let owner = self.owner(kind);
        let mut known = Vec::with_capacity(map.len());
        let mut meant = Vec::new();
        for (key, value) in map {
            match as_str(key) {
                Some(name) if fields.contains(&name) => known.push((key, value)),
                Some(name) => {
                    let suggestion = self.reader.suggestion(name, fields);
                    meant.extend(suggestion);
                    let hint = match suggestion {
                        Some(found) => format!("did you mean `{found}`?"),
                        None => format!("expected {}", suggest::alternatives(fields)),
                    };
                    self.reader.unknown.borrow_mut().push(Located {
                        position: Position::of(&key.span.start),
                        message: format!("unknown field `{name}` in {owner}: {hint}"),
                    });
                }
                None => {
                    return Err(Error::at(
                        format!(
                            "the fields of {owner} are named by strings, found {}",
                            found(key)
                        ),
                        key,
                    ));
                }
            }
        }
        let access = Fields {
            parent: &self,
            entries: known.into_iter(),
            value: None,
        };
        visitor.visit_map(access).map_err(|error| match error.kind {
            Kind::Missing(field) if error.at.is_none() && meant.contains(&field) => Error {
                kind: Kind::Reported,
                at: None,
            },
            Kind::Missing(field) if error.at.is_none() => {
                Error::at(format!("{owner} has no `{field}`: add it"), self.node)
            }
            _ => error.place(self.node, &self.label),
        })
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match as_str(self.node) {
            Some(text) => visitor
                .visit_enum(text.into_deserializer())
                .map_err(|error: Error| error.place(self.node, &self.label)),
            None => Err(self.expected("a word")),
        }
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// "an agent", "a team".
fn article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

/// The entries of a list.
struct Entries<'p, 'a, I> {
    parent: &'p NodeDe<'a>,
    entries: I,
}

impl<'a, I> de::SeqAccess<'a> for Entries<'_, 'a, I>
where
    I: Iterator<Item = (usize, &'a Node)>,
{
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((index, node)) = self.entries.next() else {
            return Ok(None);
        };
        let label = format!("{}[{index}]", self.parent.label);
        let child = self.parent.child(node, label.clone());
        seed.deserialize(child)
            .map(Some)
            .map_err(|error| error.place(node, &label))
    }
}

/// The entries of a mapping.
struct Fields<'p, 'a, I> {
    parent: &'p NodeDe<'a>,
    entries: I,
    value: Option<(&'a Node, String)>,
}

impl<'a, I> de::MapAccess<'a> for Fields<'_, 'a, I>
where
    I: Iterator<Item = (&'a Node, &'a Node)>,
{
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let name = as_str(key).unwrap_or_default();
        let label = name.to_owned();
        self.value = Some((value, label.clone()));
        let child = self.parent.child(key, label.clone());
        seed.deserialize(child)
            .map(Some)
            .map_err(|error| error.place(key, &label))
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((node, label)) = self.value.take() else {
            return Err(de::Error::custom("a value was read before its key"));
        };
        let child = self.parent.child(node, label.clone());
        seed.deserialize(child)
            .map_err(|error| error.place(node, &label))
    }
}

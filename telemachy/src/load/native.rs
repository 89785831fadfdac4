//! The file form of the model itself (see [`telemachy_core::form`]): what the
//! `workflow!` language says, as YAML or JSON.

use super::document::Step;
use telemachy_core::rules::{Segment, field};

/// The words of the Python tool's files (and other likely guesses) for this format's
/// fields: the same hints as `workflow!` gives.
pub(crate) use telemachy_core::suggest::FIELD_ALIASES as ALIASES;

/// The place in the file of the element at `path` (a path into the model, as the rules
/// give it, in the words of the file form): the same steps, but a dependency is one
/// string (`team.task`), not its two parts.
pub(crate) fn steps(path: &[Segment]) -> Vec<Step<'static>> {
    let mut steps = Vec::with_capacity(path.len());
    for segment in path {
        match *segment {
            Segment::Field(field::TEAM | field::TASK)
                if matches!(steps.iter().rev().nth(1), Some(Step::Key(field::AFTER))) =>
            {
                break;
            }
            Segment::Field(field) => steps.push(Step::Key(field)),
            Segment::Index(index) => steps.push(Step::Index(index)),
        }
    }
    steps
}

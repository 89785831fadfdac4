//! A workflow as static data: what the `workflow!` macro's `spec()` is made of.
//!
//! Written as nested struct literals, a workflow of thousands of tasks is one huge function
//! that rustc type-checks, borrow-checks and optimises, at a cost of seconds to minutes and
//! gigabytes. As [`Tables`] it is one string literal and one byte-string literal, which rustc
//! lays out as they are. The macro calls [`encode`] while it expands; the generated `spec()`
//! calls [`Tables::workflow`], which rebuilds the [`Workflow`] (its text borrowed from the
//! tables, so only the vectors are allocated).
//!
//! This module is not part of the public interface: only the macro's expansion uses it, and
//! the macro and this crate are always the same version.
//!
//! # Format
//!
//! `text` holds every distinct string of the workflow once, back to back. `data` is a
//! sequence of numbers, each an unsigned LEB128 varint:
//!
//! ```text
//! data     = FORMAT  strings  workflow
//! strings  = count  length*                 (byte lengths of the strings in `text`, in order)
//! workflow = name  description  teardown  timeout  count agent*  count team*
//! teardown = 0 on_completion | 1 on_failure | 2 never
//! timeout  = 0 | 1 secs nanos
//! agent    = id  name  program  model  working_dir  runtime
//! model    = 0 | 1 + string                 (absent, or a string)
//! runtime  = 0 | 1 image cpus memory        (local, or docker)
//! team     = id  name  count member*  count task*
//! task     = id  subject  description  assignee  kind  count (team task)*
//! ```
//!
//! Every name above but `count`, `secs`, `nanos` and `cpus` is the index of a string.

use std::collections::HashMap;
use std::time::Duration;

use crate::spec::{Agent, Docker, Runtime, Task, TaskRef, Team, Teardown, Text, Workflow};

/// The version of the format; [`Tables::workflow`] rejects any other.
const FORMAT: u64 = 1;

/// A workflow laid out as static data (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    /// Every distinct string, back to back.
    pub text: &'static str,
    /// The string lengths and the workflow, as varints.
    pub data: &'static [u8],
}

/// What [`encode`] produces: the contents of a [`Tables`], for the macro to write out as
/// literals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoded {
    /// [`Tables::text`].
    pub text: String,
    /// [`Tables::data`].
    pub data: Vec<u8>,
}

/// Tables that [`encode`] did not write: a macro and a core of different versions, or a
/// bug. Never the user's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the workflow's static tables are malformed at byte {at} of their data ({what}); \
     rebuild with `telemachy`, `telemachy-core` and `telemachy-macros` of one version"
)]
pub struct Malformed {
    /// Where in the data reading stopped.
    at: usize,
    /// What was wrong there.
    what: &'static str,
}

/// Lays `workflow` out as tables.
pub fn encode(workflow: &Workflow) -> Encoded {
    let mut encoder = Encoder::default();
    encoder.workflow(workflow);
    let mut data = Vec::with_capacity(encoder.data.len() + 2 * encoder.lengths.len() + 4);
    put(&mut data, FORMAT);
    put(&mut data, encoder.lengths.len() as u64);
    for &length in &encoder.lengths {
        put(&mut data, length as u64);
    }
    data.extend_from_slice(&encoder.data);
    Encoded {
        text: encoder.text,
        data,
    }
}

impl Tables {
    /// The workflow these tables hold.
    ///
    /// # Panics
    ///
    /// If the tables were not written by [`encode`] of this version of the crate (see
    /// [`Tables::decode`]); the exact version pin between the macro and this crate rules
    /// that out.
    pub fn workflow(&self) -> Workflow {
        match self.decode() {
            Ok(workflow) => workflow,
            Err(error) => panic!("{error}"),
        }
    }

    /// The workflow these tables hold, or where they are malformed.
    pub fn decode(&self) -> Result<Workflow, Malformed> {
        let mut reader = Reader {
            data: self.data,
            at: 0,
            strings: Vec::new(),
        };
        if reader.number()? != FORMAT {
            return Err(reader.malformed("unknown format version"));
        }
        let count = reader.count()?;
        let mut start: usize = 0;
        reader.strings.reserve(count);
        for _ in 0..count {
            let length: usize = reader.small("a string longer than the text")?;
            let end = start.saturating_add(length);
            let Some(text) = self.text.get(start..end) else {
                return Err(reader.malformed("a string outside the text"));
            };
            reader.strings.push(text);
            start = end;
        }
        let workflow = reader.workflow()?;
        if reader.at != self.data.len() {
            return Err(reader.malformed("data after the workflow"));
        }
        Ok(workflow)
    }
}

/// Writes the workflow part of the data, collecting the strings as it goes.
#[derive(Default)]
struct Encoder {
    text: String,
    lengths: Vec<usize>,
    indices: HashMap<String, u64>,
    data: Vec<u8>,
}

impl Encoder {
    fn number(&mut self, value: u64) {
        put(&mut self.data, value);
    }

    fn count(&mut self, count: usize) {
        self.number(count as u64);
    }

    fn string(&mut self, value: &str) {
        let index = match self.indices.get(value) {
            Some(&index) => index,
            None => {
                let index = self.lengths.len() as u64;
                self.text.push_str(value);
                self.lengths.push(value.len());
                self.indices.insert(value.to_owned(), index);
                index
            }
        };
        self.number(index);
    }

    fn workflow(&mut self, workflow: &Workflow) {
        self.string(&workflow.name);
        self.string(&workflow.description);
        self.number(match workflow.teardown {
            Teardown::OnCompletion => 0,
            Teardown::OnFailure => 1,
            Teardown::Never => 2,
        });
        match workflow.timeout {
            None => self.number(0),
            Some(timeout) => {
                self.number(1);
                self.number(timeout.as_secs());
                self.number(u64::from(timeout.subsec_nanos()));
            }
        }
        self.count(workflow.agents.len());
        for agent in &workflow.agents {
            self.agent(agent);
        }
        self.count(workflow.teams.len());
        for team in &workflow.teams {
            self.team(team);
        }
    }

    fn agent(&mut self, agent: &Agent) {
        self.string(&agent.id);
        self.string(&agent.name);
        self.string(&agent.program);
        match &agent.model {
            None => self.number(0),
            Some(model) => {
                self.number(1);
                self.string(model);
            }
        }
        self.string(&agent.working_dir);
        match &agent.runtime {
            Runtime::Local => self.number(0),
            Runtime::Docker(docker) => {
                self.number(1);
                self.string(&docker.image);
                self.number(u64::from(docker.cpus));
                self.string(&docker.memory);
            }
        }
    }

    fn team(&mut self, team: &Team) {
        self.string(&team.id);
        self.string(&team.name);
        self.count(team.agents.len());
        for member in &team.agents {
            self.string(member);
        }
        self.count(team.tasks.len());
        for task in &team.tasks {
            self.string(&task.id);
            self.string(&task.subject);
            self.string(&task.description);
            self.string(&task.assignee);
            self.string(&task.kind);
            self.count(task.after.len());
            for dependency in &task.after {
                self.string(&dependency.team);
                self.string(&dependency.task);
            }
        }
    }
}

/// Appends `value` as an unsigned LEB128 varint.
fn put(data: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            data.push(low);
            return;
        }
        data.push(low | 0x80);
    }
}

/// Reads the data back, in the order [`Encoder`] wrote it.
struct Reader {
    data: &'static [u8],
    at: usize,
    strings: Vec<&'static str>,
}

impl Reader {
    fn malformed(&self, what: &'static str) -> Malformed {
        Malformed { at: self.at, what }
    }

    fn number(&mut self) -> Result<u64, Malformed> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let Some(&byte) = self.data.get(self.at) else {
                return Err(self.malformed("the data ends inside a number"));
            };
            if shift > 63 || (shift == 63 && byte > 1) {
                return Err(self.malformed("a number above 2^64"));
            }
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// A count of items that follow: each takes at least one byte, so a count above the
    /// bytes left is malformed (and never makes us allocate much).
    fn count(&mut self) -> Result<usize, Malformed> {
        let count = self.number()?;
        match usize::try_from(count) {
            Ok(count) if count <= self.data.len() => Ok(count),
            _ => Err(self.malformed("a count larger than the data")),
        }
    }

    fn small<T: TryFrom<u64>>(&mut self, what: &'static str) -> Result<T, Malformed> {
        let value = self.number()?;
        T::try_from(value).map_err(|_| self.malformed(what))
    }

    fn string(&mut self) -> Result<Text, Malformed> {
        let index: usize = self.small("a string index out of range")?;
        match self.strings.get(index) {
            Some(&text) => Ok(Text::Borrowed(text)),
            None => Err(self.malformed("a string index out of range")),
        }
    }

    fn workflow(&mut self) -> Result<Workflow, Malformed> {
        let name = self.string()?;
        let description = self.string()?;
        let teardown = match self.number()? {
            0 => Teardown::OnCompletion,
            1 => Teardown::OnFailure,
            2 => Teardown::Never,
            _ => return Err(self.malformed("an unknown teardown policy")),
        };
        let timeout = match self.number()? {
            0 => None,
            1 => {
                let secs = self.number()?;
                let nanos: u32 = self.small("nanoseconds out of range")?;
                if nanos >= 1_000_000_000 {
                    return Err(self.malformed("nanoseconds out of range"));
                }
                Some(Duration::new(secs, nanos))
            }
            _ => return Err(self.malformed("an unknown timeout form")),
        };
        let count = self.count()?;
        let mut agents = Vec::with_capacity(count);
        for _ in 0..count {
            agents.push(self.agent()?);
        }
        let count = self.count()?;
        let mut teams = Vec::with_capacity(count);
        for _ in 0..count {
            teams.push(self.team()?);
        }
        Ok(Workflow {
            name,
            description,
            teardown,
            timeout,
            agents,
            teams,
        })
    }

    fn agent(&mut self) -> Result<Agent, Malformed> {
        let id = self.string()?;
        let name = self.string()?;
        let program = self.string()?;
        let model = match self.number()? {
            0 => None,
            1 => Some(self.string()?),
            _ => return Err(self.malformed("an unknown model form")),
        };
        let working_dir = self.string()?;
        let runtime = match self.number()? {
            0 => Runtime::Local,
            1 => Runtime::Docker(Docker {
                image: self.string()?,
                cpus: self.small("CPUs out of range")?,
                memory: self.string()?,
            }),
            _ => return Err(self.malformed("an unknown runtime")),
        };
        Ok(Agent {
            id,
            name,
            program,
            model,
            working_dir,
            runtime,
        })
    }

    fn team(&mut self) -> Result<Team, Malformed> {
        let id = self.string()?;
        let name = self.string()?;
        let count = self.count()?;
        let mut agents = Vec::with_capacity(count);
        for _ in 0..count {
            agents.push(self.string()?);
        }
        let count = self.count()?;
        let mut tasks = Vec::with_capacity(count);
        for _ in 0..count {
            tasks.push(self.task()?);
        }
        Ok(Team {
            id,
            name,
            agents,
            tasks,
        })
    }

    fn task(&mut self) -> Result<Task, Malformed> {
        let id = self.string()?;
        let subject = self.string()?;
        let description = self.string()?;
        let assignee = self.string()?;
        let kind = self.string()?;
        let count = self.count()?;
        let mut after = Vec::with_capacity(count);
        for _ in 0..count {
            let team = self.string()?;
            let task = self.string()?;
            after.push(TaskRef { team, task });
        }
        Ok(Task {
            id,
            subject,
            description,
            assignee,
            after,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `encoded` as the generated `spec()` would, from leaked static data.
    fn round_trip(workflow: &Workflow) -> Workflow {
        let encoded = encode(workflow);
        let tables = Tables {
            text: Box::leak(encoded.text.into_boxed_str()),
            data: Box::leak(encoded.data.into_boxed_slice()),
        };
        tables.workflow()
    }

    /// Every field of the model, with every optional part both present and absent.
    fn every_field() -> Workflow {
        let mut workflow = Workflow::new("every-field");
        workflow.description = "Line one.\n\nLine two, with ünïcödé.".into();
        workflow.teardown = Teardown::OnFailure;
        workflow.timeout = Some(Duration::new(u64::MAX, 999_999_999));
        let mut lead = Agent::new("lead");
        lead.name = "lead-analyst".into();
        lead.model = Some("claude-opus-4-5".into());
        lead.working_dir = "/workspace".into();
        lead.runtime = Runtime::Docker(Docker {
            image: "alpine:3".into(),
            cpus: u32::MAX,
            memory: "8G".into(),
        });
        let mut scout = Agent::new("scout");
        scout.program = "aider".into();
        scout.model = Some(String::new().into());
        workflow.agents = vec![lead, scout, Agent::new("idle")];
        let mut scouts = Team::new("scouts", ["scout", "lead"]);
        scouts.name = "scout-team".into();
        let mut survey = Task::new("survey", "Survey", "scout");
        survey.description = "Look at everything.".into();
        survey.kind = "research".into();
        let mut classify = Task::new("classify", "Classify", "lead");
        classify.after = vec![TaskRef::new("scouts", "survey")];
        scouts.tasks = vec![survey, classify];
        let mut leads = Team::new("leads", ["lead"]);
        let mut report = Task::new("report", "", "");
        report.after = vec![
            TaskRef::new("scouts", "survey"),
            TaskRef::new("scouts", "classify"),
        ];
        leads.tasks = vec![report];
        workflow.teams = vec![scouts, leads, Team::new("empty", Vec::<Text>::new())];
        workflow
    }

    #[test]
    fn every_field_survives_the_round_trip() {
        let workflow = every_field();
        assert_eq!(round_trip(&workflow), workflow);
    }

    #[test]
    fn strings_longer_than_the_data_survive() {
        let mut workflow = Workflow::new("a-name-longer-than-all-of-the-data-that-follows-it");
        workflow.description = "é".repeat(1000).into();
        assert_eq!(round_trip(&workflow), workflow);
    }

    #[test]
    fn every_teardown_and_timeout_survives() {
        for teardown in Teardown::ALL {
            for timeout in [
                None,
                Some(Duration::ZERO),
                Some(Duration::from_millis(1500)),
            ] {
                let mut workflow = Workflow::new("w");
                workflow.teardown = teardown;
                workflow.timeout = timeout;
                assert_eq!(round_trip(&workflow), workflow);
            }
        }
    }

    #[test]
    fn each_string_is_stored_once() {
        let encoded = encode(&every_field());
        assert_eq!(encoded.text.matches("scouts").count(), 1);
        assert_eq!(encoded.text.matches("Survey").count(), 1);
    }

    #[test]
    fn varints_cover_the_whole_range() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut data = Vec::new();
            put(&mut data, value);
            let mut reader = Reader {
                data: Box::leak(data.into_boxed_slice()),
                at: 0,
                strings: Vec::new(),
            };
            assert_eq!(reader.number(), Ok(value));
        }
    }

    #[test]
    fn malformed_tables_are_an_error_not_a_wrong_workflow() {
        let encoded = encode(&every_field());
        let text: &'static str = Box::leak(encoded.text.into_boxed_str());
        let data: &'static [u8] = Box::leak(encoded.data.into_boxed_slice());
        for cut in 0..data.len() {
            let tables = Tables {
                text,
                data: &data[..cut],
            };
            assert!(tables.decode().is_err(), "decoded from {cut} bytes");
        }
        let mut extra = data.to_vec();
        extra.push(0);
        let tables = Tables {
            text,
            data: Box::leak(extra.into_boxed_slice()),
        };
        assert!(tables.decode().is_err());
        let mut other_version = data.to_vec();
        other_version[0] = 2;
        let tables = Tables {
            text,
            data: Box::leak(other_version.into_boxed_slice()),
        };
        let error = tables.decode().expect_err("another format version");
        assert!(
            error.to_string().contains("unknown format version"),
            "{error}"
        );
        let tables = Tables { text: "", data };
        assert!(tables.decode().is_err(), "strings outside the text");
    }
}

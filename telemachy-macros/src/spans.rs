//! Where each element of the lowered workflow was written: a path into the model
//! (`teams[0].tasks[2].assignee`, as `telemachy_core::rules::Path` spells it) leads back to
//! the tokens it came from, so that a problem the core's rules find in the model is reported
//! at the user's token.
//!
//! The workflow as read keeps every span, and [`lower`](crate::lower) is a fixed walk over
//! it, so a path is resolved by the same walk when a problem is reported; a valid workflow
//! pays nothing for the table.

use proc_macro2::{Span, TokenStream};
use syn::Ident;
use telemachy_core::rules::{Path, Segment, field};

use crate::ctxt::Ctxt;
use crate::model::{Agent, Dependency, Spanned, Target, Task, Team, Workflow};

/// The path -> tokens table of one workflow.
pub(crate) struct Spans<'a> {
    workflow: &'a Workflow,
}

/// What an error about one element points at.
enum Anchor<'a> {
    /// One token.
    At(Span),
    /// Several tokens, e.g. `team.task` in `after`.
    Tokens(&'a TokenStream),
}

impl<'a> Spans<'a> {
    /// The table of `workflow`, as lowered by [`lower`](crate::lower::lower).
    pub(crate) fn new(workflow: &'a Workflow) -> Self {
        Spans { workflow }
    }

    /// Whether the model holds a stand-in at `path`, or in an element `path` lies in: the
    /// source leaves the element out, or it could not be read (reported already), so a
    /// problem there is not the user's.
    pub(crate) fn is_unread(&self, path: &Path) -> bool {
        use Segment::{Field as F, Index as I};
        match path.segments() {
            [F(field::AGENTS), I(i), F(key), ..] => {
                let Some(agent) = self.workflow.agents.get(*i) else {
                    return false;
                };
                agent_value(agent, key).is_none() && agent.meant.contains(key)
            }
            [F(field::TEAMS), I(t), F(field::MEMBERS), ..] => self
                .workflow
                .teams
                .get(*t)
                .is_some_and(|team| team.members.is_none()),
            [F(field::TEAMS), I(t), F(field::TASKS), I(i), F(key), ..] => {
                let Some(task) = self.task(*t, *i) else {
                    return false;
                };
                match *key {
                    field::SUBJECT => task.subject.is_none(),
                    field::ASSIGNEE => task.assignee.is_none(),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Reports `message` at the tokens of `path`, or of the nearest element it lies in.
    pub(crate) fn error(&self, ctxt: &Ctxt, path: &Path, message: impl std::fmt::Display) {
        let mut current = Some(path.clone());
        while let Some(path) = current {
            match self.anchor(path.segments()) {
                Some(Anchor::At(span)) => return ctxt.error_at(span, message),
                Some(Anchor::Tokens(tokens)) => return ctxt.error_spanned_by(tokens, message),
                None => current = path.parent(),
            }
        }
        ctxt.error_at(self.workflow.ident.span(), message);
    }

    /// The tokens of the element at `segments`, if the source has them.
    fn anchor(&self, segments: &[Segment]) -> Option<Anchor<'a>> {
        use Segment::{Field as F, Index as I};
        let workflow = self.workflow;
        let at = |span: Span| Some(Anchor::At(span));
        match segments {
            [] => at(workflow.ident.span()),
            [F(field::NAME)] => workflow.name.as_ref().map(|name| Anchor::At(name.span)),
            [F(field::TIMEOUT)] => workflow.timeout.as_ref().map(|t| Anchor::At(t.span)),
            [F(field::AGENTS), I(i), rest @ ..] => {
                let agent = workflow.agents.get(*i)?;
                agent_anchor(agent, rest)
            }
            [F(field::TEAMS), I(t), rest @ ..] => {
                let team = workflow.teams.get(*t)?;
                match rest {
                    [F(field::TASKS), I(i), rest @ ..] => task_anchor(team.tasks.get(*i)?, rest),
                    rest => team_anchor(team, rest),
                }
            }
            _ => None,
        }
    }

    fn task(&self, team: usize, task: usize) -> Option<&'a Task> {
        self.workflow.teams.get(team)?.tasks.get(task)
    }
}

/// The written value of an agent's text or docker field `key`, if any.
fn agent_value<'a>(agent: &'a Agent, key: &str) -> Option<Span> {
    let text = |value: &'a Option<Spanned<String>>| value.as_ref().map(|v| v.span);
    match key {
        field::NAME => text(&agent.name),
        field::PROGRAM => text(&agent.program),
        field::MODEL => text(&agent.model),
        field::WORKING_DIR => text(&agent.working_dir),
        field::RUNTIME => agent.runtime.as_ref().map(|r| r.span),
        field::IMAGE => text(&agent.image),
        field::MEMORY => text(&agent.memory),
        field::CPUS => agent.cpus.as_ref().map(|c| c.span),
        _ => None,
    }
}

fn agent_anchor<'a>(agent: &'a Agent, rest: &[Segment]) -> Option<Anchor<'a>> {
    let ident = Anchor::At(agent.ident.span());
    match rest {
        [] | [Segment::Field(field::ID)] => Some(ident),
        // An identifier is the name unless `name:` says otherwise.
        [Segment::Field(field::NAME)] => {
            Some(agent_value(agent, field::NAME).map_or(ident, Anchor::At))
        }
        // A docker setting left out is a problem of `runtime: docker`.
        [Segment::Field(key @ (field::IMAGE | field::CPUS | field::MEMORY))] => {
            agent_value(agent, key)
                .or_else(|| agent_value(agent, field::RUNTIME))
                .map(Anchor::At)
        }
        [Segment::Field(key)] => agent_value(agent, key).map(Anchor::At),
        _ => None,
    }
}

fn team_anchor<'a>(team: &'a Team, rest: &[Segment]) -> Option<Anchor<'a>> {
    use Segment::{Field as F, Index as I};
    let ident = Anchor::At(team.ident.span());
    match rest {
        [] | [F(field::ID)] => Some(ident),
        [F(field::NAME)] => Some(team.name.as_ref().map_or(ident, |n| Anchor::At(n.span))),
        [F(field::MEMBERS)] => team.members.as_ref().map(|m| Anchor::At(m.span)),
        [F(field::MEMBERS), I(k)] => team
            .members
            .as_ref()?
            .value
            .get(*k)
            .map(|member| Anchor::At(member.span())),
        _ => None,
    }
}

fn task_anchor<'a>(task: &'a Task, rest: &[Segment]) -> Option<Anchor<'a>> {
    use Segment::{Field as F, Index as I};
    let span_of = |value: &Option<Spanned<String>>| value.as_ref().map(|v| Anchor::At(v.span));
    match rest {
        [] | [F(field::ID)] => Some(Anchor::At(task.ident.span())),
        [F(field::SUBJECT)] => span_of(&task.subject),
        [F(field::TYPE)] => span_of(&task.kind),
        [F(field::ASSIGNEE)] => task.assignee.as_ref().map(|a| Anchor::At(a.span())),
        [F(field::AFTER), I(k), rest @ ..] => {
            let (dependency, target) = lowered_dependency(task, *k)?;
            match rest {
                [F(field::TEAM)] => dependency.team.as_ref().map(|team| Anchor::At(team.span())),
                [F(field::TASK)] => Some(Anchor::At(target.span())),
                _ => Some(Anchor::Tokens(&dependency.tokens)),
            }
        }
        _ => None,
    }
}

/// The `k`-th dependency of the lowered task: dependencies written as subjects are not in
/// the model (they are reported on their own), so they are not counted.
fn lowered_dependency(task: &Task, k: usize) -> Option<(&Dependency, &Ident)> {
    task.after
        .iter()
        .filter_map(|dependency| match &dependency.target {
            Target::Task(target) => Some((dependency, target)),
            Target::Subject(_) => None,
        })
        .nth(k)
}

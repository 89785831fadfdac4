//! The scheduler: match existing tasks, submit the rest in dependency order, watch them to
//! the end.
//!
//! A task is identified by its team and its subject. In a reused team the newest attempt
//! of each subject decides what happens (see [`Decision`]). A new task is submitted as
//! soon as every dependency, in its team or another, has completed, with the
//! dependencies' ids as `blockedBy` and its assignee's agent id; the server enforces
//! neither, so this is the only place that does. A task whose dependency failed or was
//! skipped is skipped. Submitted tasks are watched with one list request per team per poll
//! interval, never one per task. Creates and reads run concurrently, together at most
//! `concurrency` at once; see `reads` for when each team is read.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use crate::api::{self, TaskStatus};
use crate::client::{self, Client};
use crate::executor::bounded::{JobEnd, run_bounded};
use crate::executor::error::chain;
use crate::executor::event::Event;
use crate::executor::nats::{Feed, Nudge};
use crate::executor::options::RunOptions;
use crate::executor::plan::{Plan, PlannedTask};
use crate::executor::reads::ReadSchedule;
use crate::executor::ready::Readiness;
use crate::executor::report::{RunStatus, TaskOrigin, TaskOutcome, TaskReport};
use crate::executor::stop::{ABANDON_AFTER, Stop};
use crate::executor::timestamp::parse_rfc3339;

/// How many polls in a row a watched task may be missing from its team's list before it
/// counts as failed.
const MISSING_POLLS_LIMIT: u32 = 3;
/// Every how many poll intervals the agents of watched tasks are checked (one list).
const AGENT_CHECK_POLLS: u32 = 3;
/// After how many agent checks in a row without its assignee a watched task fails.
const AGENT_MISSING_CHECKS: u32 = 2;

/// While task events flow, polls are this many poll intervals apart.
const SLOW_POLLS: u32 = 5;

/// Events count as flowing while the last came within this many poll intervals.
const QUIET_POLLS: u32 = 10;

/// How many polls of a team in a row may fail (after the client's own retries) before its
/// watched tasks count as failed.
const POLL_FAILURES_LIMIT: u32 = 5;

/// A provisioned team, as the scheduler needs it.
#[derive(Debug, Clone)]
pub(crate) struct TeamSlot {
    /// Its server id.
    pub(crate) server_id: String,
    /// Whether it existed before the run (so it may hold tasks of earlier runs).
    pub(crate) reused: bool,
}

/// What the scheduler did.
#[derive(Debug)]
pub(crate) struct TaskRun {
    /// `Succeeded` when every task completed; else why not.
    pub(crate) status: RunStatus,
    /// One report per planned task.
    pub(crate) reports: Vec<TaskReport>,
    /// What went wrong, one line each.
    pub(crate) errors: Vec<String>,
}

/// What to do about a planned task, given the attempts of its subject on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// No attempt exists: submit the first.
    Submit,
    /// The newest attempt failed, or is pending for an agent that is no longer the
    /// assignee (it would wait forever): submit a new attempt.
    Retry,
    /// The newest attempt is under way: watch it.
    Adopt(api::Task),
    /// The newest attempt completed: nothing to do.
    Completed(api::Task),
}

/// Decides what to do about a task assigned to `assignee_id`, given every attempt of its
/// subject in its team (in any order).
pub(crate) fn decide(attempts: &[&api::Task], assignee_id: Option<&str>) -> Decision {
    let Some(newest) = newest_attempt(attempts) else {
        return Decision::Submit;
    };
    match &newest.status {
        TaskStatus::Completed => Decision::Completed(newest.clone()),
        TaskStatus::Failed => Decision::Retry,
        TaskStatus::Running => Decision::Adopt(newest.clone()),
        _ if assignee_id.is_some_and(|id| id != newest.assignee_agent_id) => Decision::Retry,
        _ => Decision::Adopt(newest.clone()),
    }
}

/// The attempt that counts: the newest by `createdAt`. At equal timestamps a failed attempt
/// is the older one (a retry only follows a failure), then the id decides.
pub(crate) fn newest_attempt<'t>(attempts: &[&'t api::Task]) -> Option<&'t api::Task> {
    attempts.iter().copied().max_by(|a, b| {
        let key = |task: &api::Task| {
            (
                parse_rfc3339(&task.created_at),
                task.status != TaskStatus::Failed,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    })
}

/// Where one planned task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not submitted yet; waits for its dependencies.
    Waiting,
    /// Its create is under way.
    Submitting,
    /// Submitted or adopted; being watched.
    Active,
    /// Completed during this run.
    Completed,
    /// Completed before this run.
    AlreadyCompleted,
    /// Failed, or could not be submitted or followed.
    Failed,
    /// Held back by a dependency that did not complete.
    Skipped,
}

#[derive(Debug)]
struct TaskState {
    phase: Phase,
    /// Whether the next submission is a new attempt after a failed or stranded one.
    retrying: bool,
    server_id: Option<String>,
    status: Option<TaskStatus>,
    earlier_attempts: Vec<String>,
    attempt: u32,
    origin: Option<TaskOrigin>,
    skipped_because: Option<usize>,
    error: Option<String>,
    since: Option<std::time::Instant>,
    elapsed: Option<Duration>,
    missing_polls: u32,
    /// How many agent checks in a row found its assignee gone.
    agent_missing_checks: u32,
    /// When it started being watched: reads sent before then cannot know it.
    watched_since: Option<Instant>,
}

impl TaskState {
    fn new() -> Self {
        TaskState {
            phase: Phase::Waiting,
            retrying: false,
            server_id: None,
            status: None,
            earlier_attempts: Vec::new(),
            attempt: 0,
            origin: None,
            skipped_because: None,
            error: None,
            since: None,
            elapsed: None,
            missing_polls: 0,
            agent_missing_checks: 0,
            watched_since: None,
        }
    }
}

/// Runs the tasks of `plan` on the provisioned `teams` and `agent_ids` until every task
/// is terminal or skipped, or `stop` fires.
pub(crate) async fn run_tasks(
    plan: &Plan,
    client: &Client,
    options: &RunOptions,
    stop: &Stop,
    teams: &[TeamSlot],
    agent_ids: &[String],
    feed: Option<Feed>,
) -> TaskRun {
    let mut scheduler = Scheduler {
        plan,
        client,
        options,
        teams,
        agent_ids,
        tasks: (0..plan.tasks.len()).map(|_| TaskState::new()).collect(),
        poll_failures: vec![0; plan.teams.len()],
        errors: Vec::new(),
        ready: Readiness::new(plan),
        reads: ReadSchedule::new(plan.teams.len(), options.poll_interval),
        team_index: teams
            .iter()
            .enumerate()
            .map(|(index, team)| (team.server_id.clone(), index))
            .collect(),
        watched_ids: HashMap::new(),
        live: false,
    };
    let status = match scheduler.match_existing(stop).await {
        Ok(()) => scheduler.drive(stop, feed).await,
        Err(status) => status,
    };
    scheduler.finish(status)
}

/// Reports for tasks that were never submitted: the run stopped before it got to them.
pub(crate) fn not_submitted(plan: &Plan) -> Vec<TaskReport> {
    plan.tasks
        .iter()
        .map(|task| TaskReport {
            team: plan.teams[task.team].id.clone(),
            task: task.id.clone(),
            subject: task.subject.clone(),
            server_id: None,
            attempt: 0,
            origin: None,
            outcome: TaskOutcome::NotSubmitted,
            status: None,
            skipped_because: None,
            error: None,
            elapsed_ms: None,
        })
        .collect()
}

/// What a run would do with each task, reading the server only: for `--dry-run`. Teams
/// that do not exist yet (`None`) hold no tasks.
pub(crate) async fn preview_tasks(
    plan: &Plan,
    client: &Client,
    team_ids: &[Option<String>],
    agent_ids: &[Option<String>],
) -> Result<Vec<TaskReport>, String> {
    let mut reports = Vec::with_capacity(plan.tasks.len());
    let mut listed: HashMap<usize, Vec<api::Task>> = HashMap::new();
    for (index, team_id) in team_ids.iter().enumerate() {
        if let Some(team_id) = team_id {
            let tasks = client.list_tasks(team_id).await.map_err(|error| {
                format!(
                    "could not read the tasks of team `{}`: {}",
                    plan.teams[index].id,
                    chain(&error)
                )
            })?;
            listed.insert(index, tasks);
        }
    }
    for task in &plan.tasks {
        let attempts: Vec<&api::Task> = listed
            .get(&task.team)
            .into_iter()
            .flatten()
            .filter(|existing| existing.subject == task.subject)
            .collect();
        let count = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
        let (origin, outcome, server_id, status, attempt) =
            match decide(&attempts, agent_ids[task.assignee].as_deref()) {
                Decision::Submit => (
                    TaskOrigin::Submitted,
                    TaskOutcome::NotSubmitted,
                    None,
                    None,
                    1,
                ),
                Decision::Retry => (
                    TaskOrigin::Retried,
                    TaskOutcome::NotSubmitted,
                    None,
                    None,
                    count.saturating_add(1),
                ),
                Decision::Adopt(existing) => (
                    TaskOrigin::Adopted,
                    TaskOutcome::Unfinished,
                    Some(existing.id),
                    Some(existing.status.to_string()),
                    count,
                ),
                Decision::Completed(existing) => (
                    TaskOrigin::Existing,
                    TaskOutcome::AlreadyCompleted,
                    Some(existing.id),
                    Some(existing.status.to_string()),
                    count,
                ),
            };
        reports.push(TaskReport {
            team: plan.teams[task.team].id.clone(),
            task: task.id.clone(),
            subject: task.subject.clone(),
            server_id,
            attempt,
            origin: Some(origin),
            outcome,
            status,
            skipped_because: None,
            error: None,
            elapsed_ms: None,
        });
    }
    Ok(reports)
}

struct Scheduler<'a> {
    plan: &'a Plan,
    client: &'a Client,
    options: &'a RunOptions,
    teams: &'a [TeamSlot],
    agent_ids: &'a [String],
    tasks: Vec<TaskState>,
    poll_failures: Vec<u32>,
    errors: Vec<String>,
    ready: Readiness,
    reads: ReadSchedule,
    /// Team index by server id, for events.
    team_index: HashMap<String, usize>,
    /// Planned task by server id, for events.
    watched_ids: HashMap<String, usize>,
    /// Whether task events are flowing.
    live: bool,
}

/// What the next event said; never, without a feed.
async fn next_nudge(feed: &mut Option<Feed>) -> Nudge {
    match feed {
        Some(feed) => feed.next().await,
        None => std::future::pending().await,
    }
}

/// Creates under way.
type Creates = JoinSet<Result<api::Task, client::Error>>;

/// What a read under way answers: when it was sent, and the team's tasks.
type ReadOutput = (Instant, Result<Vec<api::Task>, client::Error>);

/// Reads under way.
type Reads = JoinSet<ReadOutput>;

/// A finished read, with the id of the job that ran it.
type ReadAnswer = (tokio::task::Id, ReadOutput);

/// A check under way that the agents and teams of watched tasks still exist: the ids gone.
type Check = tokio::task::JoinHandle<HashSet<String>>;

/// Which of `agents` and `teams` (server ids) the server says are gone (404), one `GET`
/// each; one it cannot answer about counts as there.
async fn gone(client: Client, agents: Vec<String>, teams: Vec<String>) -> HashSet<String> {
    let mut gone = HashSet::new();
    for id in agents {
        if let Ok(None) = client.get_agent(&id).await {
            gone.insert(id);
        }
    }
    for id in teams {
        if let Ok(None) = client.get_team(&id).await {
            gone.insert(id);
        }
    }
    gone
}

/// Sleeps until `at`, or forever without one.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Scheduler<'_> {
    /// Reads the tasks of every reused team once (several at once) and decides about each
    /// planned task.
    async fn match_existing(&mut self, stop: &Stop) -> Result<(), RunStatus> {
        let reused: Vec<usize> = (0..self.teams.len())
            .filter(|&team| self.teams[team].reused && !self.plan.teams[team].tasks.is_empty())
            .collect();
        let jobs: Vec<_> = reused
            .iter()
            .map(|&team| {
                let client = self.client.clone();
                let team_id = self.teams[team].server_id.clone();
                async move { client.list_tasks(&team_id).await }
            })
            .collect();
        let ends = stop
            .interrupt(run_bounded(jobs, self.options.concurrency, stop))
            .await?;
        for (team_index, end) in reused.into_iter().zip(ends) {
            let existing = match end {
                JobEnd::Done(Ok(existing)) => existing,
                JobEnd::Done(Err(error)) => {
                    self.errors.push(format!(
                        "could not read the tasks of team `{}`: {}",
                        self.plan.teams[team_index].id,
                        chain(&error)
                    ));
                    return Err(RunStatus::Failed);
                }
                JobEnd::NotStarted | JobEnd::Abandoned => {
                    return Err(stop.reason().unwrap_or(RunStatus::Cancelled));
                }
                JobEnd::Panicked(message) => {
                    self.errors.push(format!(
                        "reading the tasks of team `{}` failed: {message}",
                        self.plan.teams[team_index].id
                    ));
                    return Err(RunStatus::Failed);
                }
            };
            self.match_team(team_index, &existing);
        }
        Ok(())
    }

    /// Decides about each planned task of a reused team, given the tasks it holds.
    fn match_team(&mut self, team_index: usize, existing: &[api::Task]) {
        let now = Instant::now();
        for &task_index in &self.plan.teams[team_index].tasks {
            let planned = &self.plan.tasks[task_index];
            let attempts: Vec<&api::Task> = existing
                .iter()
                .filter(|task| task.subject == planned.subject)
                .collect();
            let state = &mut self.tasks[task_index];
            state.earlier_attempts = attempts.iter().map(|task| task.id.clone()).collect();
            let count = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
            match decide(&attempts, Some(&self.agent_ids[planned.assignee])) {
                Decision::Submit => {}
                Decision::Retry => state.retrying = true,
                Decision::Adopt(task) => {
                    self.options.emit(Event::TaskAdopted {
                        task: planned.reference.clone(),
                        id: task.id.clone(),
                        status: task.status.to_string(),
                    });
                    state.phase = Phase::Active;
                    state.origin = Some(TaskOrigin::Adopted);
                    state.attempt = count;
                    state.server_id = Some(task.id);
                    state.status = Some(task.status);
                    state.since = Some(std::time::Instant::now());
                    state.watched_since = Some(now);
                    if let Some(id) = &state.server_id {
                        self.watched_ids.insert(id.clone(), task_index);
                    }
                    self.reads.watching(team_index, now, false);
                }
                Decision::Completed(task) => {
                    self.options.emit(Event::TaskAlreadyCompleted {
                        task: planned.reference.clone(),
                        id: task.id.clone(),
                    });
                    state.phase = Phase::AlreadyCompleted;
                    state.origin = Some(TaskOrigin::Existing);
                    state.attempt = count;
                    state.server_id = Some(task.id);
                    state.status = Some(task.status);
                    self.ready.completed(task_index);
                }
            }
        }
    }

    /// Submits tasks as they become ready and reads teams as they fall due, at most
    /// `concurrency` requests at once, until nothing is left to submit or watch. When the
    /// run must stop, reads under way are dropped but creates under way are waited for, so
    /// that every task the server made is recorded.
    async fn drive(&mut self, stop: &Stop, mut feed: Option<Feed>) -> RunStatus {
        let mut creates: Creates = JoinSet::new();
        let mut submitting: HashMap<tokio::task::Id, usize> = HashMap::new();
        let mut reads: Reads = JoinSet::new();
        let mut reading: HashMap<tokio::task::Id, usize> = HashMap::new();
        let mut agent_check: Option<Check> = None;
        let mut next_agent_check = Instant::now() + self.options.poll_interval * AGENT_CHECK_POLLS;
        let status = loop {
            if let Some(reason) = stop.reason() {
                break reason;
            }
            let now = Instant::now();
            let interval = self.options.poll_interval;
            self.live = feed
                .as_ref()
                .is_some_and(|feed| feed.live(now, interval * QUIET_POLLS));
            self.reads.set_gap(if self.live {
                interval * SLOW_POLLS
            } else {
                interval
            });
            let bound = self.options.concurrency;
            let due: Vec<usize> = self.reads.due(now).collect();
            for team in due {
                if creates.len() + reads.len() + usize::from(agent_check.is_some()) >= bound {
                    break;
                }
                self.reads.started(team);
                let client = self.client.clone();
                let team_id = self.teams[team].server_id.clone();
                let sent = Instant::now();
                let handle = reads.spawn(async move { (sent, client.list_tasks(&team_id).await) });
                reading.insert(handle.id(), team);
            }
            while creates.len() + reads.len() + usize::from(agent_check.is_some()) < bound {
                let Some(index) = self.ready.next() else {
                    break;
                };
                if self.tasks[index].phase != Phase::Waiting {
                    continue;
                }
                let handle = self.submit(index, &mut creates);
                submitting.insert(handle, index);
            }
            if creates.is_empty()
                && reads.is_empty()
                && !self.tasks.iter().any(|task| task.phase == Phase::Active)
            {
                // Every task is terminal, skipped, or (defensively) still waiting on a
                // dependency that will never finish: either way, nothing more will happen.
                break RunStatus::Succeeded;
            }
            // The check is one request at a time, within the same bound as the others, and
            // only while tasks are watched.
            let check_can_start = agent_check.is_none()
                && creates.len() + reads.len() < bound
                && self.tasks.iter().any(|task| task.phase == Phase::Active);
            if check_can_start && now >= next_agent_check {
                agent_check = Some(tokio::spawn(gone(
                    self.client.clone(),
                    self.watched_ids(|planned| planned.assignee, self.agent_ids),
                    self.watched_ids(|planned| planned.team, &self.team_ids()),
                )));
                next_agent_check = now + interval * AGENT_CHECK_POLLS;
            }
            let next_due = self.reads.next_due();
            tokio::select! {
                reason = stop.stopped() => break reason,
                joined = async {
                    match agent_check.as_mut() {
                        Some(check) => check.await,
                        None => std::future::pending().await,
                    }
                } => {
                    agent_check = None;
                    if let Ok(gone) = joined {
                        self.on_gone(&gone);
                    }
                }
                () = tokio::time::sleep_until(next_agent_check), if check_can_start && agent_check.is_none() => {}
                Some(joined) = creates.join_next_with_id(), if !creates.is_empty() => {
                    self.on_created(joined, &mut submitting);
                }
                Some(joined) = reads.join_next_with_id(), if !reads.is_empty() => {
                    self.on_read(joined, &mut reading);
                }
                () = sleep_until(next_due), if next_due.is_some() && creates.len() + reads.len() + usize::from(agent_check.is_some()) < bound => {}
                nudge = next_nudge(&mut feed) => self.on_nudge(&nudge),
            }
        };
        reads.abort_all();
        if let Some(check) = agent_check {
            check.abort();
        }
        // Creates under way get a moment to answer, so that what they made is recorded;
        // past it they are abandoned: a stalled server must not hold up a stop. The next
        // run finds what an abandoned create made by its subject, in the team of its key.
        let abandon = tokio::time::sleep(ABANDON_AFTER);
        tokio::pin!(abandon);
        loop {
            tokio::select! {
                joined = creates.join_next_with_id() => match joined {
                    Some(joined) => self.on_created(joined, &mut submitting),
                    None => break,
                },
                () = &mut abandon => {
                    creates.abort_all();
                    for index in submitting.drain().map(|(_, index)| index) {
                        self.tasks[index].error = Some(
                            "the run stopped while its submission was under way; if the \
                             server made it, the next run finds it by its subject"
                                .to_owned(),
                        );
                    }
                    break;
                }
            }
        }
        status
    }

    /// Starts the create of a ready task; answers the id of the job that runs it.
    fn submit(&mut self, index: usize, creates: &mut Creates) -> tokio::task::Id {
        let planned = &self.plan.tasks[index];
        let team_id = self.teams[planned.team].server_id.clone();
        let blocked_by: Vec<String> = planned
            .after
            .iter()
            .filter_map(|&dependency| self.tasks[dependency].server_id.clone())
            .collect();
        let new_task = api::NewTask {
            subject: planned.subject.clone(),
            description: planned.description.clone(),
            assignee_agent_id: self.agent_ids[planned.assignee].clone(),
            blocked_by,
            kind: planned.kind.clone(),
        };
        let state = &mut self.tasks[index];
        state.phase = Phase::Submitting;
        state.attempt = u32::try_from(state.earlier_attempts.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        state.origin = Some(if state.retrying {
            TaskOrigin::Retried
        } else {
            TaskOrigin::Submitted
        });
        state.since = Some(std::time::Instant::now());
        let client = self.client.clone();
        let earlier = state.earlier_attempts.clone();
        creates
            .spawn(async move { client.create_task(&team_id, &new_task, &earlier).await })
            .id()
    }

    /// Records how a create ended.
    fn on_created(
        &mut self,
        joined: Result<(tokio::task::Id, Result<api::Task, client::Error>), JoinError>,
        submitting: &mut HashMap<tokio::task::Id, usize>,
    ) {
        let (id, answer) = match joined {
            Ok((id, answer)) => (id, answer.map_err(|error| chain(&error))),
            Err(error) => (error.id(), Err(format!("the submission failed: {error}"))),
        };
        let Some(index) = submitting.remove(&id) else {
            return;
        };
        match answer {
            Ok(task) => {
                let planned = &self.plan.tasks[index];
                let state = &mut self.tasks[index];
                self.options.emit(Event::TaskSubmitted {
                    task: planned.reference.clone(),
                    id: task.id.clone(),
                    attempt: state.attempt,
                });
                let now = Instant::now();
                state.phase = Phase::Active;
                self.watched_ids.insert(task.id.clone(), index);
                state.server_id = Some(task.id);
                state.status = Some(task.status.clone());
                state.watched_since = Some(now);
                // With events flowing, the completion will say so itself.
                let soon = self.ready.has_dependents(index) && !self.live;
                self.reads.watching(planned.team, now, soon);
                // A server could answer with the task already finished.
                self.observe(index, &task.status);
            }
            Err(error) => self.fail(index, format!("could not submit it: {error}")),
        }
    }

    /// An event: reads its team now if it may tell of a watched task that finished (or of
    /// a task whose create has not been answered yet, which may be one).
    fn on_nudge(&mut self, nudge: &Nudge) {
        if !nudge.settled {
            return;
        }
        let Some(&team) = self.team_index.get(&nudge.team) else {
            return;
        };
        let relevant = match nudge.task.as_ref().and_then(|id| self.watched_ids.get(id)) {
            Some(&index) => self.tasks[index].phase == Phase::Active,
            None => self.plan.teams[team]
                .tasks
                .iter()
                .any(|&index| self.tasks[index].phase == Phase::Submitting),
        };
        if relevant {
            self.reads.nudge(team, Instant::now());
        }
    }

    /// Records what a read of a team found.
    fn on_read(
        &mut self,
        joined: Result<ReadAnswer, JoinError>,
        reading: &mut HashMap<tokio::task::Id, usize>,
    ) {
        let (id, answer) = match joined {
            Ok((id, (sent, answer))) => (id, Some((sent, answer))),
            Err(error) => (error.id(), None),
        };
        let Some(team_index) = reading.remove(&id) else {
            return;
        };
        if let Some((sent, answer)) = answer {
            self.apply_read(team_index, sent, answer);
        }
        let watching = self.plan.teams[team_index]
            .tasks
            .iter()
            .any(|&index| self.tasks[index].phase == Phase::Active);
        self.reads.finished(team_index, Instant::now(), watching);
    }

    /// The server ids, by `slot`, of the agents or teams of the watched tasks, once each.
    fn watched_ids(&self, slot: impl Fn(&PlannedTask) -> usize, ids: &[String]) -> Vec<String> {
        let mut wanted: Vec<String> = (0..self.tasks.len())
            .filter(|&index| self.tasks[index].phase == Phase::Active)
            .map(|index| ids[slot(&self.plan.tasks[index])].clone())
            .collect();
        wanted.sort();
        wanted.dedup();
        wanted
    }

    fn team_ids(&self) -> Vec<String> {
        self.teams
            .iter()
            .map(|team| team.server_id.clone())
            .collect()
    }

    /// Acts on a check that the team and the assignee of every watched task still exist
    /// (`gone` holds the ids the server no longer knows): a task whose agent or team was deleted (or whose server lost
    /// its state) would never be run, and waiting for it would last for ever. Missing from [`AGENT_MISSING_CHECKS`] checks in
    /// a row, the task fails with a line that says so. It is not re-provisioned and sent
    /// again here: an agent that vanished mid-run means someone deleted it or the server
    /// lost its state, and doing the work again without being asked could duplicate it; the
    /// next run provisions the agent afresh and submits the task anew, idempotently.
    fn on_gone(&mut self, gone: &HashSet<String>) {
        for index in 0..self.tasks.len() {
            if self.tasks[index].phase != Phase::Active {
                continue;
            }
            let planned = &self.plan.tasks[index];
            let agent_id = &self.agent_ids[planned.assignee];
            let team_id = &self.teams[planned.team].server_id;
            let reason = if gone.contains(team_id) {
                let team = &self.plan.teams[planned.team];
                format!(
                    "its team `{}` ({}, id {team_id}) is gone from the server (it was deleted, \
                     or the server lost its state), so nothing will run it; run again to \
                     provision the team afresh and submit the task anew",
                    team.id, team.key
                )
            } else if gone.contains(agent_id) {
                let agent = &self.plan.agents[planned.assignee];
                format!(
                    "its assignee agent `{}` ({}, id {agent_id}) is gone from the server (it \
                     was deleted, or the server lost its state), so nothing will run it; run \
                     again to provision the agent afresh and submit the task anew",
                    agent.id, agent.key
                )
            } else {
                self.tasks[index].agent_missing_checks = 0;
                continue;
            };
            self.tasks[index].agent_missing_checks += 1;
            if self.tasks[index].agent_missing_checks >= AGENT_MISSING_CHECKS {
                self.fail(index, reason);
            }
        }
    }

    /// Matches a team's listed tasks (or the failure to list them) against its watched
    /// tasks. Only tasks watched before the read was sent can be missing from it.
    fn apply_read(
        &mut self,
        team_index: usize,
        sent: Instant,
        answer: Result<Vec<api::Task>, client::Error>,
    ) {
        let watched: Vec<usize> = self.plan.teams[team_index]
            .tasks
            .iter()
            .copied()
            .filter(|&index| {
                let state = &self.tasks[index];
                state.phase == Phase::Active && state.watched_since.is_some_and(|at| at <= sent)
            })
            .collect();
        if watched.is_empty() {
            return;
        }
        match answer {
            Ok(listed) => {
                self.poll_failures[team_index] = 0;
                let by_id: HashMap<&str, &api::Task> =
                    listed.iter().map(|task| (task.id.as_str(), task)).collect();
                for index in watched {
                    let server_id = self.tasks[index].server_id.clone().unwrap_or_default();
                    match by_id.get(server_id.as_str()) {
                        Some(task) => {
                            self.tasks[index].missing_polls = 0;
                            self.observe(index, &task.status);
                        }
                        None => {
                            let state = &mut self.tasks[index];
                            state.missing_polls += 1;
                            if state.missing_polls >= MISSING_POLLS_LIMIT {
                                self.fail(
                                    index,
                                    "it disappeared from its team's task list (the team was deleted, or the server \
                                     lost its state); run again to provision the team afresh and \
                                     submit it anew"
                                        .to_owned(),
                                );
                            }
                        }
                    }
                }
            }
            Err(error) => {
                self.poll_failures[team_index] += 1;
                tracing::warn!(
                    team = %self.plan.teams[team_index].id,
                    error = %chain(&error),
                    "could not read a team's tasks; trying again at the next poll"
                );
                if self.poll_failures[team_index] >= POLL_FAILURES_LIMIT {
                    let error = format!(
                        "could not read its team's tasks {POLL_FAILURES_LIMIT} times in a row: {}",
                        chain(&error)
                    );
                    for index in watched {
                        self.fail(index, error.clone());
                    }
                }
            }
        }
    }

    /// Records the status the server reported for a watched task.
    fn observe(&mut self, index: usize, status: &TaskStatus) {
        let reference = &self.plan.tasks[index].reference;
        let state = &mut self.tasks[index];
        let previous = state.status.replace(status.clone());
        let id = state.server_id.clone().unwrap_or_default();
        match status {
            TaskStatus::Completed => {
                state.phase = Phase::Completed;
                state.elapsed = state.since.map(|since| since.elapsed());
                self.options.emit(Event::TaskCompleted {
                    task: reference.clone(),
                    id,
                });
                self.ready.completed(index);
            }
            TaskStatus::Failed => {
                state.phase = Phase::Failed;
                state.elapsed = state.since.map(|since| since.elapsed());
                self.options.emit(Event::TaskFailed {
                    task: reference.clone(),
                    id: Some(id),
                    error: None,
                });
                self.skip_dependents(index);
            }
            TaskStatus::Running if previous.as_ref() != Some(&TaskStatus::Running) => {
                self.options.emit(Event::TaskRunning {
                    task: reference.clone(),
                    id,
                });
            }
            _ => {}
        }
    }

    fn fail(&mut self, index: usize, error: String) {
        let state = &mut self.tasks[index];
        state.phase = Phase::Failed;
        state.elapsed = state.since.map(|since| since.elapsed());
        state.error = Some(error.clone());
        self.options.emit(Event::TaskFailed {
            task: self.plan.tasks[index].reference.clone(),
            id: state.server_id.clone(),
            error: Some(error),
        });
        self.skip_dependents(index);
    }

    /// Skips every task still waiting that depends, directly or not, on `index`, which did
    /// not complete.
    fn skip_dependents(&mut self, index: usize) {
        let mut blocked = vec![index];
        while let Some(blocker) = blocked.pop() {
            for &dependent in self.ready.dependents(blocker) {
                if self.tasks[dependent].phase != Phase::Waiting {
                    continue;
                }
                self.options.emit(Event::TaskSkipped {
                    task: self.plan.tasks[dependent].reference.clone(),
                    dependency: self.plan.tasks[blocker].reference.clone(),
                });
                let state = &mut self.tasks[dependent];
                state.phase = Phase::Skipped;
                state.skipped_because = Some(blocker);
                blocked.push(dependent);
            }
        }
    }

    /// The reports, and the run's status: `stopped` unless it says the tasks ran out, in
    /// which case `Succeeded` only if every task completed.
    fn finish(mut self, ended: RunStatus) -> TaskRun {
        let mut reports = Vec::with_capacity(self.tasks.len());
        for (index, state) in self.tasks.iter().enumerate() {
            let planned = &self.plan.tasks[index];
            let outcome = match state.phase {
                Phase::Completed => TaskOutcome::Completed,
                Phase::AlreadyCompleted => TaskOutcome::AlreadyCompleted,
                Phase::Failed => TaskOutcome::Failed,
                Phase::Skipped => TaskOutcome::Skipped,
                Phase::Active | Phase::Submitting => TaskOutcome::Unfinished,
                Phase::Waiting => TaskOutcome::NotSubmitted,
            };
            let skipped_because = state
                .skipped_because
                .map(|blocker| self.plan.tasks[blocker].reference.clone());
            match outcome {
                TaskOutcome::Failed => self.errors.push(match &state.error {
                    Some(error) => format!("task `{}`: {error}", planned.reference),
                    None => format!("task `{}` failed", planned.reference),
                }),
                TaskOutcome::Skipped => self.errors.push(format!(
                    "task `{}` was skipped because `{}` did not complete",
                    planned.reference,
                    skipped_because.as_deref().unwrap_or("a dependency")
                )),
                _ => {}
            }
            reports.push(TaskReport {
                team: self.plan.teams[planned.team].id.clone(),
                task: planned.id.clone(),
                subject: planned.subject.clone(),
                server_id: state.server_id.clone(),
                attempt: state.attempt,
                origin: state.origin,
                outcome,
                status: state.status.as_ref().map(ToString::to_string),
                skipped_because,
                error: state.error.clone(),
                elapsed_ms: state
                    .elapsed
                    .or_else(|| state.since.map(|since| since.elapsed()))
                    .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)),
            });
        }
        let status = match ended {
            RunStatus::Succeeded if reports.iter().all(|r| r.outcome.is_complete()) => {
                RunStatus::Succeeded
            }
            RunStatus::Succeeded => RunStatus::Failed,
            other => other,
        };
        if status == RunStatus::Failed && self.errors.is_empty() {
            self.errors.push("some tasks did not complete".to_owned());
        }
        TaskRun {
            status,
            reports,
            errors: self.errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, status: TaskStatus, created_at: &str, assignee: &str) -> api::Task {
        api::Task {
            id: id.to_owned(),
            team_id: "team".to_owned(),
            subject: "Subject".to_owned(),
            description: String::new(),
            assignee_agent_id: assignee.to_owned(),
            blocked_by: Vec::new(),
            kind: "general".to_owned(),
            status,
            created_at: created_at.to_owned(),
            updated_at: None,
            completed_at: None,
        }
    }

    #[test]
    fn no_attempt_means_submit() {
        assert_eq!(decide(&[], Some("agent")), Decision::Submit);
    }

    #[test]
    fn the_newest_attempt_decides() {
        let failed = task("z-old", TaskStatus::Failed, "2025-01-01T00:00:00Z", "agent");
        let completed = task(
            "a-new",
            TaskStatus::Completed,
            "2025-01-01T00:00:01Z",
            "agent",
        );
        assert_eq!(
            decide(&[&failed, &completed], Some("agent")),
            Decision::Completed(completed.clone())
        );

        let failed_again = task("b", TaskStatus::Failed, "2025-01-01T00:00:02Z", "agent");
        assert_eq!(
            decide(&[&completed, &failed_again], Some("agent")),
            Decision::Retry
        );
    }

    #[test]
    fn at_equal_times_the_failed_attempt_is_older() {
        let failed = task("z", TaskStatus::Failed, "2025-01-01T00:00:00Z", "agent");
        let retry = task("a", TaskStatus::Running, "2025-01-01T00:00:00Z", "agent");
        assert_eq!(
            decide(&[&failed, &retry], Some("agent")),
            Decision::Adopt(retry.clone())
        );
    }

    #[test]
    fn work_under_way_is_adopted_unless_nobody_can_pick_it_up() {
        let pending = task("p", TaskStatus::Pending, "2025-01-01T00:00:00Z", "agent");
        assert_eq!(
            decide(&[&pending], Some("agent")),
            Decision::Adopt(pending.clone())
        );
        // Assigned to an agent that no longer is the assignee: it would wait forever.
        assert_eq!(decide(&[&pending], Some("new-agent")), Decision::Retry);
        // A running task has a worker, whoever it is.
        let running = task(
            "r",
            TaskStatus::Running,
            "2025-01-01T00:00:00Z",
            "old-agent",
        );
        assert_eq!(
            decide(&[&running], Some("new-agent")),
            Decision::Adopt(running.clone())
        );
    }
}

//! The run lease: at most one run of a workflow changes the server at a time, coordinated
//! through the Agamemnon server itself.
//!
//! The server has no compare-and-set, accepts duplicate names and stamps `createdAt` with
//! whole seconds, so a lease cannot be one record that a run creates "if absent". Instead:
//!
//! 1. Every run that wants the lease creates its own **lease record**: a team named
//!    [`lease_name`] (`telemachy-lease-<16 hex>`, never a `tlm-*` key, so no declared
//!    resource can have it) whose member list carries the record's fields: who holds it
//!    (host, process, a random nonce), a heartbeat counter and the holder's expiry. The
//!    server stores member ids without checking them, so they survive as written.
//! 2. It waits [`SETTLE`] (the timestamps' one-second resolution, plus a margin) after its
//!    create returned, then lists every record of the name.
//! 3. **The oldest live record wins**, ordered by (`createdAt` parsed, then id). Two runs
//!    whose records were stamped in the same second both see both records after the wait,
//!    and compare the same pair the same way: one winner. A record created after a run's
//!    list was read was stamped at least a second after that run's own record (the list
//!    came at least [`SETTLE`] after the record's create returned, so the server's clock
//!    had passed the record's second), so it is strictly newer and cannot win against it.
//! 4. A run that does not win keeps its record (runs queue in `createdAt` order), beats
//!    its heartbeat, and lists again every [`WAIT_POLL`] until it wins, the wait bound
//!    passes, or (`--no-wait`) at once.
//!
//! **Liveness without comparing clocks.** The holder bumps its record's counter every
//! [`LeaseSettings::expiry`] / 6 (a `PUT` of the team's members). A waiter declares a record
//! stale when its counter has not changed for the expiry (the longer of the record's and its
//! own), measured on the waiter's own clock from when it first saw that value. So a killed
//! run's lease blocks the next run for at most the expiry after the next run starts
//! watching. On the same machine a waiter does better: the record names the holder's boot,
//! pid namespace, pid and process start time, and a holder that is no longer running (after
//! SIGKILL, say) is stale at once, so resuming a killed run waits for nothing.
//!
//! The winner deletes the records it found stale. A holder whose own record is gone (a
//! waiter judged it stale while it stalled, or `check --prune` removed it) learns so at its
//! next heartbeat and the run is cancelled: [`Lease::lost`] fires.
//!
//! **Limits.** A holder that stalls (a frozen VM, a paused process) for longer than the
//! expiry can overlap with the next run until its next heartbeat finds its record gone:
//! every lease's limit. Runs with different expiries use the longer one for each record
//! they judge, so that is safe; clocks never matter.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::api;
use crate::client::{self, Client};
use crate::executor::options::Cancellation;
use crate::timestamp::by_age;

/// The wait after a record's create returned before the records are compared: the
/// server's timestamps have whole seconds, so after a second every new record is stamped
/// later than this one; the margin covers clocks that run at slightly different rates.
pub const SETTLE: Duration = Duration::from_millis(1100);
/// How often a waiting run lists the lease records again.
pub const WAIT_POLL: Duration = Duration::from_secs(1);
/// The expiry when nothing says otherwise: a holder that has not beaten its heartbeat for
/// this long is stale.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(30);
/// The range of [`LeaseSettings::expiry`] (and `TELEMACHY_LEASE_EXPIRY`), in seconds.
pub const EXPIRY_RANGE: std::ops::RangeInclusive<u64> = 2..=3600;
/// How long a run waits for the lease when nothing says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// How long a stopped run waits to give its lease back before it leaves the record to
/// expire (on the same machine it is stale at once, since the process is gone).
pub const RELEASE_WHEN_STOPPED: Duration = Duration::from_millis(200);

/// The first member id of every lease record, and its format's version.
const MARKER: &str = "telemachy-lease:v1";

/// The lease records' name for `workflow`: `telemachy-lease-<16 hex>`, the hash of the
/// workflow's keys (so the same for every version and host), outside the `tlm-*` keys.
pub fn lease_name(workflow: &str) -> String {
    let key = crate::key::make_key(workflow, "lease");
    let hex = key
        .strip_prefix("tlm-")
        .and_then(|rest| rest.get(..16))
        .unwrap_or_default();
    format!("telemachy-lease-{hex}")
}

/// How a run takes the lease.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LeaseSettings {
    /// How long to wait for another run to finish; zero gives up at once (`--no-wait`).
    pub wait: Duration,
    /// After how long without a heartbeat a record is stale (within [`EXPIRY_RANGE`]).
    pub expiry: Duration,
}

impl Default for LeaseSettings {
    fn default() -> Self {
        LeaseSettings {
            wait: DEFAULT_WAIT,
            expiry: DEFAULT_EXPIRY,
        }
    }
}

impl LeaseSettings {
    /// Waits up to `wait` for the lease.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Judges records stale after `expiry` without a heartbeat (kept within
    /// [`EXPIRY_RANGE`]).
    pub fn expiry(mut self, expiry: Duration) -> Self {
        self.expiry = expiry.clamp(
            Duration::from_secs(*EXPIRY_RANGE.start()),
            Duration::from_secs(*EXPIRY_RANGE.end()),
        );
        self
    }

    /// Reads `TELEMACHY_LEASE_EXPIRY` (seconds) if it is set.
    pub fn from_env(self) -> Result<Self, LeaseError> {
        match std::env::var("TELEMACHY_LEASE_EXPIRY") {
            Ok(value) if !value.trim().is_empty() => {
                let seconds = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|seconds| EXPIRY_RANGE.contains(seconds))
                    .ok_or(LeaseError::Expiry { value })?;
                Ok(self.expiry(Duration::from_secs(seconds)))
            }
            _ => Ok(self),
        }
    }
}

/// Why the lease was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeaseError {
    /// Another run holds the lease, and waiting was not allowed or did not end.
    #[error(
        "another run of this workflow holds its lease ({holder}, since {since}){waited}; \
         nothing was changed: run again once it has finished (`status` shows the holder)"
    )]
    Held {
        /// Who holds it.
        holder: String,
        /// When the holder's record was created, as the server stamped it.
        since: String,
        /// How long this run waited, in words (empty with `--no-wait`).
        waited: String,
    },
    /// The server could not be asked.
    #[error("cannot take the run lease: {0}")]
    Server(#[source] client::Error),
    /// The run was cancelled while it waited.
    #[error("cancelled while waiting for the run lease; nothing was changed")]
    Cancelled,
    /// `TELEMACHY_LEASE_EXPIRY` is not a number of seconds in range.
    #[error(
        "`TELEMACHY_LEASE_EXPIRY` is `{value}`, but it must be a whole number of seconds from 2 to 3600"
    )]
    Expiry {
        /// What it was.
        value: String,
    },
}

/// One lease record, as read from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeaseRecord {
    /// The record's (team's) server id.
    pub server_id: String,
    /// When the server created it.
    pub created_at: String,
    /// Who made it: `host <name> pid <pid>`.
    pub holder: String,
    /// The holder's heartbeat counter.
    pub beat: u64,
    /// The holder's expiry, in seconds.
    pub expiry_secs: u64,
    /// The holder's wall clock at its last heartbeat, seconds since the Unix epoch (shown,
    /// never compared for the lease itself).
    pub beat_at: u64,
    nonce: String,
    process: Option<Process>,
}

/// A process on a machine, as precisely as Linux lets a record say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Process {
    boot: String,
    pid_namespace: String,
    pid: u32,
    start: u64,
}

impl LeaseRecord {
    /// The record in `team`, if it is one.
    fn parse(team: &api::Team) -> Option<LeaseRecord> {
        let mut fields = team.agent_ids.iter();
        if fields.next().map(String::as_str) != Some(MARKER) {
            return None;
        }
        let mut record = LeaseRecord {
            server_id: team.id.clone(),
            created_at: team.created_at.clone(),
            holder: String::new(),
            beat: 0,
            expiry_secs: DEFAULT_EXPIRY.as_secs(),
            beat_at: 0,
            nonce: String::new(),
            process: None,
        };
        for field in fields {
            let Some((name, value)) = field.split_once(':') else {
                continue;
            };
            match name {
                "holder" => record.holder = value.to_owned(),
                "nonce" => record.nonce = value.to_owned(),
                "beat" => record.beat = value.parse().unwrap_or(0),
                "expiry" => record.expiry_secs = value.parse().unwrap_or(record.expiry_secs),
                "at" => record.beat_at = value.parse().unwrap_or(0),
                "process" => record.process = Process::parse(value),
                _ => {}
            }
        }
        Some(record)
    }

    /// Whether this machine can see that the record's process is gone: same boot, same
    /// pid namespace, and no process with that pid and start time.
    pub fn holder_is_gone(&self) -> bool {
        let (Some(theirs), Some(ours)) = (&self.process, Process::own()) else {
            return false;
        };
        theirs.boot == ours.boot
            && theirs.pid_namespace == ours.pid_namespace
            && process_start(theirs.pid) != Some(theirs.start)
    }

    /// Whether the record looks stale at one look: its holder is gone from this machine, or
    /// its last heartbeat (by the holder's clock) is more than twice its expiry ago by ours.
    /// For `check` and `status`; a waiter judges by watching the counter instead.
    pub fn looks_stale(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        self.holder_is_gone() || now.saturating_sub(self.beat_at) > 2 * self.expiry_secs
    }
}

impl fmt::Display for LeaseRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} since {}, heartbeat {}",
            self.holder, self.created_at, self.beat
        )
    }
}

impl Process {
    fn parse(text: &str) -> Option<Process> {
        let mut parts = text.split('/');
        Some(Process {
            boot: parts.next()?.to_owned(),
            pid_namespace: parts.next()?.to_owned(),
            pid: parts.next()?.parse().ok()?,
            start: parts.next()?.parse().ok()?,
        })
    }

    fn own() -> Option<Process> {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let pid_namespace = std::fs::read_link("/proc/self/ns/pid").ok()?;
        let pid = std::process::id();
        Some(Process {
            boot: boot.trim().to_owned(),
            pid_namespace: pid_namespace.to_string_lossy().replace('/', "_"),
            pid,
            start: process_start(pid)?,
        })
    }

    fn text(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.boot, self.pid_namespace, self.pid, self.start
        )
    }
}

/// The start time (clock ticks after boot) of process `pid`, from `/proc/<pid>/stat`.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields count from the last `)`.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Every lease record of `workflow` on the server, oldest first.
pub async fn lease_records(
    client: &Client,
    workflow: &str,
) -> Result<Vec<LeaseRecord>, client::Error> {
    let name = lease_name(workflow);
    let teams = client.list_teams().await?;
    Ok(records_named(&teams, &name))
}

/// The lease records of `workflow` among `teams` (a snapshot's, say), oldest first.
pub fn records_in(teams: &[api::Team], workflow: &str) -> Vec<LeaseRecord> {
    records_named(teams, &lease_name(workflow))
}

fn records_named(teams: &[api::Team], name: &str) -> Vec<LeaseRecord> {
    let mut records: Vec<LeaseRecord> = teams
        .iter()
        .filter(|team| team.name == name)
        .filter_map(LeaseRecord::parse)
        .collect();
    records.sort_by(|a, b| by_age((&a.created_at, &a.server_id), (&b.created_at, &b.server_id)));
    records
}

/// What a run waiting for the lease is told.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LeaseEvent {
    /// Another run holds the lease; this one waits (at most `up_to`).
    Waiting {
        /// The holder.
        holder: LeaseRecord,
        /// How long this run waits at most.
        up_to: Duration,
    },
    /// A record was judged stale and will be removed.
    Stale {
        /// The stale record.
        record: LeaseRecord,
    },
    /// This run holds the lease, after waiting this long.
    Acquired {
        /// How long it waited for it (zero when nobody held it).
        waited: Duration,
    },
}

/// A held run lease. [`Lease::release`] gives it back; dropping it stops the heartbeat and
/// leaves the record to expire.
#[derive(Debug)]
pub struct Lease {
    client: Client,
    record_id: String,
    heartbeat: tokio::task::JoinHandle<()>,
    lost: watch::Receiver<bool>,
}

impl Lease {
    /// Takes the lease of `workflow` on the server behind `client`, waiting as `settings`
    /// say and telling `observe` what happens; stops waiting when `cancellation` is
    /// cancelled. See the [module documentation](self) for the rule.
    pub async fn acquire(
        client: &Client,
        workflow: &str,
        settings: &LeaseSettings,
        cancellation: &Cancellation,
        observe: impl Fn(&LeaseEvent),
    ) -> Result<Lease, LeaseError> {
        let name = lease_name(workflow);
        let own = Own::new(settings.expiry);
        let team = api::NewTeam {
            name: name.clone(),
            agent_ids: own.fields(0),
        };
        let nonce_field = format!("nonce:{}", own.nonce);
        let created = client
            .create_team_adopting(&team, |candidate| {
                candidate.name == name && candidate.agent_ids.contains(&nonce_field)
            })
            .await
            .map_err(LeaseError::Server)?;
        let started = Instant::now();
        let mut beat = 0u64;
        let mut seen: HashMap<String, (u64, Instant)> = HashMap::new();
        let mut told_waiting = None::<String>;

        let outcome = async {
            sleep_or_cancel(SETTLE, cancellation).await?;
            loop {
                let teams = client.list_teams().await.map_err(LeaseError::Server)?;
                let records = records_named(&teams, &name);
                let now = Instant::now();
                let Some(mine) = records.iter().find(|r| r.server_id == created.id) else {
                    // Someone judged this record stale while we waited: start over would
                    // queue us last; say so instead.
                    return Err(LeaseError::Server(client::Error::NotFound {
                        method: "GET".to_owned(),
                        path: "/v1/teams".to_owned(),
                        message: "this run's lease record disappeared while it waited".to_owned(),
                    }));
                };
                let mut stale = Vec::new();
                let mut live = Vec::new();
                for record in &records {
                    if record.server_id == mine.server_id {
                        continue;
                    }
                    let entry = seen
                        .entry(record.server_id.clone())
                        .or_insert((record.beat, now));
                    if entry.0 != record.beat {
                        *entry = (record.beat, now);
                    }
                    let expiry = settings.expiry.max(Duration::from_secs(record.expiry_secs));
                    if record.holder_is_gone() || now.duration_since(entry.1) >= expiry {
                        stale.push(record.clone());
                    } else {
                        live.push(record);
                    }
                }
                let older = live
                    .iter()
                    .find(|record| {
                        by_age(
                            (&record.created_at, &record.server_id),
                            (&mine.created_at, &mine.server_id),
                        )
                        .is_lt()
                    })
                    .copied();
                match older {
                    None => {
                        for record in stale {
                            observe(&LeaseEvent::Stale {
                                record: record.clone(),
                            });
                            if let Err(error) = client.delete_team(&record.server_id).await {
                                tracing::info!(%error, "could not remove a stale lease record");
                            }
                        }
                        return Ok(started.elapsed());
                    }
                    Some(holder) => {
                        let waited = started.elapsed();
                        if waited >= settings.wait {
                            let waited = if settings.wait.is_zero() {
                                String::new()
                            } else {
                                format!("; waited {:.0} s for it", waited.as_secs_f64())
                            };
                            return Err(LeaseError::Held {
                                holder: holder.holder.clone(),
                                since: holder.created_at.clone(),
                                waited,
                            });
                        }
                        if told_waiting.as_deref() != Some(holder.server_id.as_str()) {
                            told_waiting = Some(holder.server_id.clone());
                            observe(&LeaseEvent::Waiting {
                                holder: holder.clone(),
                                up_to: settings.wait,
                            });
                        }
                    }
                }
                // Still queued: beat, so that the runs behind see this one alive.
                beat += 1;
                let _ = client
                    .set_team_members(&created.id, &own.fields(beat))
                    .await;
                let left = settings.wait.saturating_sub(started.elapsed());
                sleep_or_cancel(
                    WAIT_POLL.min(left.max(Duration::from_millis(10))),
                    cancellation,
                )
                .await?;
            }
        }
        .await;

        match outcome {
            Ok(waited) => {
                observe(&LeaseEvent::Acquired { waited });
                let (lost_sender, lost) = watch::channel(false);
                let heartbeat = tokio::spawn(heartbeat(
                    client.clone(),
                    created.id.clone(),
                    own,
                    beat,
                    settings.expiry / 6,
                    lost_sender,
                ));
                Ok(Lease {
                    client: client.clone(),
                    record_id: created.id,
                    heartbeat,
                    lost,
                })
            }
            Err(error) => {
                // Out of the queue: the record would hold up the runs behind until it
                // expired.
                if let Err(delete) = client.delete_team(&created.id).await {
                    tracing::info!(error = %delete, "could not remove this run's lease record");
                }
                Err(error)
            }
        }
    }

    /// Waits until the lease is lost: this run's record is gone from the server (a waiter
    /// judged it stale while this run stalled, or it was pruned). The run must stop.
    pub async fn lost(&self) {
        let mut lost = self.lost.clone();
        let _ = lost.wait_for(|lost| *lost).await;
    }

    /// Gives the lease back: stops the heartbeat and deletes this run's record.
    pub async fn release(self) -> Result<(), client::Error> {
        self.heartbeat.abort();
        self.client.delete_team(&self.record_id).await
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

/// What this run writes into its record.
#[derive(Debug, Clone)]
struct Own {
    holder: String,
    nonce: String,
    expiry: Duration,
    process: Option<Process>,
}

impl Own {
    fn new(expiry: Duration) -> Own {
        use std::hash::{BuildHasher, RandomState};
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|host| host.trim().to_owned())
            .filter(|host| !host.is_empty())
            .unwrap_or_else(|| "unknown-host".to_owned());
        let state = RandomState::new();
        let nonce = format!(
            "{:016x}{:016x}",
            state.hash_one(std::process::id()),
            state.hash_one(std::time::SystemTime::now())
        );
        Own {
            holder: format!("host {host} pid {}", std::process::id()),
            nonce,
            expiry,
            process: Process::own(),
        }
    }

    fn fields(&self, beat: u64) -> Vec<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let mut fields = vec![
            MARKER.to_owned(),
            format!("holder:{}", self.holder),
            format!("nonce:{}", self.nonce),
            format!("beat:{beat}"),
            format!("expiry:{}", self.expiry.as_secs()),
            format!("at:{now}"),
        ];
        if let Some(process) = &self.process {
            fields.push(format!("process:{}", process.text()));
        }
        fields
    }
}

/// Beats the record's counter every `every` until aborted; sets `lost` when the record is
/// gone.
async fn heartbeat(
    client: Client,
    record_id: String,
    own: Own,
    mut beat: u64,
    every: Duration,
    lost: watch::Sender<bool>,
) {
    let lost = Arc::new(lost);
    loop {
        tokio::time::sleep(every).await;
        beat += 1;
        match client.set_team_members(&record_id, &own.fields(beat)).await {
            Ok(_) => {}
            Err(error) if error.is_not_found() => {
                lost.send_replace(true);
                return;
            }
            Err(error) => tracing::info!(%error, "a lease heartbeat failed; trying again"),
        }
    }
}

async fn sleep_or_cancel(period: Duration, cancellation: &Cancellation) -> Result<(), LeaseError> {
    tokio::select! {
        () = tokio::time::sleep(period) => Ok(()),
        () = cancellation.cancelled() => Err(LeaseError::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, created_at: &str, fields: &[&str]) -> api::Team {
        crate::executor::fixtures::team(id, "telemachy-lease-x", fields, created_at)
    }

    #[test]
    fn the_name_is_outside_the_keys_and_the_same_everywhere() {
        let name = lease_name("fleet-security-analysis");
        assert!(name.starts_with("telemachy-lease-"), "{name}");
        assert_eq!(name.len(), "telemachy-lease-".len() + 16);
        assert_eq!(name, lease_name("fleet-security-analysis"));
        assert_ne!(name, lease_name("other"));
    }

    #[test]
    fn records_are_parsed_and_ordered_oldest_first_by_time_then_id() {
        let teams = vec![
            team(
                "b",
                "2026-01-01T00:00:05Z",
                &[MARKER, "holder:host h pid 2", "beat:3"],
            ),
            team(
                "a",
                "2026-01-01T00:00:05Z",
                &[MARKER, "holder:host h pid 1"],
            ),
            team("c", "2026-01-01T00:00:04.5Z", &[MARKER, "expiry:9"]),
            team("d", "2026-01-01T00:00:01Z", &["not-a-lease"]),
        ];
        let records = records_named(&teams, "telemachy-lease-x");
        let ids: Vec<&str> = records.iter().map(|r| r.server_id.as_str()).collect();
        // The same second: the id decides, for every reader alike.
        assert_eq!(ids, ["c", "a", "b"]);
        assert_eq!(records[0].expiry_secs, 9);
        assert_eq!(records[2].beat, 3);
        assert_eq!(records[2].holder, "host h pid 2");
    }

    #[test]
    fn this_process_is_not_gone_and_a_dead_one_is() {
        let own = Own::new(DEFAULT_EXPIRY);
        let fields = own.fields(0);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let record = LeaseRecord::parse(&team("r", "2026-01-01T00:00:00Z", &fields))
            .expect("a lease record");
        assert!(!record.holder_is_gone());
        assert!(!record.looks_stale());
        if let Some(mut process) = record.process.clone() {
            process.start += 1;
            let gone = LeaseRecord {
                process: Some(process),
                ..record
            };
            assert!(gone.holder_is_gone());
            assert!(gone.looks_stale());
        }
    }
}

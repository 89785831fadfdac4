//! Bad answers from the server, through a proxy that spoils them while the simulator behind
//! it keeps the real state: malformed JSON, missing and mistyped fields, an HTML error
//! page, a huge body, no answer at all. Each ends in a typed error with a clear message or
//! is survived; never a panic, never a hang, and never a resource the run does not know of.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use telemachy::api::NewAgent;
use telemachy::client::{self, Client};
use telemachy::executor::{self, Report, RunStatus};
use telemachy::sim::{SimConfig, Simulator};
use telemachy::spec::Teardown;
use tokio::task::JoinSet;

use crate::fleet_security;
use crate::proxy::{Proxy, Rule, Spoil, Target};
use crate::support::{
    BeforeTeardown, Holdings, fleet_plan, quick_client, quick_config, shut_down, simulator,
    watching_teardown,
};

/// The client's timeout: a silent server costs this much per attempt.
const TIMEOUT: Duration = Duration::from_millis(400);
/// The longest a run may take, silent servers included.
const RUN_LIMIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(10);

/// Every way an answer is spoiled that makes it unreadable.
const UNREADABLE: [Spoil; 6] = [
    Spoil::MalformedJson,
    Spoil::MissingField,
    Spoil::MistypedField,
    Spoil::HtmlErrorPage,
    Spoil::Huge,
    Spoil::Silence,
];

/// A simulator, a proxy with `rules` in front of it, and a client for the proxy.
async fn spoiled_server(rules: Vec<Rule>, retries: u32) -> (Arc<Simulator>, Proxy, Client) {
    let sim =
        Arc::new(simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await);
    let proxy = Proxy::start(&sim.url(), rules).await;
    let client = Client::new(
        quick_config(proxy.url())
            .timeout(TIMEOUT)
            .max_retries(retries),
    )
    .expect("a plain HTTP client builds");
    (sim, proxy, client)
}

/// What a run through a spoiling proxy left: the report (or why there is none), what the
/// server held when the teardown started and after the run, and how many answers were
/// spoiled.
type Spoiled = (
    Result<Report, executor::Error>,
    BeforeTeardown,
    Holdings,
    usize,
);

/// Runs `fleet_security` through a proxy with `rules` on a server that holds `existing`
/// agents beforehand (created behind the proxy's back).
async fn run_through(
    rules: Vec<Rule>,
    retries: u32,
    teardown: Teardown,
    existing: &[&str],
) -> Spoiled {
    let (sim, proxy, client) = spoiled_server(rules, retries).await;
    let direct = quick_client(&sim.url());
    for name in existing {
        let agent = NewAgent {
            name: (*name).to_owned(),
            ..NewAgent::default()
        };
        direct
            .create_agent(&agent)
            .await
            .expect("the simulator creates it");
    }
    let (options, before) = watching_teardown(&sim, POLL);
    let run = fleet_security::run(&client, options.teardown(teardown));
    let outcome = tokio::time::timeout(RUN_LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("the run hung past {RUN_LIMIT:?}"));
    let after = Holdings::of(&sim);
    let spoiled = proxy.spoiled();
    drop(proxy);
    shut_down(sim).await;
    (outcome, before, after, spoiled)
}

/// Checks that every agent and team on the server is one the report knows by its id.
fn tracked(report: &Report, holdings: &Holdings) -> Result<(), String> {
    let known: Vec<&str> = report
        .agents
        .iter()
        .chain(&report.teams)
        .filter_map(|resource| resource.server_id.as_deref())
        .collect();
    let names = holdings
        .agents
        .iter()
        .map(|agent| (&agent.id, &agent.name))
        .chain(holdings.teams.iter().map(|team| (&team.id, &team.name)));
    for (id, name) in names {
        if !known.contains(&id.as_str()) {
            return Err(format!(
                "`{name}` ({id}) is on the server but not in the report"
            ));
        }
    }
    Ok(())
}

fn no_panic(report: &Report) -> Result<(), String> {
    let panicked = report
        .errors
        .iter()
        .chain(&report.teardown.errors)
        .find(|error| error.contains("unexpectedly") || error.contains("panicked"));
    match panicked {
        Some(error) => Err(format!("a job panicked: {error}")),
        None => Ok(()),
    }
}

/// A create whose answer is unreadable or lost was still applied by the server: the client
/// finds what it made and the run goes on with it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_with_a_spoiled_answer_is_adopted_not_repeated() {
    let mut runs = JoinSet::new();
    for target in [Target::CreateAgent, Target::CreateTeam, Target::CreateTask] {
        for spoil in UNREADABLE {
            runs.spawn(async move {
                let rules = vec![Rule {
                    target,
                    spoil,
                    after: 0,
                    times: 1,
                }];
                let (outcome, before, after, spoiled) =
                    run_through(rules, 3, Teardown::OnCompletion, &[]).await;
                let checked = (|| {
                    let report = outcome.map_err(|error| format!("no report: {error}"))?;
                    no_panic(&report)?;
                    if spoiled != 1 {
                        return Err(format!("{spoiled} answers were spoiled, not 1"));
                    }
                    if report.status != RunStatus::Succeeded {
                        return Err(format!("the run {}: {:?}", report.status, report.errors));
                    }
                    let before = before
                        .lock()
                        .expect("not poisoned")
                        .take()
                        .ok_or("no teardown")?;
                    before.holds_exactly(&fleet_plan())?;
                    tracked(&report, &before)?;
                    if !after.is_torn_down() {
                        return Err("the teardown left something".to_owned());
                    }
                    Ok(())
                })();
                checked.map_err(|problem| format!("{target:?} answered {spoil:?}: {problem}"))
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(joined) = runs.join_next().await {
        if let Err(failure) = joined.expect("a run does not panic") {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The snapshot cannot be read: the run stops with a typed error that says so, before it
/// changed anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_lists_stop_the_run_before_it_changes_anything() {
    for spoil in UNREADABLE {
        let rules = vec![Rule {
            target: Target::ListAgents,
            spoil,
            after: 0,
            times: usize::MAX,
        }];
        // Something on the server already, so that the list has items to spoil.
        let (outcome, _, after, _) =
            run_through(rules, 1, Teardown::OnFailure, &["someone-else"]).await;
        let error = outcome.expect_err("the snapshot cannot be read");
        let executor::Error::Snapshot(cause) = &error else {
            panic!("{spoil:?}: not a snapshot error: {error:?}");
        };
        let expected = match spoil {
            Spoil::HtmlErrorPage => matches!(cause, client::Error::Status { status: 502, .. }),
            Spoil::Huge => matches!(cause, client::Error::BodyTooLarge { .. }),
            Spoil::Silence => matches!(cause, client::Error::Timeout { .. }),
            _ => matches!(cause, client::Error::Contract { .. }),
        };
        assert!(expected, "{spoil:?}: {cause:?}");
        let shown = error.to_string();
        assert!(shown.contains("nothing was changed"), "{spoil:?}: {shown}");
        let cause_shown = error.source().map(ToString::to_string).unwrap_or_default();
        assert!(
            cause_shown.contains("`GET /v1/agents`"),
            "{spoil:?}: {cause_shown}"
        );
        assert!(
            cause_shown.len() < 600 && !cause_shown.contains('\n'),
            "{spoil:?}: one short line: {cause_shown}"
        );
        assert!(
            after.agents.len() == 1 && after.teams.is_empty() && after.tasks.is_empty(),
            "{spoil:?}: something was created"
        );
    }
}

/// Task lists that cannot be read: the watched tasks fail after a few polls, the run fails
/// and its teardown still deletes what it made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_task_lists_fail_the_run_without_hanging() {
    let mut runs = JoinSet::new();
    for spoil in [Spoil::MalformedJson, Spoil::HtmlErrorPage, Spoil::Silence] {
        runs.spawn(async move {
            let rules = vec![Rule {
                target: Target::ListTasks,
                spoil,
                after: 0,
                times: usize::MAX,
            }];
            let (outcome, before, after, _) = run_through(rules, 1, Teardown::OnFailure, &[]).await;
            (spoil, outcome, before, after)
        });
    }
    while let Some(joined) = runs.join_next().await {
        let (spoil, outcome, before, after) = joined.expect("a run does not panic");
        let report = outcome.expect("the run starts");
        no_panic(&report).expect("no job panicked");
        assert_eq!(report.status, RunStatus::Failed, "{spoil:?}");
        assert!(
            report
                .errors
                .iter()
                .any(|error| error.contains("could not read its team's tasks")),
            "{spoil:?}: {:?}",
            report.errors
        );
        let before = before
            .lock()
            .expect("not poisoned")
            .take()
            .expect("the teardown ran");
        tracked(&report, &before).expect("every resource is in the report");
        assert!(
            after.is_torn_down(),
            "{spoil:?}: the teardown left something"
        );
    }
}

/// A server that writes `null` for every empty value is understood.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nulls_for_empty_values_are_understood() {
    let rules = vec![Rule {
        target: Target::Any,
        spoil: Spoil::Nulls,
        after: 0,
        times: usize::MAX,
    }];
    let (outcome, before, after, spoiled) =
        run_through(rules, 3, Teardown::OnCompletion, &[]).await;
    let report = outcome.expect("the run starts");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.errors);
    assert!(spoiled > 10, "{spoiled}");
    let before = before
        .lock()
        .expect("not poisoned")
        .take()
        .expect("the teardown ran");
    before.holds_exactly(&fleet_plan()).expect("once each");
    assert!(after.is_torn_down());
}

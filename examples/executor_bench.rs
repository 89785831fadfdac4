//! The executor's benchmark: a generated workflow of A agents, T teams and K tasks in chains
//! D deep, run twice (a first run, then a re-run that must only read) against the
//! simulator in its own process, optionally with task events through a real `nats-server`,
//! a rate limit and added latency.
//!
//! ```sh
//! cargo build --release --example agamemnon_sim --example executor_bench
//! target/release/examples/executor_bench --agents 100 --teams 10 --tasks 1000 --depth 10 --nats
//! target/release/examples/executor_bench --agents 100 --teams 10 --tasks 1000 --depth 1 \
//!     --rate-limit 60 --burst 120 --latency-ms 40..50
//! ```
//!
//! For each run it prints wall time, CPU time and peak memory of the client (each run is a
//! process of its own, so the figures are its alone), the requests by route next to their
//! lower bound, how many were answered `429`, and the hand-off: how long each dependent
//! task was created after its last dependency finished, as the simulator measured it.

use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};
use telemachy::executor::{self, RunOptions, RunStatus};
use telemachy::spec::{Agent, Task, TaskRef, Team, Teardown, Workflow};
use telemachy::{Client, Config};

#[path = "../tests/shared/nats_server.rs"]
mod nats_server;

use nats_server::{NatsServer, free_port};

/// Run a generated workflow twice against the simulator and print what it cost.
#[derive(Debug, Parser, Clone)]
struct Args {
    /// Agents, spread over the teams.
    #[arg(long, default_value_t = 10)]
    agents: usize,
    /// Teams.
    #[arg(long, default_value_t = 2)]
    teams: usize,
    /// Tasks, spread over the teams.
    #[arg(long, default_value_t = 100)]
    tasks: usize,
    /// Length of the dependency chains (1: no dependencies).
    #[arg(long, default_value_t = 5)]
    depth: usize,
    /// Publish and follow task events through a real nats-server.
    #[arg(long)]
    nats: bool,
    /// The simulator's rate limit per client, requests per second.
    #[arg(long)]
    rate_limit: Option<f64>,
    /// The burst of the rate limit.
    #[arg(long, default_value_t = 120)]
    burst: u32,
    /// Latency the simulator adds to each request, e.g. `40..50` (milliseconds).
    #[arg(long, value_name = "MIN..MAX")]
    latency_ms: Option<String>,
    /// Milliseconds per simulated worker step (a task takes two).
    #[arg(long, default_value_t = 1)]
    worker_delay_ms: u64,
    /// Connections the simulator serves at once (the real server: 8).
    #[arg(long, default_value_t = 8)]
    max_connections: u16,
    /// The run's poll interval in seconds.
    #[arg(long, default_value_t = 1.0)]
    poll_interval: f64,
    /// Internal: run the client once against this URL and print its figures as JSON.
    #[arg(long, hide = true)]
    client: Option<String>,
    /// Internal: the NATS URL for `--client`.
    #[arg(long, hide = true)]
    nats_url: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match &args.client {
        Some(url) => client_run(&args, url),
        None => match orchestrate(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The workflow: `tasks / depth` chains of `depth` tasks; the task at level `l` of chain
/// `c` is in team `(c + l) % teams` (so chains cross teams) and waits for level `l - 1`.
fn workflow(args: &Args) -> Workflow {
    let teams = args.teams.max(1);
    let depth = args.depth.max(1);
    let mut workflow = Workflow::new("bench");
    workflow.teardown = Teardown::Never;
    workflow.agents = (0..args.agents.max(teams))
        .map(|a| Agent::new(format!("a{a}")))
        .collect();
    let members: Vec<Vec<String>> = (0..teams)
        .map(|t| {
            (0..workflow.agents.len())
                .filter(|a| a % teams == t)
                .map(|a| format!("a{a}"))
                .collect()
        })
        .collect();
    let mut built: Vec<Team> = (0..teams)
        .map(|t| Team::new(format!("t{t}"), members[t].clone()))
        .collect();
    let chains = args.tasks.div_ceil(depth);
    for index in 0..args.tasks {
        let (chain, level) = (index % chains, index / chains);
        let team = (chain + level) % teams;
        let id = format!("c{chain}l{level}");
        let assignee = members[team][index % members[team].len()].clone();
        let mut task = Task::new(id.clone(), format!("Task {id}"), assignee);
        if level > 0 {
            let before = (chain + level - 1) % teams;
            task.after = vec![TaskRef::new(
                format!("t{before}"),
                format!("c{chain}l{}", level - 1),
            )];
        }
        built[team].tasks.push(task);
    }
    workflow.teams = built;
    workflow
}

/// One client run in this process: prints `{"status", "wall_s", "cpu_s", "peak_mb", ...}`.
fn client_run(args: &Args, url: &str) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let workflow = workflow(args);
    let started = Instant::now();
    let outcome = runtime.block_on(async {
        let client = Client::new(Config::new(url)?)?;
        let mut options = RunOptions::new()
            .poll_interval(Duration::from_secs_f64(args.poll_interval))
            .teardown(Teardown::Never);
        if let Some(nats) = &args.nats_url {
            options = options.nats_url(nats.clone());
        }
        let report = executor::run(&workflow, &client, options).await?;
        Ok::<_, Box<dyn std::error::Error>>(report)
    });
    let wall = started.elapsed();
    let report = match outcome {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (cpu, peak_kb) = own_usage();
    let figures = json!({
        "status": report.status.to_string(),
        "succeeded": report.status == RunStatus::Succeeded,
        "wall_s": wall.as_secs_f64(),
        "provision_s": report.timings.provision_ms as f64 / 1e3,
        "tasks_s": report.timings.tasks_ms as f64 / 1e3,
        "cpu_s": cpu,
        "peak_mb": peak_kb as f64 / 1024.0,
        "errors": report.errors,
    });
    println!("{figures}");
    ExitCode::SUCCESS
}

/// This process's CPU seconds (user + system) and peak resident memory in KiB, from /proc.
fn own_usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command (which may hold spaces) start at state, field 3.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state; 100 ticks/s.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0);
    (cpu, peak)
}

/// A child process, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn orchestrate(args: &Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|error| format!("cannot find myself: {error}"))?;
    let sim_binary = exe.with_file_name("agamemnon_sim");
    if !sim_binary.is_file() {
        return Err(format!(
            "{} is missing: `cargo build --release --example agamemnon_sim` first",
            sim_binary.display()
        ));
    }
    let nats = args.nats.then(NatsServer::start);
    let port = free_port();
    let mut sim = Command::new(&sim_binary);
    sim.args(["--port", &port.to_string()])
        .args(["--worker-delay-ms", &args.worker_delay_ms.to_string()])
        .args(["--max-connections", &args.max_connections.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(rate) = args.rate_limit {
        sim.args([
            "--rate-limit",
            &rate.to_string(),
            "--burst",
            &args.burst.to_string(),
        ]);
    }
    if let Some(latency) = &args.latency_ms {
        sim.args(["--latency-ms", latency]);
    }
    if let Some(nats) = &nats {
        sim.args(["--nats-url", &nats.url()]);
    }
    let _sim = Running(
        sim.spawn()
            .map_err(|error| format!("cannot start the simulator: {error}"))?,
    );
    let url = format!("http://127.0.0.1:{port}");
    wait_for(&url)?;

    let size = format!(
        "A={} T={} K={} D={}{}{}{}",
        args.agents,
        args.teams,
        args.tasks,
        args.depth,
        if args.nats { ", NATS" } else { ", polling" },
        args.rate_limit
            .map(|rate| format!(", rate limit {rate}/s burst {}", args.burst))
            .unwrap_or_default(),
        args.latency_ms
            .as_ref()
            .map(|latency| format!(", latency {latency} ms"))
            .unwrap_or_default(),
    );
    println!(
        "workflow: {size}; poll interval {} s; worker steps {} ms; server connections {}",
        args.poll_interval, args.worker_delay_ms, args.max_connections
    );

    let before = stats(&url)?;
    let first = run_client(&exe, args, &url, nats.as_ref())?;
    let middle = stats(&url)?;
    let rerun = run_client(&exe, args, &url, nats.as_ref())?;
    let after = stats(&url)?;

    let first_counts = counts_between(&before, &middle);
    let rerun_counts = counts_between(&middle, &after);
    print_runs(args, &first, &rerun, &first_counts, &rerun_counts, &middle);
    print_routes(args, &first_counts, &rerun_counts);
    Ok(())
}

fn wait_for(url: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if get_json(&format!("{url}/_sim/stats")).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("the simulator did not start listening".to_owned())
}

/// A plain HTTP/1.0 GET on loopback, answered as JSON.
fn get_json(url: &str) -> Result<Value, String> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").ok_or("not http")?;
    let (host, path) = rest.split_once('/').ok_or("no path")?;
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .ok_or("no body")?;
    serde_json::from_str(body).map_err(|e| e.to_string())
}

fn stats(url: &str) -> Result<Value, String> {
    get_json(&format!("{url}/_sim/stats"))
}

fn run_client(
    exe: &std::path::Path,
    args: &Args,
    url: &str,
    nats: Option<&NatsServer>,
) -> Result<Value, String> {
    let mut command = Command::new(exe);
    command
        .args(["--client", url])
        .args(["--agents", &args.agents.to_string()])
        .args(["--teams", &args.teams.to_string()])
        .args(["--tasks", &args.tasks.to_string()])
        .args(["--depth", &args.depth.to_string()])
        .args(["--poll-interval", &args.poll_interval.to_string()])
        .stderr(Stdio::inherit());
    if let Some(nats) = nats {
        command.args(["--nats-url", &nats.url()]);
    }
    let output = command
        .output()
        .map_err(|error| format!("cannot run the client: {error}"))?;
    if !output.status.success() {
        return Err("the client run failed".to_owned());
    }
    let figures: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("the client printed no figures: {error}"))?;
    if figures["succeeded"] != true {
        return Err(format!(
            "the run ended {}: {}",
            figures["status"], figures["errors"]
        ));
    }
    Ok(figures)
}

/// Requests by "METHOD route" between two stats: (count, answered 429).
fn counts_between(before: &Value, after: &Value) -> Vec<(String, u64, u64)> {
    let read = |stats: &Value| -> Vec<(String, u64, u64)> {
        stats["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| {
                (
                    format!(
                        "{} {}",
                        entry["method"].as_str().unwrap_or(""),
                        entry["route"].as_str().unwrap_or("")
                    ),
                    entry["count"].as_u64().unwrap_or(0),
                    entry["rate_limited"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let earlier = read(before);
    read(after)
        .into_iter()
        .map(|(route, count, limited)| {
            let (was, was_limited) = earlier
                .iter()
                .find(|(other, _, _)| *other == route)
                .map_or((0, 0), |(_, count, limited)| (*count, *limited));
            (route, count - was, limited - was_limited)
        })
        .filter(|(_, count, _)| *count > 0)
        .collect()
}

/// The fewest requests of `route` a run can make: `(first run, re-run)`.
fn lower_bound(args: &Args, route: &str) -> (u64, u64) {
    let teams = args.teams.max(1) as u64;
    let agents = args.agents.max(args.teams.max(1)) as u64;
    let tasks = args.tasks as u64;
    let depth = args.depth.max(1) as u64;
    let pages = |items: u64| items.div_ceil(1000).max(1);
    match route {
        "GET /v1/agents" => (1, pages(agents)),
        "GET /v1/teams" => (1, pages(teams)),
        "POST /v1/agents" => (agents, 0),
        "POST /v1/agents/{id}/start" => (agents, 0),
        "POST /v1/teams" => (teams, 0),
        "POST /v1/teams/{team_id}/tasks" => (tasks, 0),
        // Every level's completion seen at least once in each team it touches.
        "GET /v1/teams/{team_id}/tasks" => (
            depth.min(tasks) * teams.min(tasks.max(1)),
            teams * pages(tasks / teams),
        ),
        _ => (0, 0),
    }
}

fn print_runs(
    args: &Args,
    first: &Value,
    rerun: &Value,
    first_counts: &[(String, u64, u64)],
    rerun_counts: &[(String, u64, u64)],
    middle: &Value,
) {
    let total =
        |counts: &[(String, u64, u64)]| counts.iter().map(|(_, count, _)| count).sum::<u64>();
    let limited =
        |counts: &[(String, u64, u64)]| counts.iter().map(|(_, _, limited)| limited).sum::<u64>();
    println!();
    println!(
        "| run | wall | provisioning | tasks | client CPU | client peak memory | requests | answered 429 | mean hand-off | longest hand-off |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, figures, counts) in [
        ("first run", first, first_counts),
        ("re-run", rerun, rerun_counts),
    ] {
        let handoff = if name == "first run" && middle["handoffs"].as_u64().unwrap_or(0) > 0 {
            (
                format!(
                    "{:.1} ms",
                    middle["mean_handoff_ms"].as_f64().unwrap_or(0.0)
                ),
                format!(
                    "{:.1} ms",
                    middle["longest_handoff_ms"].as_f64().unwrap_or(0.0)
                ),
            )
        } else {
            ("–".to_owned(), "–".to_owned())
        };
        println!(
            "| {name} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.1} MB | {} | {} | {} | {} |",
            figures["wall_s"].as_f64().unwrap_or(0.0),
            figures["provision_s"].as_f64().unwrap_or(0.0),
            figures["tasks_s"].as_f64().unwrap_or(0.0),
            figures["cpu_s"].as_f64().unwrap_or(0.0),
            figures["peak_mb"].as_f64().unwrap_or(0.0),
            total(counts),
            limited(counts),
            handoff.0,
            handoff.1,
        );
    }
    if let Some(rate) = args.rate_limit {
        let requests = total(first_counts) as f64;
        let floor = ((requests - f64::from(args.burst)) / rate).max(0.0);
        let wall = first["wall_s"].as_f64().unwrap_or(0.0);
        println!();
        println!(
            "rate-limit floor of the first run: ({requests} requests - {}) / {rate}/s = {floor:.2} s; the run took {wall:.2} s ({:+.1} %); {:.2} % of requests answered 429",
            args.burst,
            (wall / floor.max(1e-9) - 1.0) * 100.0,
            limited(first_counts) as f64 / requests.max(1.0) * 100.0,
        );
    }
    println!();
    println!(
        "server: at most {} requests and {} connections at once; {} connections waited for a free slot",
        middle["peak_requests"], middle["peak_connections"], middle["connection_waits"]
    );
}

fn print_routes(args: &Args, first: &[(String, u64, u64)], rerun: &[(String, u64, u64)]) {
    let mut routes: Vec<&String> = first
        .iter()
        .chain(rerun)
        .map(|(route, _, _)| route)
        .collect();
    routes.sort();
    routes.dedup();
    println!();
    println!("| route | first run | lower bound | re-run | lower bound |");
    println!("|---|---:|---:|---:|---:|");
    let count = |counts: &[(String, u64, u64)], route: &str| {
        counts
            .iter()
            .find(|(other, _, _)| other == route)
            .map_or(0, |(_, count, _)| *count)
    };
    for route in routes {
        let (first_bound, rerun_bound) = lower_bound(args, route);
        println!(
            "| `{route}` | {} | {first_bound} | {} | {rerun_bound} |",
            count(first, route),
            count(rerun, route)
        );
    }
}

//! An in-memory Agamemnon on 127.0.0.1, serving until Ctrl-C.
//!
//! ```sh
//! cargo run --example agamemnon_sim -- --port 18080 --api-key dev --worker-delay-ms 200
//! curl -H 'Authorization: Bearer dev' http://127.0.0.1:18080/v1/agents
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use telemachy::sim::{Faults, SimConfig, Simulator};

/// Serve an in-memory Agamemnon on 127.0.0.1 until Ctrl-C.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Require this API key (`Authorization: Bearer` or `X-API-Key`).
    #[arg(long, env = "AGAMEMNON_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Milliseconds per simulated worker step (pending -> running -> completed).
    #[arg(long, default_value_t = 50)]
    worker_delay_ms: u64,
    /// A task subject whose tasks end `failed`; may be repeated.
    #[arg(long = "fail-subject", value_name = "SUBJECT")]
    fail_subjects: Vec<String>,
    /// Requests a second allowed per client address (429 with Retry-After past it).
    #[arg(long, value_name = "RPS")]
    rate_limit: Option<f64>,
    /// Burst size of the rate limit.
    #[arg(long, default_value_t = 120, requires = "rate_limit")]
    burst: u32,
    /// Share of requests answered 500 (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share of requests answered 429 (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    rate_limited_rate: f64,
    /// Share of mutating requests applied whose answer is then dropped (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    drop_after_apply_rate: f64,
    /// Added latency per request, e.g. `20..80` (milliseconds).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_latency)]
    latency_ms: Option<(u64, u64)>,
    /// Seed of the fault decisions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Serve at most N connections at once; others wait until one closes, and idle ones
    /// close after 5 s (the real server: 8 threads).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    max_connections: Option<u16>,
    /// Publish task events to this NATS server, as the real server does
    /// (`hi.tasks.created`, `hi.tasks.<team>.<task>.updated`).
    #[arg(long, value_name = "URL")]
    nats_url: Option<String>,
    /// Milliseconds a POST/PUT/PATCH without a body length stalls (the real server: 10000).
    #[arg(long, default_value_t = 10_000)]
    body_stall_ms: u64,
}

fn parse_latency(text: &str) -> Result<(u64, u64), String> {
    let (min, max) = text.split_once("..").unwrap_or((text, text));
    let min: u64 = min
        .trim()
        .parse()
        .map_err(|_| format!("`{min}` is not a number of milliseconds"))?;
    let max: u64 = max
        .trim()
        .parse()
        .map_err(|_| format!("`{max}` is not a number of milliseconds"))?;
    if max < min {
        return Err(format!("the latency range `{text}` ends before it starts"));
    }
    Ok((min, max))
}

impl Args {
    fn config(&self) -> SimConfig {
        let mut config = SimConfig::default()
            .port(self.port)
            .worker_delay(Duration::from_millis(self.worker_delay_ms))
            .body_stall(Duration::from_millis(self.body_stall_ms));
        if let Some(key) = &self.api_key {
            config = config.api_key(key.clone());
        }
        for subject in &self.fail_subjects {
            config = config.fail_subject(subject.clone());
        }
        if let Some(url) = &self.nats_url {
            config = config.nats_url(url.clone());
        }
        if let Some(limit) = self.max_connections {
            config = config.max_connections(usize::from(limit));
        }
        if let Some(per_second) = self.rate_limit {
            config = config.rate_limit(per_second, self.burst);
        }
        let (min, max) = self.latency_ms.unwrap_or((0, 0));
        config.faults(Faults {
            error_rate: self.error_rate,
            rate_limited_rate: self.rate_limited_rate,
            drop_after_apply_rate: self.drop_after_apply_rate,
            latency: Duration::from_millis(min)..Duration::from_millis(max),
            seed: self.seed,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let sim = match Simulator::start(args.config()).await {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{}: {error}; choose another `--port`",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    println!("agamemnon simulator listening on {}", sim.url());
    if args.api_key.is_some() {
        println!("requests need the key (Authorization: Bearer or X-API-Key)");
    }
    println!("press Ctrl-C to stop");
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {error}");
    }
    let log = sim.requests();
    sim.shutdown().await;
    println!(
        "stopped after {} requests ({} POST)",
        log.total(),
        log.posts()
    );
    ExitCode::SUCCESS
}

//! The command line every workflow binary shares.
//!
//! The `workflow!` macro generates `main()` in the workflow's module, so a workflow binary
//! is this much:
//!
//! ```text
//! fn main() -> std::process::ExitCode {
//!     hello_world::main()
//! }
//! ```
//!
//! Commands: `run` (the default), `plan`, `check`, `status`; `--json` on every command,
//! `--url` instead of `AGAMEMNON_URL`. Exit status 0 on success, 1 when the workflow
//! failed or was cancelled (or `check` found orphans), 2 for usage and configuration
//! errors, each with a one-line reason on stderr. Run the binary with `--help` for the rest.

mod args;
mod check;
mod connect;
mod output;
mod plan;
mod progress;
mod run;
mod status;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::spec::Workflow;
use args::{Cli, Command};
use output::Failure;

/// Runs the command line for `workflow` with the process's arguments and environment, and
/// returns its exit status. Builds its own Tokio runtime; logs go to stderr, filtered by
/// `RUST_LOG` (default `warn`).
pub fn main(workflow: Workflow) -> ExitCode {
    let about = if workflow.description.is_empty() {
        format!("Workflow `{}`, run by Telemachy.", workflow.name)
    } else {
        format!(
            "{}\n\nWorkflow `{}`, run by Telemachy.",
            workflow.description.trim(),
            workflow.name
        )
    };
    let mut command = Cli::command().about(about);
    let cli = match command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| Cli::from_matches(&matches))
    {
        Ok(cli) => cli,
        Err(error) => return usage_error(error.format(&mut command)),
    };
    init_tracing();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Failure::runtime(format!("could not start the async runtime: {error}"))
                .report();
        }
    };
    let outcome = runtime.block_on(dispatch(workflow, cli));
    // Requests still in flight (a cancelled run's) must not keep the process alive.
    runtime.shutdown_background();
    match outcome {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

async fn dispatch(workflow: Workflow, cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        None => run::run(&workflow, &cli.run, cli.json, cli.url.as_deref()).await,
        Some(Command::Run(ref args)) => {
            run::run(&workflow, args, cli.json, cli.url.as_deref()).await
        }
        Some(Command::Plan) => plan::plan(&workflow, cli.json),
        Some(Command::Check(ref args)) => {
            check::check(&workflow, args, cli.json, cli.url.as_deref()).await
        }
        Some(Command::Status) => status::status(&workflow, cli.json, cli.url.as_deref()).await,
    }
}

/// `--help` prints to stdout and succeeds; a usage error is one line on stderr and exit
/// status 2.
fn usage_error(error: clap::Error) -> ExitCode {
    if !error.use_stderr() {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    Failure::usage(one_line(&error.render().to_string())).report()
}

/// The first paragraph of clap's message, on one line, without clap's `error: ` prefix.
fn one_line(message: &str) -> String {
    let first_paragraph = message
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let words: Vec<&str> = first_paragraph.split_whitespace().collect();
    let line = words.join(" ");
    let line = line.strip_prefix("error: ").unwrap_or(&line);
    format!("{line} (see --help)")
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Another subscriber may be installed already (a test harness); keep it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_fit_on_one_line() {
        let error = Cli::command()
            .try_get_matches_from(["workflow", "--teardown", "sometimes"])
            .expect_err("an unknown policy is refused");
        let line = one_line(&error.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.starts_with("invalid value 'sometimes' for '--teardown <POLICY>'"),
            "{line}"
        );
        assert!(line.contains("on_completion, on_failure, never"), "{line}");
    }
}

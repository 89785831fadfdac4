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
//! Commands: `run` (the default; `--dry-run` lists what would change), `plan`, `graph`,
//! `check`, `status`, `destroy` and `completions`; `--json` prints a versioned document (see
//! [`SCHEMA_VERSION`]), `--url` overrides `AGAMEMNON_URL`, `--color` and `--log-format` shape
//! stderr. Exit status 0 on success, 1 when the workflow failed or was cancelled (or `check`
//! found orphans), 2 for usage and configuration errors, 3 for changes pending (`run
//! --dry-run --detailed-exitcode`), each failure with a one-line reason on stderr; 130, 143
//! or 129 when a second SIGINT, SIGTERM or SIGHUP quit a run at once (the first stops it
//! cleanly). `--help` lists every exit status and environment variable.
//!
//! Available with the `cli` feature (on by default).

mod args;
mod check;
mod connect;
mod destroy;
mod document;
mod exit;
mod graph;
mod help;
mod lease;
mod output;
mod plan;
mod progress;
mod run;
mod signals;
mod status;
mod stderr;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::spec::Workflow;
use args::{Cli, Command};
use clap::ValueEnum as _;
pub use document::SCHEMA_VERSION;
use output::Failure;
use stderr::{ColorChoice, LogFormat};

/// Runs the command line for `workflow` with the process's arguments and environment, and
/// returns its exit status. Builds its own Tokio runtime; logs go to stderr, filtered by
/// `RUST_LOG` (default `warn`).
pub fn main(workflow: Workflow) -> ExitCode {
    main_from(workflow, std::env::args_os())
}

/// [`main`] with the arguments `args` instead of the process's: the first is the program's
/// name, the rest the command line (`["telemachy", "plan", "--json"]`). The `telemachy`
/// binary runs a workflow file's commands through it.
pub fn main_from<I, T>(workflow: Workflow, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Read before clap parses, so that its help and errors follow them too; a value that is
    // not a choice is left to clap to refuse.
    let color = ColorChoice::resolve(
        flag_value(&args, "--color").and_then(|value| ColorChoice::from_str(&value, false).ok()),
        std::env::var("NO_COLOR").ok().as_deref(),
    );
    let log_format = flag_value(&args, "--log-format")
        .and_then(|value| LogFormat::from_str(&value, false).ok())
        .unwrap_or_default();
    stderr::init(log_format, color);
    let mut command = command(&workflow).color(color.for_clap());
    let cli = match command
        .try_get_matches_from_mut(&args)
        .and_then(|matches| Cli::from_matches(&matches))
    {
        Ok(cli) => cli,
        Err(error) => return usage_error(error.format(&mut command)),
    };

    // Commands that need neither a runtime nor a server.
    match &cli.command {
        Some(Command::Completions(completions)) => {
            return text_only(&cli, "completions").unwrap_or_else(|| {
                let name = bin_name(&args);
                clap_complete::generate(
                    completions.shell,
                    &mut command,
                    name,
                    &mut std::io::stdout(),
                );
                ExitCode::SUCCESS
            });
        }
        Some(Command::Graph(graph)) => {
            return text_only(&cli, "graph").unwrap_or_else(|| {
                graph::graph(&workflow, graph.format).unwrap_or_else(Failure::report)
            });
        }
        _ => {}
    }

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

/// The command line of `workflow`: its description, version and help.
fn command(workflow: &Workflow) -> clap::Command {
    let about = if workflow.description.is_empty() {
        format!("Workflow `{}`, run by Telemachy.", workflow.name)
    } else {
        format!(
            "{}\n\nWorkflow `{}`, run by Telemachy.",
            workflow.description.trim(),
            workflow.name
        )
    };
    Cli::command()
        .about(about)
        .version(format!(
            "{} (workflow `{}`; JSON schema version {SCHEMA_VERSION})",
            env!("CARGO_PKG_VERSION"),
            workflow.name
        ))
        .after_long_help(help::after_long_help())
}

/// `--json` on a command whose output is a script or a drawing is a usage error.
fn text_only(cli: &Cli, command: &str) -> Option<ExitCode> {
    cli.json.then(|| {
        Failure::usage(format!(
            "`{command}` prints text, not JSON (`plan --json` has the workflow as data)"
        ))
        .report()
    })
}

/// The program's name as it was invoked, for completion scripts.
fn bin_name(args: &[OsString]) -> String {
    args.first()
        .map(std::path::Path::new)
        .and_then(|path| path.file_stem())
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workflow".to_owned())
}

/// The value of the option `name` (`--name VALUE` or `--name=VALUE`; the last one wins)
/// before `--`.
fn flag_value(args: &[OsString], name: &str) -> Option<String> {
    let mut value = None;
    let mut next_is_value = false;
    for arg in args.iter().skip(1) {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        if next_is_value {
            value = Some(arg.to_owned());
            next_is_value = false;
        } else if arg == name {
            next_is_value = true;
        } else if let Some(rest) = arg
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
        {
            value = Some(rest.to_owned());
        }
    }
    value
}

async fn dispatch(workflow: Workflow, cli: Cli) -> Result<ExitCode, Failure> {
    let url = cli.url.as_deref();
    connect::ask_for_simulator(cli.sim);
    match &cli.command {
        None => run::run(&workflow, &cli.run, cli.json, url).await,
        Some(Command::Run(args)) => run::run(&workflow, args, cli.json, url).await,
        Some(Command::Plan) => plan::plan(&workflow, cli.json),
        Some(Command::Check(args)) => check::check(&workflow, args, cli.json, url).await,
        Some(Command::Status) => status::status(&workflow, cli.json, url).await,
        Some(Command::Destroy(args)) => destroy::destroy(&workflow, args, cli.json, url).await,
        // Handled before the runtime starts.
        Some(Command::Graph(_) | Command::Completions(_)) => Ok(ExitCode::SUCCESS),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_before_parsing_agree_with_clap() {
        for args in [
            &["wf", "--log-format", "json", "check", "--color=never"][..],
            &["wf", "check", "--log-format=json", "--color", "never"],
            &["wf", "status", "--color", "never", "--log-format", "json"],
        ] {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            let cli = Cli::from_matches(&Cli::command().get_matches_from(&args)).expect("valid");
            assert_eq!(
                flag_value(&args, "--log-format").as_deref(),
                Some("json"),
                "{args:?}"
            );
            assert_eq!(cli.log_format, LogFormat::Json, "{args:?}");
            assert_eq!(flag_value(&args, "--color").as_deref(), Some("never"));
            assert_eq!(cli.color, Some(ColorChoice::Never), "{args:?}");
        }
        let args: Vec<OsString> = ["wf", "--", "--color", "always"]
            .map(OsString::from)
            .to_vec();
        assert_eq!(flag_value(&args, "--color"), None);
    }

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

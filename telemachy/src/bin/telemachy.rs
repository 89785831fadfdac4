//! `telemachy`: run, check and convert workflow files.
//!
//! ```sh
//! telemachy run workflow.yaml            # the workflow's own command line, after the file
//! telemachy plan workflow.yaml --json
//! telemachy validate workflow.yaml       # exit 0, or 2 with every error at file:line:column
//! telemachy convert workflow.yaml > src/main.rs
//! ```
//!
//! `run`, `plan`, `check`, `status`, `destroy` and `graph` take exactly the arguments a workflow binary takes
//! after its command (`telemachy run FILE --help` lists them). Files are the Python tool's
//! (`apiVersion: telemachy/v1`) or the file form of the model, in YAML or JSON.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use telemachy::load::{self, LoadError, Loaded};

/// Run, check and convert Telemachy workflow files: the Python tool's YAML files as they
/// are, or the file form of the model (YAML or JSON).
#[derive(Debug, Parser)]
#[command(
    name = "telemachy",
    version,
    after_help = "Exit status: 0 on success; 1 when the workflow failed or `check` found \
                  orphans; 2 for an invalid file, usage and configuration errors."
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the workflow: provision it, run its tasks, watch them, tear down by policy.
    #[command(disable_help_flag = true)]
    Run(Pass),
    /// Show what a run would create, in dependency order, with keys; needs no server.
    #[command(disable_help_flag = true)]
    Plan(Pass),
    /// Show which of the workflow's resources exist, and its orphans.
    #[command(disable_help_flag = true)]
    Check(Pass),
    /// Show the live state of the workflow's resources and tasks.
    #[command(disable_help_flag = true)]
    Status(Pass),
    /// Delete every resource of the workflow on the server (asks first; `--yes` does not).
    #[command(disable_help_flag = true)]
    Destroy(Pass),
    /// Print the workflow's dependency graph as Graphviz DOT or Mermaid; needs no server.
    #[command(disable_help_flag = true)]
    Graph(Pass),
    /// Check the file: exit status 0, or 2 with every error at file:line:column.
    Validate(File),
    /// Print the file as Rust: the `workflow!` source and its `fn main`, ready to compile.
    Convert(File),
}

/// A file, then the workflow binary's own arguments for the command (`--help` among them:
/// `telemachy run FILE --help` shows the workflow's own help).
#[derive(Debug, clap::Args)]
struct Pass {
    /// The workflow file (YAML or JSON).
    file: PathBuf,
    /// The arguments of the workflow binary's command (`--json`, `--force`, `--url`, ...;
    /// `--help` lists them).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<OsString>,
}

#[derive(Debug, clap::Args)]
struct File {
    /// The workflow file (YAML or JSON).
    file: PathBuf,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let (name, pass) = match args.command {
        Command::Run(pass) => ("run", pass),
        Command::Plan(pass) => ("plan", pass),
        Command::Check(pass) => ("check", pass),
        Command::Status(pass) => ("status", pass),
        Command::Destroy(pass) => ("destroy", pass),
        Command::Graph(pass) => ("graph", pass),
        Command::Validate(file) => return validate(&file.file),
        Command::Convert(file) => return convert(&file.file),
    };
    let loaded = match read(&pass.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let argv = [OsString::from("telemachy"), OsString::from(name)]
        .into_iter()
        .chain(pass.args);
    telemachy::cli::main_from(loaded.workflow, argv)
}

/// Loads `file`, printing its warnings; on an error, prints every diagnostic and gives
/// exit status 2.
fn read(file: &std::path::Path) -> Result<Loaded, ExitCode> {
    match load::load_file(file) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("{warning}");
            }
            Ok(loaded)
        }
        Err(error) => {
            match &error {
                LoadError::Invalid { diagnostics } => {
                    for diagnostic in diagnostics {
                        eprintln!("{diagnostic}");
                    }
                    eprintln!("{}: {}", file.display(), count(diagnostics.len(), "error"));
                }
                _ => eprintln!("error: {error}"),
            }
            Err(ExitCode::from(2))
        }
    }
}

fn validate(file: &std::path::Path) -> ExitCode {
    match read(file) {
        Ok(loaded) => {
            let workflow = &loaded.workflow;
            println!(
                "{}: workflow `{}` is valid ({}, {}, {})",
                file.display(),
                workflow.name,
                count(workflow.agents.len(), "agent"),
                count(workflow.teams.len(), "team"),
                count(workflow.tasks().count(), "task")
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn convert(file: &std::path::Path) -> ExitCode {
    match read(file) {
        Ok(loaded) => {
            print!("{}", telemachy::convert::to_rust(&loaded.workflow));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// "1 agent", "2 agents".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

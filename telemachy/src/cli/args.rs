//! The command line's arguments (clap derive).

use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::error::ErrorKind;
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::cli::stderr::{ColorChoice, LogFormat};
use crate::spec::Teardown;

/// The command line of every workflow binary.
#[derive(Debug, Parser)]
#[command(
    version,
    after_help = "With no AGAMEMNON_URL and no --url, `run`, `check`, `status` and `destroy` \
                  use an embedded simulator on 127.0.0.1 (not with CI set, unless --sim asks \
                  for it). `--help` lists the environment variables and the exit statuses."
)]
pub(crate) struct Cli {
    /// What to do; `run` when left out.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// Options of `run`, accepted without the word `run`.
    #[command(flatten)]
    pub(crate) run: RunArgs,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// The Agamemnon server, e.g. `https://agamemnon.example:8080` (overrides AGAMEMNON_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) url: Option<String>,

    /// Use the embedded Agamemnon simulator on 127.0.0.1, even with `CI` or `AGAMEMNON_URL`
    /// set (`TELEMACHY_SIM=1` does the same).
    #[arg(long, global = true, env = "TELEMACHY_SIM", conflicts_with = "url",
          action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) sim: bool,

    /// When to colour the output [default: auto, or never when NO_COLOR is set].
    #[arg(long, global = true, value_name = "WHEN")]
    pub(crate) color: Option<ColorChoice>,

    /// The format of the logs and progress lines on stderr: `json` writes one JSON object
    /// per line, for log shippers.
    #[arg(long, global = true, value_name = "FORMAT", default_value = "text")]
    pub(crate) log_format: LogFormat,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Provision the workflow, run its tasks, watch them to the end, tear down by policy
    /// (the default).
    Run(RunArgs),
    /// Show what a run would create, in dependency order, with keys; needs no server.
    Plan,
    /// Show which of the workflow's resources exist, and which `tlm-*` resources no
    /// declared resource accounts for (exit status 1 when there are such orphans).
    Check(CheckArgs),
    /// Show the live state of the workflow's resources and tasks, read from the server.
    Status,
    /// Delete every resource of this workflow on the server: the declared agents and teams
    /// and their orphans. Lists them and asks first; `--yes` does not ask.
    Destroy(DestroyArgs),
    /// Print the workflow's dependency graph (tasks, with teams as clusters) as Graphviz
    /// DOT or Mermaid; needs no server.
    Graph(GraphArgs),
    /// Print a completion script for a shell, e.g. `completions bash > /etc/bash_completion.d/NAME`.
    Completions(CompletionsArgs),
}

/// Options of `destroy`.
#[derive(Debug, Clone, Args)]
pub(crate) struct DestroyArgs {
    /// Delete without asking (for scripts). Without it, `destroy` asks on a terminal and
    /// refuses (exit status 2) when it cannot ask.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,

    /// Waiting for the run lease: `destroy` never deletes under a running run.
    #[command(flatten)]
    pub(crate) lease: LeaseArgs,
}

/// Options of `graph`.
#[derive(Debug, Clone, Args)]
pub(crate) struct GraphArgs {
    /// The output format.
    #[arg(long, value_name = "FORMAT", default_value = "dot")]
    pub(crate) format: GraphFormat,
}

/// The formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz DOT (`| dot -Tsvg > graph.svg`).
    Dot,
    /// A Mermaid flowchart (GitHub and GitLab render it in Markdown).
    Mermaid,
}

/// Options of `completions`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// Options of `run`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RunArgs {
    /// Create every agent and team afresh instead of reusing them; existing ones are left
    /// in place and counted.
    #[arg(long)]
    pub(crate) force: bool,

    /// Read the server and show what a run would change, per resource, changing nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// With --dry-run: exit status 3 when a run would change something, 0 when nothing.
    #[arg(long, requires = "dry_run")]
    pub(crate) detailed_exitcode: bool,

    /// Override the workflow's teardown policy for this run.
    #[arg(long, value_name = "POLICY")]
    pub(crate) teardown: Option<TeardownArg>,

    /// Seconds between two reads of the tasks' progress, 0.001 to 3600 [default: 1; 0.1
    /// with the embedded simulator].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) poll_interval: Option<Duration>,

    /// How many requests to have under way at once: agents or teams provisioned, tasks
    /// submitted, teams read (1 to 256).
    #[arg(long, value_name = "N", default_value_t = crate::executor::DEFAULT_CONCURRENCY,
          value_parser = clap::value_parser!(u16).range(1..=256).map(usize::from))]
    pub(crate) concurrency: usize,

    /// Waiting for the run lease.
    #[command(flatten)]
    pub(crate) lease: LeaseArgs,
}

/// Options of the commands that take the run lease (`run`, `destroy`).
#[derive(Debug, Clone, Args)]
pub(crate) struct LeaseArgs {
    /// How long to wait for another run of this workflow to finish, in seconds (0 to
    /// 86400) [default: 600].
    #[arg(long, value_name = "SECONDS", value_parser = parse_wait)]
    pub(crate) wait: Option<Duration>,

    /// Give up at once, with exit status 4, when another run of this workflow holds its
    /// lease.
    #[arg(long, conflicts_with = "wait")]
    pub(crate) no_wait: bool,
}

/// Options of `check`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CheckArgs {
    /// After listing them, delete this workflow's orphans (teams first, then agents),
    /// holding the run lease while it does.
    #[arg(long)]
    pub(crate) prune: bool,

    /// Waiting for the run lease with `--prune`: it never deletes under a running run.
    #[command(flatten)]
    pub(crate) lease: LeaseArgs,
}

/// A teardown policy on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TeardownArg {
    /// Delete the run's resources after it succeeded.
    #[value(name = "on_completion")]
    OnCompletion,
    /// Delete them after it failed, was cancelled or timed out.
    #[value(name = "on_failure")]
    OnFailure,
    /// Keep everything, for inspection.
    #[value(name = "never")]
    Never,
}

impl From<TeardownArg> for Teardown {
    fn from(arg: TeardownArg) -> Self {
        match arg {
            TeardownArg::OnCompletion => Teardown::OnCompletion,
            TeardownArg::OnFailure => Teardown::OnFailure,
            TeardownArg::Never => Teardown::Never,
        }
    }
}

impl Cli {
    /// Parses `matches`, refusing options of `run` given before another command
    /// (`--force plan`): they would be ignored, which is worse than an error.
    pub(crate) fn from_matches(matches: &ArgMatches) -> Result<Cli, clap::Error> {
        if let Some(command) = matches.subcommand_name() {
            let misplaced = RUN_ARG_IDS.iter().find(|id| {
                matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
            });
            if let Some(id) = misplaced {
                let flag = format!("--{}", id.replace('_', "-"));
                return Err(clap::Error::raw(
                    ErrorKind::ArgumentConflict,
                    format!(
                        "`{flag}` before `{command}`: it is an option of `run`; write it after \
                         `run`, or leave the command out\n"
                    ),
                ));
            }
        }
        Cli::from_arg_matches(matches)
    }
}

/// The ids of [`RunArgs`]' options.
const RUN_ARG_IDS: [&str; 8] = [
    "force",
    "wait",
    "no_wait",
    "dry_run",
    "detailed_exitcode",
    "teardown",
    "poll_interval",
    "concurrency",
];

fn parse_wait(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("`{text}` is out of range: give 0 to 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.001..=3600.0).contains(&seconds) {
        return Err(format!(
            "`{text}` is out of range: give 0.001 to 3600 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        let matches = Cli::command()
            .try_get_matches_from(std::iter::once("workflow").chain(args.iter().copied()))?;
        Cli::from_matches(&matches)
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
        let command = Cli::command();
        for id in RUN_ARG_IDS {
            assert!(
                command.get_arguments().any(|arg| arg.get_id() == id),
                "`{id}` is an option of `run`"
            );
        }
    }

    #[test]
    fn run_is_the_default_and_takes_its_options_without_the_word() {
        let cli = parse(&["--force", "--teardown", "never", "--json"]).expect("valid");
        assert!(cli.command.is_none());
        assert!(cli.run.force);
        assert_eq!(cli.run.teardown, Some(TeardownArg::Never));
        assert!(cli.json);

        let cli = parse(&["run", "--dry-run", "--poll-interval", "0.25"]).expect("valid");
        let Some(Command::Run(run)) = cli.command else {
            panic!("`run` parses as the run command");
        };
        assert!(run.dry_run);
        assert_eq!(run.poll_interval, Some(Duration::from_millis(250)));
        assert_eq!(run.concurrency, crate::executor::DEFAULT_CONCURRENCY);
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let cli =
            parse(&["--url", "http://127.0.0.1:1", "check", "--prune", "--json"]).expect("valid");
        assert_eq!(cli.url.as_deref(), Some("http://127.0.0.1:1"));
        assert!(cli.json);
        assert!(matches!(
            cli.command,
            Some(Command::Check(CheckArgs { prune: true, .. }))
        ));
    }

    #[test]
    fn refuses_bad_input() {
        for args in [
            &["--teardown", "sometimes"][..],
            &["--poll-interval", "soon"],
            &["--poll-interval", "0"],
            &["--concurrency", "0"],
            &["--concurrency", "257"],
            &["--poll-interval", "3601"],
            &["--force", "plan"],
            &["launch"],
        ] {
            let error = parse(args).expect_err("invalid");
            assert!(error.use_stderr(), "{args:?}");
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
    }
}

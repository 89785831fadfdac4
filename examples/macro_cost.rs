//! How much `workflow!` adds to `cargo build`: a workflow of 200 agents, 20 teams and 2,000
//! tasks with a deep dependency graph, against an empty workflow.
//!
//! ```sh
//! cargo run --release --example macro_cost [-- --runs 5 --dir /tmp/telemachy-macro-cost]
//! ```
//!
//! It writes two throwaway binary crates that depend on `telemachy` by path (one per
//! workflow), builds each once to warm their dependencies, then times only the crate itself
//! (its source rewritten before each build) `--runs` times, for `cargo build` and for
//! `cargo check`, and prints the medians. The crates and their target directory stay in
//! `--dir` so that a second run starts warm.

#[path = "support/big_workflow.rs"]
mod big_workflow;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use big_workflow::{BIG, EMPTY, Size};

struct Options {
    runs: usize,
    dir: PathBuf,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("usage: macro_cost [--runs N] [--dir PATH]");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        runs: 5,
        dir: std::env::temp_dir().join("telemachy-macro-cost"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("`{arg}` needs a value"));
        match arg.as_str() {
            "--runs" => {
                options.runs = value()?
                    .parse()
                    .map_err(|_| "`--runs` takes a whole number above 0".to_owned())?;
                if options.runs == 0 {
                    return Err("`--runs` takes a whole number above 0".to_owned());
                }
            }
            "--dir" => options.dir = PathBuf::from(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    let telemachy = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = options.dir.join("target");
    let big = write_crate(&options.dir, "big", BIG, telemachy)?;
    let empty = write_crate(&options.dir, "empty", EMPTY, telemachy)?;
    println!(
        "workflow: {} agents, {} teams, {} tasks ({} bytes of source)",
        BIG.agents,
        BIG.teams,
        BIG.tasks,
        big_workflow::main_rs(BIG).len()
    );
    println!("crates in {}", options.dir.display());

    println!("warming dependencies (the first time builds telemachy and everything under it)...");
    for krate in [&big, &empty] {
        cargo(krate, &target, "build")?;
        cargo(krate, &target, "check")?;
    }

    println!("timing {} runs of each (median):", options.runs);
    for command in ["build", "check"] {
        let big_time = median(krate_times(&big, &target, command, BIG, options.runs)?);
        let empty_time = median(krate_times(&empty, &target, command, EMPTY, options.runs)?);
        println!(
            "  cargo {command:<5}  big {:>7.3} s   empty {:>7.3} s   added by the workflow {:>7.3} s",
            big_time.as_secs_f64(),
            empty_time.as_secs_f64(),
            big_time.as_secs_f64() - empty_time.as_secs_f64()
        );
    }
    Ok(())
}

/// Writes `dir/name/{Cargo.toml,src/main.rs}` and returns the crate's directory.
fn write_crate(dir: &Path, name: &str, size: Size, telemachy: &Path) -> Result<PathBuf, String> {
    let root = dir.join(name);
    let src = root.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    let manifest = format!(
        "[package]\nname = \"macro-cost-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ntelemachy = {{ path = {:?} }}\n\n\
         # Not part of any enclosing workspace.\n[workspace]\n",
        telemachy.display().to_string()
    );
    write(&root.join("Cargo.toml"), &manifest)?;
    let lock = telemachy.join("../Cargo.lock");
    if !root.join("Cargo.lock").exists() && lock.exists() {
        // The workspace's versions, so that both crates build what the tests build.
        std::fs::copy(&lock, root.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
    }
    write(&src.join("main.rs"), &big_workflow::main_rs(size))?;
    Ok(root)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Times `cargo <command>` of the crate alone, `runs` times: its source is rewritten before
/// each run so that cargo rebuilds it (and only it).
fn krate_times(
    krate: &Path,
    target: &Path,
    command: &str,
    size: Size,
    runs: usize,
) -> Result<Vec<Duration>, String> {
    let source = big_workflow::main_rs(size);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        write(&krate.join("src/main.rs"), &source)?;
        let start = Instant::now();
        cargo(krate, target, command)?;
        times.push(start.elapsed());
    }
    Ok(times)
}

fn cargo(krate: &Path, target: &Path, command: &str) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .arg(command)
        .arg("--quiet")
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {command}` failed in {}:\n{}",
            krate.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

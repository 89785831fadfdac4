//! What `workflow!` adds to a build: the CPU time and peak memory of a clean build of a
//! crate declaring a big workflow, against the same crate declaring an empty one.
//!
//! ```sh
//! cargo run -p telemachy-macros --example macro_cost [-- --runs 5 --tasks 2000,10000 --dir /tmp/telemachy-macro-cost]
//! ```
//!
//! `--telemachy PATH` measures another checkout's `telemachy` crate (by default this one's),
//! e.g. a snapshot that stays still while this tree changes.
//!
//! It writes two throwaway binary crates that depend on `telemachy` by path (one with the
//! big workflow, one with an empty one), builds each once per profile to warm their
//! dependencies, then times `--runs` builds of each crate alone, for `cargo check`, `cargo
//! build` and `cargo build --release`, at each size in `--tasks`, and prints the medians.
//!
//! So that no timed build can be a cache hit, every build sees source it has never seen
//! (the workflow's name, and with it every key, changes each time) and incremental
//! compilation is off (`CARGO_INCREMENTAL=0`). CPU (user + system) and peak resident memory
//! are those of the whole build, cargo and every rustc under it, as `/usr/bin/time` (GNU
//! time, Debian package `time`) reports them. The crates and their target directory stay in
//! `--dir`, so that a second run starts warm.

#[path = "support/big_workflow.rs"]
mod big_workflow;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use big_workflow::{BIG, Size};

/// Where GNU time is expected.
const TIME: &str = "/usr/bin/time";

struct Options {
    runs: usize,
    tasks: Vec<usize>,
    dir: PathBuf,
    telemachy: PathBuf,
}

/// One way of building the crate.
#[derive(Clone, Copy)]
struct Build {
    /// As the table prints it.
    label: &'static str,
    /// cargo's arguments.
    args: &'static [&'static str],
}

const BUILDS: [Build; 3] = [
    Build {
        label: "cargo check",
        args: &["check"],
    },
    Build {
        label: "cargo build",
        args: &["build"],
    },
    Build {
        label: "cargo build --release",
        args: &["build", "--release"],
    },
];

/// What one build cost.
#[derive(Clone, Copy, Debug)]
struct Cost {
    /// User plus system CPU time, seconds.
    cpu: f64,
    /// Wall-clock time, seconds.
    wall: f64,
    /// Peak resident memory of the largest process, KiB.
    peak_kib: u64,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!(
                "usage: macro_cost [--runs N] [--tasks N,N,...] [--dir PATH] [--telemachy PATH]"
            );
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
        tasks: vec![BIG.tasks, 5 * BIG.tasks],
        dir: std::env::temp_dir().join("telemachy-macro-cost"),
        telemachy: Path::new(env!("CARGO_MANIFEST_DIR")).join("../telemachy"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("`{arg}` needs a value"));
        match arg.as_str() {
            "--runs" => {
                options.runs = value()?
                    .parse()
                    .ok()
                    .filter(|runs| *runs > 0)
                    .ok_or("`--runs` takes a whole number above 0")?;
            }
            "--tasks" => {
                options.tasks = value()?
                    .split(',')
                    .map(|tasks| tasks.trim().replace('_', "").parse::<usize>())
                    .collect::<Result<Vec<_>, _>>()
                    .ok()
                    .filter(|tasks| !tasks.is_empty() && tasks.iter().all(|t| t % 100 == 0))
                    .ok_or("`--tasks` takes multiples of 100, separated by commas")?;
            }
            "--dir" => options.dir = PathBuf::from(value()?),
            "--telemachy" => options.telemachy = PathBuf::from(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    if !Path::new(TIME).exists() {
        return Err(format!(
            "{TIME} (GNU time) is needed to measure CPU and peak memory: install the `time` package"
        ));
    }
    let telemachy = options.telemachy.as_path();
    let target = options.dir.join("target");
    std::fs::create_dir_all(&target)
        .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let big = write_crate(&options.dir, "big", telemachy)?;
    let empty = write_crate(&options.dir, "empty", telemachy)?;
    println!("crates in {}", options.dir.display());
    println!("warming dependencies (the first time builds telemachy and everything under it)...");
    for build in BUILDS {
        for krate in [&big, &empty] {
            write_source(krate, Size::EMPTY, "macro-cost-warm-up")?;
            cargo(krate, &target, build)?;
        }
    }

    println!(
        "median of {} builds each; CPU = user + system of cargo and every rustc under it, \
         peak = largest resident set; incremental off, changed source every build",
        options.runs
    );
    let mut build_number = 0;
    for &tasks in &options.tasks {
        let size = Size::with_tasks(tasks);
        println!(
            "\nworkflow of {} agents, {} teams, {} tasks ({} KB of source), against an empty one:",
            size.agents,
            size.teams,
            size.tasks,
            big_workflow::main_rs(size, "macro-cost").len() / 1000
        );
        println!(
            "  {:<22} {:>9} {:>9} {:>10} {:>10} {:>10} {:>10}",
            "", "CPU", "empty", "added", "wall", "peak", "empty"
        );
        for build in BUILDS {
            let mut costs = Vec::with_capacity(options.runs);
            let mut empty_costs = Vec::with_capacity(options.runs);
            for _ in 0..options.runs {
                build_number += 1;
                let name = unique_name(build_number);
                write_source(&big, size, &name)?;
                costs.push(cargo(&big, &target, build)?);
                write_source(&empty, Size::EMPTY, &name)?;
                empty_costs.push(cargo(&empty, &target, build)?);
            }
            let cpu = median(costs.iter().map(|c| c.cpu));
            let empty_cpu = median(empty_costs.iter().map(|c| c.cpu));
            let wall = median(costs.iter().map(|c| c.wall));
            let peak = median(costs.iter().map(|c| c.peak_kib as f64));
            let empty_peak = median(empty_costs.iter().map(|c| c.peak_kib as f64));
            println!(
                "  {:<22} {:>7.2} s {:>7.2} s {:>8.2} s {:>8.2} s {:>6.0} MiB {:>6.0} MiB",
                build.label,
                cpu,
                empty_cpu,
                cpu - empty_cpu,
                wall,
                peak / 1024.0,
                empty_peak / 1024.0
            );
        }
    }
    Ok(())
}

/// A workflow name no build has seen: the run's number and the clock.
fn unique_name(build_number: usize) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("macro-cost-{build_number}-{nanos}")
}

/// Writes `dir/name/Cargo.toml` and returns the crate's directory.
fn write_crate(dir: &Path, name: &str, telemachy: &Path) -> Result<PathBuf, String> {
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
    if lock.exists() {
        // The workspace's versions, so that both crates build what the tests build.
        std::fs::copy(&lock, root.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
    }
    Ok(root)
}

fn write_source(krate: &Path, size: Size, name: &str) -> Result<(), String> {
    write(
        &krate.join("src/main.rs"),
        &big_workflow::main_rs(size, name),
    )
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `cargo <build>` in `krate` under GNU time, and returns what it cost.
fn cargo(krate: &Path, target: &Path, build: Build) -> Result<Cost, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let report = target.join("macro-cost-time.txt");
    let output = Command::new(TIME)
        .arg("--format=%e %U %S %M")
        .arg("--output")
        .arg(&report)
        .arg(cargo)
        .args(build.args)
        .arg("--quiet")
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| format!("cannot run {TIME}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{}` failed in {}:\n{}",
            build.label,
            krate.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(&report)
        .map_err(|e| format!("cannot read {}: {e}", report.display()))?;
    parse_time(&text).ok_or_else(|| format!("cannot read GNU time's report {text:?}"))
}

/// `"%e %U %S %M"`: wall, user and system seconds, peak KiB (the last line; earlier ones
/// would be GNU time's notes).
fn parse_time(text: &str) -> Option<Cost> {
    let line = text.lines().rev().find(|line| !line.trim().is_empty())?;
    let mut fields = line.split_whitespace();
    let mut seconds = || fields.next()?.parse::<f64>().ok();
    let (wall, user, system) = (seconds()?, seconds()?, seconds()?);
    let peak_kib = fields.next()?.parse().ok()?;
    Some(Cost {
        cpu: user + system,
        wall,
        peak_kib,
    })
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

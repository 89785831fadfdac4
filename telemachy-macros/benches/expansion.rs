//! The macro's own cost on the benchmark workflows (200 agents, 20 teams, 2,000 tasks, and
//! five times that): each stage timed in-process, outside the compiler.
//!
//! ```sh
//! cargo bench -p telemachy-macros --bench expansion                 # optimised
//! cargo bench -p telemachy-macros --bench expansion --profile dev   # as `cargo build` runs it
//! ```
//!
//! The stages are compiled in from the macro's sources (this target cannot link the
//! proc-macro crate itself), and the workflow comes from the same generator as
//! `examples/macro_cost.rs` (both in this crate).

#![allow(
    dead_code,
    unused_imports,
    reason = "the macro's modules are compiled in whole, with their unit-test modules \
              (benches build with cfg(test)) but without running those tests"
)]

#[path = "../src/ast.rs"]
mod ast;
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/kw.rs"]
mod kw;
#[path = "../src/lower.rs"]
mod lower;
#[path = "../src/model.rs"]
mod model;
#[path = "../src/source_rules.rs"]
mod source_rules;
#[path = "../src/spans.rs"]
mod spans;
#[path = "../src/validate.rs"]
mod validate;
#[path = "../src/value.rs"]
mod value;

#[path = "../examples/support/big_workflow.rs"]
mod big_workflow;

use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

const RUNS: usize = 9;

fn main() {
    for size in [big_workflow::BIG, big_workflow::Size::with_tasks(10_000)] {
        measure(size);
    }
}

fn measure(size: big_workflow::Size) {
    let source = big_workflow::workflow_body(size, "macro-cost");
    let tokens: TokenStream = match source.parse() {
        Ok(tokens) => tokens,
        Err(error) => {
            eprintln!("error: the generated workflow does not lex: {error}");
            std::process::exit(1);
        }
    };
    let mut parse = Vec::with_capacity(RUNS);
    let mut read = Vec::with_capacity(RUNS);
    let mut check = Vec::with_capacity(RUNS);
    let mut generate = Vec::with_capacity(RUNS);
    let mut whole = Vec::with_capacity(RUNS);
    let mut output_len = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let input: ast::Input = match syn::parse2(tokens.clone()) {
            Ok(input) => input,
            Err(error) => {
                eprintln!("error: the generated workflow does not parse: {error}");
                std::process::exit(1);
            }
        };
        parse.push(start.elapsed());

        let start = Instant::now();
        let ctxt = ctxt::Ctxt::new();
        let workflow = model::read(&ctxt, input);
        read.push(start.elapsed());

        let start = Instant::now();
        let model = validate::check(&ctxt, &workflow);
        check.push(start.elapsed());

        let start = Instant::now();
        let output = expand::generate(&ctxt, &workflow, &model);
        generate.push(start.elapsed());
        output_len = output.to_string().len();
        if let Err(errors) = ctxt.check() {
            eprintln!("error: the generated workflow is invalid: {errors}");
            std::process::exit(1);
        }

        let start = Instant::now();
        let output = expand::workflow(tokens.clone());
        whole.push(start.elapsed());
        drop(output);
    }
    println!(
        "workflow of {} agents, {} teams, {} tasks: {} bytes in, {} bytes out; median of {RUNS}",
        size.agents,
        size.teams,
        size.tasks,
        source.len(),
        output_len
    );
    for (stage, times) in [
        ("parse", parse),
        ("read", read),
        ("validate", check),
        ("generate", generate),
        ("whole macro", whole),
    ] {
        println!("  {stage:<12} {:>8.2} ms", millis(median(times)));
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

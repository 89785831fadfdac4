//! The smallest workflow: one local agent in one team says hello.
//!
//! A port of the Python tool's `hello-world.yaml`, with the same names, so the same keys: a
//! run started by either tool can be resumed by the other. `main` is the command line every
//! workflow binary gets; with no `AGAMEMNON_URL` it runs on the embedded simulator:
//!
//! ```sh
//! cargo run --example hello_world             # run it
//! cargo run --example hello_world -- plan     # what it would create, with keys
//! cargo run --example hello_world -- --help
//! ```

telemachy::workflow! {
    /// E2E validation: send hello world through the full pipeline.
    pub workflow hello_world {
        name: "hello-world-e2e",
        teardown: on_completion,

        agent hello_worker {
            name: "hello-worker",
            program: "none",
            working_dir: "/tmp",
        }

        team hello_team {
            name: "hello-team",
            members: [hello_worker],

            task say_hello {
                subject: "Say hello world",
                description: "Process a hello world message and return the result",
                assignee: hello_worker,
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    hello_world::main()
}

//! The smallest workflow: one local agent in one team says hello.
//!
//! Ported from the Python tool's `hello-world.yaml`; the names are the same, so the keys are
//! too. For now `main` prints the plan: `cargo run --example hello_world`.

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

fn main() {
    println!("{:#?}", hello_world::spec());
    println!("{}", hello_world::agents::HELLO_WORKER);
}

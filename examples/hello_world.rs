//! The smallest workflow: one local agent in one team says hello.
//!
//! A port of the Python tool's `hello-world.yaml`, with the same names, so the same keys: a
//! run started by either tool can be resumed by the other. For now `main` prints the plan:
//!
//! ```sh
//! cargo run --example hello_world
//! ```

#[path = "support/plan.rs"]
mod plan;

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
    plan::print(&hello_world::spec());
}

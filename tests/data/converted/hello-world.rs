// The workflow `hello-world-e2e`, as `workflow!` source: `cargo check` checks it, and
// its binary runs it with the command line every workflow binary has.

telemachy::workflow! {
    /// E2E validation: send hello world through the full pipeline
    pub workflow hello_world_e2e {
        name: "hello-world-e2e",
        teardown: on_completion,

        agent hello_worker {
            name: "hello-worker",
            program: "none",
        }

        team hello_team {
            name: "hello-team",
            members: [hello_worker],

            task say_hello_world {
                subject: "Say hello world",
                description: "Process a hello world message and return the result",
                assignee: hello_worker,
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    hello_world_e2e::main()
}

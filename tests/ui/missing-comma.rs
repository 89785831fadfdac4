// A comma left out between two fields is reported once, where it is missing; both fields
// are still read, so nothing else is blamed.
telemachy::workflow! {
    pub workflow audit {
        name: "audit"
        teardown: never,

        agent architect { model: "claude-opus-4-5" working_dir: "/workspace" }
        agent boxed { runtime: docker, image: "alpine:3", cpus: 2 memory: "4g" }

        team crew {
            members: [architect, boxed]
            name: "crew",

            task analyse { subject: "X" assignee: architect }
            task report {
                subject: "Report",
                assignee: boxed
                after: [analyse]
                type: "review",
            }
        }
    }
}

fn main() {}

#![deny(warnings)]
#![deny(missing_docs)]
//! What a workflow gets when it leaves a field out.

use telemachy::spec::{
    DEFAULT_CPUS, DEFAULT_MEMORY, DEFAULT_PROGRAM, DEFAULT_TASK_TYPE, DEFAULT_WORKING_DIR, Runtime,
    Teardown,
};

telemachy::workflow! {
    pub workflow defaults {
        name: "defaults",

        agent worker {}
        agent boxed {
            runtime: docker,
            image: "alpine:3",
        }

        team crew {
            members: [worker, boxed],

            task chore {
                subject: "Do the chore",
                assignee: worker,
            }
        }
    }
}

fn main() {
    let spec = defaults::spec();
    assert_eq!(spec.description, "");
    assert_eq!(spec.teardown, Teardown::OnCompletion);
    assert_eq!(spec.timeout, None);

    let worker = spec.agent("worker").expect("worker is declared");
    assert_eq!(worker.name, "worker");
    assert_eq!(worker.program, DEFAULT_PROGRAM);
    assert_eq!(worker.program, "claude-code");
    assert_eq!(worker.model, None);
    assert_eq!(worker.working_dir, DEFAULT_WORKING_DIR);
    assert_eq!(worker.working_dir, "/tmp");
    assert_eq!(worker.runtime, Runtime::Local);

    let boxed = spec.agent("boxed").expect("boxed is declared");
    let Runtime::Docker(docker) = &boxed.runtime else {
        panic!("boxed runs in docker");
    };
    assert_eq!((docker.cpus, docker.memory.as_ref()), (DEFAULT_CPUS, DEFAULT_MEMORY));
    assert_eq!((docker.cpus, docker.memory.as_ref()), (2, "4g"));

    let crew = spec.team("crew").expect("crew is declared");
    assert_eq!(crew.name, "crew");
    let chore = &crew.tasks[0];
    assert_eq!(chore.description, "");
    assert!(chore.after.is_empty());
    assert_eq!(chore.kind, DEFAULT_TASK_TYPE);
    assert_eq!(chore.kind, "general");

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n", defaults::spec()),
        include_str!("../../data/specs/defaults.txt")
    );
}

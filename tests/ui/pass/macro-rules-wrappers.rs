#![deny(warnings)]
#![deny(missing_docs)]
//! Values passed through `macro_rules!` wrappers arrive in invisible groups (`$x:literal`,
//! `$x:expr`, ...): the macro looks through them, however many wrappers deep.

use telemachy::spec::{Docker, Runtime, TaskRef};

macro_rules! audit_workflow {
    ($name:literal, $image:expr, $cpus:literal, $members:expr, $after:expr) => {
        telemachy::workflow! {
            /// A workflow built by a wrapper.
            pub workflow wrapped {
                name: $name,

                agent boxed { runtime: docker, image: $image, cpus: $cpus }
                agent helper { model: $image }

                team crew {
                    members: $members,

                    task first { subject: "First", assignee: helper }
                    task second { subject: $name, assignee: boxed, after: $after }
                }
            }
        }
    };
}

/// A wrapper of the wrapper: every value goes through two invisible groups.
macro_rules! twice_wrapped {
    ($name:expr, $image:expr) => {
        audit_workflow!($name, $image, 3, [helper, boxed], [crew.first]);
    };
}

mod once {
    audit_workflow!("wrapped-once", "alpine:3", 3, [boxed, helper], [first]);
}

mod twice {
    twice_wrapped!("wrapped-twice", "alpine:3");
}

fn main() {
    let once = once::wrapped::spec();
    assert_eq!(once.name, "wrapped-once");
    let boxed = once.agent("boxed").expect("boxed is declared");
    let mut docker = Docker::new("alpine:3");
    docker.cpus = 3;
    assert_eq!(boxed.runtime, Runtime::Docker(docker));
    assert_eq!(once.agent("helper").and_then(|a| a.model.as_deref()), Some("alpine:3"));
    assert_eq!(once.teams[0].agents, ["boxed", "helper"]);
    assert_eq!(once.teams[0].tasks[1].subject, "wrapped-once");
    assert_eq!(once.teams[0].tasks[1].after, [TaskRef::new("crew", "first")]);
    assert_eq!(once::wrapped::agents::BOXED, once.key("boxed"));

    let twice = twice::wrapped::spec();
    assert_eq!(twice.name, "wrapped-twice");
    assert_eq!(twice.teams[0].agents, ["helper", "boxed"]);
    assert_eq!(twice.teams[0].tasks[1].after, [TaskRef::new("crew", "first")]);
}

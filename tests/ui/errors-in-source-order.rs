// Errors come out in the order of the source, whichever check finds them.
telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect { modle: "claude-opus-4-5" }
        agent boxed { runtime: docker, cpus: 0 }

        team crew {
            members: [architect, boxd],

            task analyse { subject: "X", assignee: nobody, after: [report] }
            task report { subject: "Y", assignee: architect, after: [analyse], kind: "x" }
        }
        team crew {
            members: [architect],
        }
    }
}

fn main() {}

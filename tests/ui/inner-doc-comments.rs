// `//!` cannot document a part of a workflow: one error each, at the comment, and the
// blocks around them are still read.
telemachy::workflow! {
    //! Documents the macro input, which is not a thing.
    pub workflow audit {
        //! Meant to describe the workflow.
        name: "audit",

        agent architect {
            //! Meant to describe the agent.
            model: "claude-opus-4-5",
        }

        team crew {
            members: [architect],

            task analyse {
                //! Meant to describe the task.
                subject: "X",
                assignee: architect,
            }
        }
    }
}

fn main() {}

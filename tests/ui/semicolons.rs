// A `;` where a `,` belongs is reported at the `;`, and the fields around it are read.
telemachy::workflow! {
    pub workflow audit {
        name: "audit";
        teardown: never;

        agent architect { model: "claude-opus-4-5"; }
        agent helper {};

        team crew {
            members: [architect, helper];

            task analyse { subject: "X"; assignee: architect; }
        }
    }
}

fn main() {}

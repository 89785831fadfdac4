// A string literal with a suffix is not a plain string: rejected, never silently cut.
telemachy::workflow! {
    pub workflow audit {
        name: "audit"x,

        agent boxed {
            runtime: docker,
            image: "alpine:3"_latest,
            memory: "4"g,
        }

        team crew {
            members: [boxed],

            task analyse { subject: "X"s, assignee: boxed, type: "review"r }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent reviewer {}
        agent Reviewer { name: "senior-reviewer" }
    }
}

fn main() {}

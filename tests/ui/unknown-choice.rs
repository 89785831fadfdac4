telemachy::workflow! {
    pub workflow audit {
        name: "audit",
        teardown: on_complete,

        agent architect {
            runtime: dokcer,
        }
        agent implementer {
            runtime: kubernetes,
        }
    }
}

fn main() {}

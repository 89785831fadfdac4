telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout {
            runtime: docker,
            cpus: 2,
        }
    }
}

fn main() {}

// Memory below Docker's minimum or beyond any machine, and CPUs beyond any machine.
telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent huge {
            runtime: docker,
            image: "alpine:3",
            memory: "99999999999999999999t",
        }
        agent tiny {
            runtime: docker,
            image: "alpine:3",
            memory: "5m",
        }
        agent bytes {
            runtime: docker,
            image: "alpine:3",
            memory: "6291455",
        }
        agent smallest {
            runtime: docker,
            image: "alpine:3",
            memory: "6m",
            cpus: 4096,
        }
        agent many {
            runtime: docker,
            image: "alpine:3",
            cpus: 4097,
        }
        agent beyond_u32 {
            runtime: docker,
            image: "alpine:3",
            cpus: 99999999999,
        }
    }
}

fn main() {}

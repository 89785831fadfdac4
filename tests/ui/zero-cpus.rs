telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout {
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 0,
        }
    }
}

fn main() {}

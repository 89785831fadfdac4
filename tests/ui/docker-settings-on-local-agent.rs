telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout {
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
        }
        agent lead {
            runtime: local,
            cpus: 4,
            memory: "8g",
        }
    }
}

fn main() {}

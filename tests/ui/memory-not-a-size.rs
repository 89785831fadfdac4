telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout_alpha {
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            memory: "lots",
        }
        agent scout_beta {
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            memory: "4gb",
        }
        agent scout_gamma {
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            memory: "0g",
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {
            model: ,
        }
        agent implementer {
            runtime: docker("ghcr.io/homericintelligence/achaeanfleet:latest"),
        }
    }
}

fn main() {}

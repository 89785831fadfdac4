telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",
        timeout_seconds: 3600,

        agent scout {
            runtime: docker,
            docker_image: "ghcr.io/homericintelligence/achaeanfleet:latest",
        }

        team scouts {
            agents: [scout],

            task survey {
                subject: "Survey",
                assign_to: scout,
                blocked_by: [],
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: audit,
        teardown: "never",
        timeout: "2h",

        agent architect {
            model: 42,
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: "2",
            memory: 4096,
        }

        team audit_team {
            members: architect,

            task analyse {
                subject: "Analyse",
                assignee: "architect",
                type: review,
            }
            task refactor {
                subject: "Refactor",
                assignee: architect,
                after: analyse,
            }
        }
    }
}

fn main() {}

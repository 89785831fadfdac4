telemachy::workflow! {
    #[derive(Debug)]
    pub workflow audit {
        name: "audit",

        #[cfg(feature = "docker")]
        agent architect {}

        team audit_team {
            members: [architect],

            /// Analyse the repository.
            task analyse {
                subject: "Analyse",
                assignee: architect,
            }
        }
    }
}

fn main() {}

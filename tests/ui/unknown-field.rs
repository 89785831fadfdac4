telemachy::workflow! {
    pub workflow audit {
        name: "audit",
        tear_down: never,

        agent architect {
            modle: "claude-opus-4-5",
            colour: "blue",
        }

        team audit_team {
            members: [architect],

            task analyse {
                subject: "Analyse",
                asignee: architect,
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {
            program: "",
            model: "",
            working_dir: "",
        }

        team audit_team {
            members: [architect],

            task analyse {
                subject: "",
                assignee: architect,
                type: "",
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}
        agent implementer {}

        team audit_team {
            members: [architect, zebra],

            task analyse {
                subject: "Analyse",
                assignee: architect,
            }
        }
    }
}

fn main() {}

telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout {}
        agent lead {}

        team scouts {
            members: [scout],

            task survey {
                subject: "Survey",
                assignee: scout,
            }
        }

        team leads {
            members: [lead],

            task report {
                subject: "Report",
                assignee: lead,
                after: [survey],
            }
        }
    }
}

fn main() {}

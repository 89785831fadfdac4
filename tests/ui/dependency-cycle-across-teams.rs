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
                after: [leads.plan],
            }
        }

        team leads {
            members: [lead],

            task plan {
                subject: "Plan",
                assignee: lead,
                after: [report],
            }
            task report {
                subject: "Report",
                assignee: lead,
                after: [scouts.survey],
            }
        }
    }
}

fn main() {}

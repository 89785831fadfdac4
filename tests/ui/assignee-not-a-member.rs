telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agent architect {}
        agent implementer {}
        agent tester {}

        team audit_team {
            members: [architect, implementer],

            task test {
                subject: "Write tests",
                assignee: tester,
            }
        }
    }
}

fn main() {}

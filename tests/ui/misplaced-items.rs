telemachy::workflow! {
    pub workflow audit {
        name: "audit",

        agnet architect {}
        agent lead {}

        task analyse {
            subject: "Analyse",
        }

        team audit_team {
            members: [lead],

            agent implementer {}
        }
    }
}

fn main() {}

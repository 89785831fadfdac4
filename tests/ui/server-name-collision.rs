telemachy::workflow! {
    pub workflow fleet {
        name: "fleet",

        agent scout_alpha { name: "scout-alpha" }
        agent scout_beta { name: "scout-alpha" }
        agent lead {}

        team lead_team {
            name: "lead",
            members: [lead],
        }
    }
}

fn main() {}

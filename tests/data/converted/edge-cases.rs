// The workflow `edge.cases-v1`, as `workflow!` source: `cargo check` checks it, and
// its binary runs it with the command line every workflow binary has.

telemachy::workflow! {
    /// Every awkward name at once.
    ///
    /// Indented   lines, "quotes" and a \ backslash.
    pub workflow edge_cases_v1 {
        name: "edge.cases-v1",
        teardown: never,
        timeout: 1.5,

        agent r#type {
            program: "aider",
        }

        agent self_ {
            name: "self",
        }

        agent agent_3d_render {
            name: "3d-render",
            runtime: docker,
            image: "alpine:3",
            cpus: 1,
            memory: "512m",
        }

        agent lead {
            name: "Lead",
        }

        agent lead_2 {
            name: "lead",
        }

        agent scout_alpha {
            name: "scout alpha",
        }

        agent sp_her {
            name: "späher",
        }

        team crew_v2 {
            name: "crew.v2",
            members: [r#type, self_, agent_3d_render],

            task say_hi {
                subject: "Say \"hi\"",
                description: "A tab\there, a quote \" and a backslash \\ \n  and an indented \
                    line.",
                assignee: r#type,
            }

            task say_hi_2 {
                subject: "say hi",
                description: "The same identifier as the first, once derived.",
                assignee: self_,
                after: [say_hi],
            }

            task task_3 {
                subject: "3",
                assignee: agent_3d_render,
                after: [say_hi, say_hi_2],
            }
        }

        team leads {
            members: [lead, lead_2, scout_alpha, sp_her],

            task lead_the_way {
                subject: "Lead the way",
                description: "Both leads are members; the second is assigned.",
                assignee: lead_2,
            }

            task sp_h_aus {
                subject: "Späh aus",
                description: "A name with a space, and one that is not ASCII.",
                assignee: sp_her,
                after: [lead_the_way],
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    edge_cases_v1::main()
}

#![deny(warnings)]
#![deny(missing_docs)]
//! Every part of the language at once, and what `spec()` makes of it.

use std::time::Duration;

use telemachy::spec::{Docker, Runtime, TaskRef, Teardown};

telemachy::workflow! {
    /// Survey three services, then report.
    ///
    /// A second paragraph of description.
    pub workflow fleet {
        name: "fleet-security-analysis",
        teardown: on_failure,
        timeout: 5400,

        /// The lead, who writes the report.
        agent lead_analyst {
            name: "lead-analyst",
            program: "claude-code",
            model: "claude-opus-4-5",
            working_dir: "/workspace/reports",
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 4,
            memory: "8G",
        }
        agent scout {
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
        }
        agent r#type {
            program: "aider",
            runtime: local,
        }

        /// The scouts.
        team scouts {
            name: "scout-team",
            members: [scout, r#type],

            task survey {
                subject: "Survey the services",
                description: "Look at every service \
                              and list what you find.",
                assignee: scout,
                type: "research",
            }
            task classify {
                subject: "Classify the findings",
                assignee: r#type,
                after: [survey],
            }
        }

        team leads {
            members: [lead_analyst],

            task report {
                subject: "Write the report",
                assignee: lead_analyst,
                after: [scouts.survey, scouts.classify],
            }
        }
    }
}

fn main() {
    let spec = fleet::spec();
    assert_eq!(fleet::NAME, "fleet-security-analysis");
    assert_eq!(spec.name, fleet::NAME);
    assert_eq!(
        spec.description,
        "Survey three services, then report.\n\nA second paragraph of description."
    );
    assert_eq!(spec.teardown, Teardown::OnFailure);
    assert_eq!(spec.timeout, Some(Duration::from_secs(5400)));

    let lead = spec.agent("lead_analyst").expect("lead_analyst is declared");
    assert_eq!(lead.name, "lead-analyst");
    assert_eq!(lead.model.as_deref(), Some("claude-opus-4-5"));
    assert_eq!(lead.working_dir, "/workspace/reports");
    assert_eq!(
        lead.runtime,
        Runtime::Docker(Docker {
            image: "ghcr.io/homericintelligence/achaeanfleet:latest".into(),
            cpus: 4,
            memory: "8G".into(),
        })
    );
    let scout = spec.agent("scout").expect("scout is declared");
    assert_eq!(
        scout.runtime,
        Runtime::Docker(Docker::new("ghcr.io/homericintelligence/achaeanfleet:latest"))
    );
    let raw = spec.agent("type").expect("r#type is declared as `type`");
    assert_eq!((raw.program.as_ref(), &raw.runtime), ("aider", &Runtime::Local));

    // Keys are derived from the server-side names.
    assert_eq!(fleet::agents::LEAD_ANALYST, spec.key("lead-analyst"));
    assert_eq!(fleet::agents::SCOUT, spec.key("scout"));
    assert_eq!(fleet::agents::TYPE, spec.key("type"));
    assert_eq!(fleet::teams::SCOUTS, spec.key("scout-team"));
    assert_eq!(fleet::teams::LEADS, spec.key("leads"));

    let scouts = spec.team("scouts").expect("scouts is declared");
    assert_eq!(scouts.name, "scout-team");
    assert_eq!(scouts.agents, ["scout", "type"]);
    let survey = &scouts.tasks[0];
    assert_eq!(survey.description, "Look at every service and list what you find.");
    assert_eq!(survey.kind, "research");
    assert_eq!(scouts.tasks[1].after, [TaskRef::new("scouts", "survey")]);
    assert_eq!(scouts.tasks[1].kind, "general");

    let report = spec
        .task(&TaskRef::new("leads", "report"))
        .expect("leads.report is declared");
    assert_eq!(
        report.after,
        [TaskRef::new("scouts", "survey"), TaskRef::new("scouts", "classify")]
    );

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n", fleet::spec()),
        include_str!("../../data/specs/every-feature.txt")
    );
}

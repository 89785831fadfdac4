#![deny(warnings)]
#![deny(missing_docs)]
//! Names as the Python tool accepts them: spaces, punctuation and non-ASCII letters, in the
//! workflow's name, `name:` and identifiers. Their keys are the Python tool's keys, and the
//! runtime accepts the same workflow.

telemachy::workflow! {
    /// Any name without control characters.
    pub workflow fleet {
        name: "fleet security",

        agent scout { name: "scout alpha" }
        agent lead { name: "lead/analyst" }
        agent späher {}

        team crew { name: "équipe de revue", members: [scout, lead, späher] }
    }
}

fn main() {
    use telemachy::key::make_key;

    assert_eq!(fleet::agents::SCOUT, "tlm-e90d30212234a0b4-scout-alpha");
    assert_eq!(fleet::agents::LEAD, make_key("fleet security", "lead/analyst"));
    assert_eq!(fleet::agents::SPÄHER, make_key("fleet security", "späher"));
    assert!(fleet::agents::SPÄHER.ends_with("-sp-her"));
    assert_eq!(fleet::teams::CREW, make_key("fleet security", "équipe de revue"));
    let plan = telemachy::executor::Plan::new(&fleet::spec()).expect("the same rules accept it");
    assert_eq!(plan.agents[0].key, fleet::agents::SCOUT);
}

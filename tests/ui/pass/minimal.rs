#![deny(warnings)]
#![deny(missing_docs)]
//! The smallest workflow: a name, and nothing else.

telemachy::workflow! {
    /// Nothing to do.
    pub workflow minimal {
        name: "minimal",
    }
}

fn main() {
    let spec = minimal::spec();
    assert_eq!(spec.name, "minimal");
    assert_eq!(minimal::NAME, "minimal");
    assert!(spec.agents.is_empty() && spec.teams.is_empty());

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n", minimal::spec()),
        include_str!("../../data/specs/minimal.txt")
    );
}

#![deny(warnings)]
#![deny(missing_docs)]
//! A workflow that is not `pub`, most of whose constants go unused: no warning either way.

telemachy::workflow! {
    workflow internal {
        name: "internal",
        teardown: never,

        agent one {}
        agent two {}

        team pair {
            members: [one, two],
        }
    }
}

telemachy::workflow! {
    pub(crate) workflow crate_wide {
        name: "crate-wide",
    }
}

fn main() {
    assert_eq!(internal::spec().teardown, telemachy::spec::Teardown::Never);
    assert!(internal::agents::ONE.starts_with("tlm-"));
    assert_eq!(crate_wide::NAME, "crate-wide");

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n{:#?}\n", internal::spec(), crate_wide::spec()),
        include_str!("../../data/specs/private-workflow.txt")
    );
}

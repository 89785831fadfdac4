#![deny(warnings)]
#![deny(missing_docs)]
//! Each teardown policy, spelled as the language spells it.

use telemachy::spec::Teardown;

telemachy::workflow! {
    /// Tears down after success.
    pub workflow on_completion { name: "a", teardown: on_completion }
}
telemachy::workflow! {
    /// Tears down after failure.
    pub workflow on_failure { name: "b", teardown: on_failure }
}
telemachy::workflow! {
    /// Never tears down.
    pub workflow never { name: "c", teardown: never }
}

fn main() {
    assert_eq!(on_completion::spec().teardown, Teardown::OnCompletion);
    assert_eq!(on_failure::spec().teardown, Teardown::OnFailure);
    assert_eq!(never::spec().teardown, Teardown::Never);

    // The same model as before `spec()` became static tables.
    assert_eq!(
        format!("{:#?}\n{:#?}\n{:#?}\n", on_completion::spec(), on_failure::spec(), never::spec()),
        include_str!("../../data/specs/teardown-policies.txt")
    );
}

//! The `workflow!` language, case by case: `tests/ui/pass/*.rs` compile (and run), and each
//! `tests/ui/*.rs` fails to compile with exactly the errors in the `.stderr` beside it.
//!
//! After a deliberate change to an error message: `TRYBUILD=overwrite cargo test --test ui`,
//! then review the `git diff` of the `.stderr` files.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("../tests/ui/pass/*.rs");
    cases.compile_fail("../tests/ui/*.rs");
}

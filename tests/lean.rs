//! A workflow in a build without the command line (`default-features = false`): the
//! module still has its name, key constants, `spec()` and `run()`, and `workflow!` emits
//! no `main()` that would need the `cli` feature. CI runs this test both ways.

use telemachy::key::make_key;

telemachy::workflow! {
    /// Two agents and a task, for library use.
    pub workflow lean_flow {
        name: "lean-flow",

        agent writer {}
        agent editor { name: "lean-editor" }

        team desk {
            members: [writer, editor],

            task draft { subject: "Draft", assignee: writer }
            task edit { subject: "Edit", assignee: editor, after: [draft] }
        }
    }
}

#[test]
fn the_workflow_module_is_a_library_without_the_command_line() {
    assert_eq!(lean_flow::NAME, "lean-flow");
    assert_eq!(
        lean_flow::agents::EDITOR,
        make_key("lean-flow", "lean-editor")
    );
    assert_eq!(lean_flow::teams::DESK, make_key("lean-flow", "desk"));
    let spec = lean_flow::spec();
    assert_eq!(spec.teams[0].tasks.len(), 2);
    let plan = telemachy::executor::Plan::new(&spec).expect("the workflow is valid");
    assert_eq!(plan.order.len(), 2);
    // `run()` is there for library code whatever the features.
    let _run = lean_flow::run;
}

/// With the command line, the module has `main()` too.
#[cfg(feature = "cli")]
#[test]
fn with_the_command_line_the_module_has_main() {
    let _main: fn() -> std::process::ExitCode = lean_flow::main;
}

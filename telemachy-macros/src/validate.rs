//! Checks that need the whole workflow. The workflow as read is lowered to the core's model
//! (`lower`), the core's rules run on it (`telemachy_core::rules`, the same rules a workflow
//! built in code or loaded from a file meets), and each problem is reported at the token it
//! is about (`spans`). The few checks about the source itself are `source_rules`.

use telemachy_core::{rules, spec};

use crate::ctxt::Ctxt;
use crate::lower::lower;
use crate::model::Workflow;
use crate::source_rules;
use crate::spans::Spans;

/// Runs every check, reporting into `ctxt`, and returns the model: what `spec()` holds.
pub(crate) fn check(ctxt: &Ctxt, workflow: &Workflow) -> spec::Workflow {
    source_rules::check(ctxt, workflow);
    let model = lower(workflow);
    let spans = Spans::new(workflow);
    for problem in rules::problems(&model) {
        if !spans.is_unread(&problem.path) {
            spans.error(ctxt, &problem.path, &problem);
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::ast::Input;
    use crate::model;

    /// Every error message for `input`, in order.
    fn messages(input: TokenStream) -> Vec<String> {
        let input: Input = syn::parse2(input).expect("the input parses");
        let ctxt = Ctxt::new();
        let workflow = model::read(&ctxt, input);
        check(&ctxt, &workflow);
        match ctxt.check() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    /// A workflow of one agent and one team holding `tasks` (source text).
    fn one_team(tasks: &str) -> TokenStream {
        let source = format!(
            "pub workflow w {{ name: \"w\", agent a {{}} team t {{ members: [a], {tasks} }} }}"
        );
        source.parse().expect("the generated source lexes")
    }

    #[test]
    fn a_valid_workflow_has_no_errors() {
        let errors = messages(quote! {
            pub workflow w {
                name: "w v1",
                agent a { name: "scout alpha" }
                agent b { runtime: docker, image: "i", cpus: 1, memory: "512M" }
                agent späher {}
                team t {
                    members: [a, b],
                    task x { subject: "X", assignee: a }
                    task y { subject: "Y", assignee: b, after: [x] }
                }
                team u {
                    members: [a],
                    task z { subject: "X", assignee: a, after: [t.y, t.x] }
                }
            }
        });
        assert_eq!(errors, Vec::<String>::new());
    }

    #[test]
    fn what_could_not_be_read_causes_no_follow_on_errors() {
        let mut errors = messages(quote! {
            pub workflow w {
                name: "w",
                agent implementer { runtime: docker, docker_image: "i", cpus: "2" }
                team t {
                    members: [implementor],
                    task x { assignee: implementer }
                    task y { subject: "Y" }
                }
                team u { task z { subject: "Z", assignee: implementer } }
            }
        });
        // Each mistake once, whatever the order the stages report them in.
        errors.sort();
        assert_eq!(
            errors,
            [
                "`cpus` expects a whole number, found a string: write it without quotes, e.g. \
                 `cpus: 2`",
                "task `x` has no `subject`: add `subject: \"...\"`",
                "task `y` has no `assignee`: add `assignee: <agent>`",
                "team `u` has no `members`: add `members: [<agent>, ...]`",
                "unknown agent `implementor` in team `t`: did you mean `implementer`?",
                "unknown field `docker_image` in agent `implementer`: did you mean `image`?",
            ]
        );
    }

    #[test]
    fn a_long_chain_is_checked_without_deep_recursion() {
        // 5,000 tasks in one chain, closed into a cycle, checked on a thread with a small
        // stack: a recursive search would overflow it.
        let mut tasks = String::new();
        for i in 0..5_000 {
            let before = (i + 4_999) % 5_000;
            let _ = write!(
                tasks,
                "task t{i} {{ subject: \"T{i}\", assignee: a, after: [t{before}] }}"
            );
        }
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || messages(one_team(&tasks)))
            .expect("the thread starts");
        let errors = worker
            .join()
            .expect("checking a long chain does not overflow");
        assert_eq!(errors.len(), 1, "one cycle");
        assert!(
            errors[0].starts_with("dependency cycle through 5000 tasks: `t1` -> `t0` -> `t4999`"),
            "{}",
            errors[0]
        );
        assert!(errors[0].len() < 300, "{}", errors[0]);
    }
}

//! Code generation: the workflow becomes a module of documented constants, a `spec()`
//! function and the executor's entry points `main()` and `run()`, followed by the errors
//! found, if any.
//!
//! Whatever the errors, the module is still generated from what could be read (with
//! defaults where a value was unusable and duplicates left out), so that the only errors
//! the user sees are ours, and rust-analyzer keeps completing `workflow::agents::...`.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Visibility};

use crate::ast::Input;
use crate::ctxt::Ctxt;
use crate::model::{self, Agent, Runtime, Task, Team, Teardown, Workflow};
use crate::validate;
use telemachy_core::key::make_key;

/// The whole macro: parse, read, check, generate.
pub(crate) fn workflow(input: TokenStream) -> TokenStream {
    let input: Input = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let ctxt = Ctxt::new();
    let workflow = model::read(&ctxt, input);
    validate::check(&ctxt, &workflow);
    let mut tokens = generate(&workflow);
    if let Err(errors) = ctxt.check() {
        tokens.extend(errors.into_compile_error());
    }
    tokens
}

/// The module for `workflow`.
pub(crate) fn generate(workflow: &Workflow) -> TokenStream {
    let Workflow {
        vis, ident, docs, ..
    } = workflow;
    let name = workflow_name(workflow);
    let inner = inner_vis(vis);
    let module_docs = if docs.is_empty() {
        doc(&format!(" The `{name}` workflow."))
    } else {
        quote!(#(#docs)*)
    };
    let name_doc = doc(&format!(
        " The workflow's name on the server, `{name}`: every key is derived from it."
    ));
    let agents = agent_keys(workflow, &name, &inner);
    let teams = team_keys(workflow, &name, &inner);
    let spec = spec_fn(workflow, &inner);
    let entry_points = entry_points(&inner);
    quote! {
        #module_docs
        #[allow(dead_code)]
        #vis mod #ident {
            #name_doc
            #inner const NAME: &str = #name;

            #agents

            #teams

            #spec

            #entry_points
        }
    }
}

/// The workflow's `name:`, or, when it is missing (an error already), its identifier.
fn workflow_name(workflow: &Workflow) -> String {
    match &workflow.name {
        Some(name) => name.value.clone(),
        None => workflow.ident.unraw().to_string(),
    }
}

/// The visibility of the items inside the module: `pub` in a `pub` module, else
/// `pub(crate)` (a `pub` item in a private module would trip `unreachable_pub`).
fn inner_vis(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Public(_) => quote!(pub),
        _ => quote!(pub(crate)),
    }
}

fn doc(text: &str) -> TokenStream {
    quote!(#[doc = #text])
}

/// `pub mod agents { pub const SCOUT: &str = "tlm-..."; ... }`.
fn agent_keys(workflow: &Workflow, workflow_name: &str, vis: &TokenStream) -> TokenStream {
    let resources = workflow.agents.iter().map(|agent: &Agent| Resource {
        ident: &agent.ident,
        docs: &agent.docs,
        server_name: agent.server_name(),
    });
    let constants = key_constants(resources, "agent", workflow_name, vis);
    let module_doc = doc(" The key of each agent: its name on the server.");
    quote! {
        #module_doc
        #vis mod agents {
            #constants
        }
    }
}

/// `pub mod teams { pub const AUDIT: &str = "tlm-..."; ... }`.
fn team_keys(workflow: &Workflow, workflow_name: &str, vis: &TokenStream) -> TokenStream {
    let resources = workflow.teams.iter().map(|team: &Team| Resource {
        ident: &team.ident,
        docs: &team.docs,
        server_name: team.server_name(),
    });
    let constants = key_constants(resources, "team", workflow_name, vis);
    let module_doc = doc(" The key of each team: its name on the server.");
    quote! {
        #module_doc
        #vis mod teams {
            #constants
        }
    }
}

/// What a key constant is made from.
struct Resource<'a> {
    ident: &'a Ident,
    docs: &'a [syn::Attribute],
    server_name: &'a str,
}

fn key_constants<'a>(
    resources: impl Iterator<Item = Resource<'a>>,
    what: &str,
    workflow_name: &str,
    vis: &TokenStream,
) -> TokenStream {
    let mut seen = HashSet::new();
    let mut tokens = TokenStream::new();
    for resource in resources {
        let constant = constant_ident(resource.ident);
        if !seen.insert(constant.to_string()) {
            continue; // a duplicate, reported by `validate`
        }
        let key = make_key(workflow_name, resource.server_name);
        let id = resource.ident.unraw();
        let generated = if id == resource.server_name {
            format!(" The key of {what} `{id}`: `{key}`.")
        } else {
            format!(
                " The key of {what} `{id}` (named `{}`): `{key}`.",
                resource.server_name
            )
        };
        let docs = resource.docs;
        let separator = (!docs.is_empty()).then(|| doc(""));
        let generated = doc(&generated);
        tokens.extend(quote! {
            #(#docs)*
            #separator
            #generated
            #vis const #constant: &str = #key;
        });
    }
    tokens
}

/// The constant an identifier becomes (`scout_alpha` -> `SCOUT_ALPHA`), at the identifier's
/// span so that go-to-definition lands on the user's declaration. An identifier whose
/// upper-case form is not an identifier (possible with some Unicode letters) is kept as
/// written.
fn constant_ident(ident: &Ident) -> Ident {
    let upper = validate::constant_name(&ident.unraw().to_string());
    match syn::parse_str::<Ident>(&upper) {
        Ok(mut constant) => {
            constant.set_span(ident.span());
            constant
        }
        Err(_) => ident.unraw(),
    }
}

/// `pub fn spec() -> ::telemachy::spec::Workflow { ... }`.
fn spec_fn(workflow: &Workflow, vis: &TokenStream) -> TokenStream {
    let description = text(&workflow.description);
    let teardown = match workflow.teardown.as_ref().map(|t| t.value) {
        None | Some(Teardown::OnCompletion) => quote!(OnCompletion),
        Some(Teardown::OnFailure) => quote!(OnFailure),
        Some(Teardown::Never) => quote!(Never),
    };
    let timeout = match workflow.timeout.as_ref().map(|t| t.value) {
        None => quote!(::core::option::Option::None),
        Some(timeout) if timeout.nanos == 0 => {
            let secs = timeout.secs;
            quote!(::core::option::Option::Some(::core::time::Duration::from_secs(#secs)))
        }
        Some(timeout) => {
            let (secs, nanos) = (timeout.secs, timeout.nanos);
            quote!(::core::option::Option::Some(::core::time::Duration::new(#secs, #nanos)))
        }
    };
    let agents = vec_of(workflow.agents.iter().map(agent_spec));
    let teams = vec_of(workflow.teams.iter().map(team_spec));
    let doc = doc(" The workflow's full specification, as checked when it compiled.");
    quote! {
        #doc
        #vis fn spec() -> ::telemachy::spec::Workflow {
            ::telemachy::spec::Workflow {
                name: ::telemachy::spec::Text::Borrowed(NAME),
                description: #description,
                teardown: ::telemachy::spec::Teardown::#teardown,
                timeout: #timeout,
                agents: #agents,
                teams: #teams,
            }
        }
    }
}

/// The executor's entry points beside `spec()`: `main()` for a workflow binary and `run()`
/// for library code.
fn entry_points(vis: &TokenStream) -> TokenStream {
    let main_doc = doc(
        " Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists \
         them) with the process's arguments and returns its exit status: a binary's \
         `fn main() -> std::process::ExitCode` calls it.",
    );
    let run_doc = doc(
        " Runs the workflow on the server behind `client`: reuses or creates its agents and \
         teams by key, submits its tasks in dependency order, watches them to the end, tears \
         down by policy, and returns the report (see `telemachy::executor::run`).",
    );
    quote! {
        #main_doc
        #vis fn main() -> ::std::process::ExitCode {
            ::telemachy::cli::main(spec())
        }

        #run_doc
        #vis async fn run(
            client: &::telemachy::Client,
            options: ::telemachy::executor::RunOptions,
        ) -> ::core::result::Result<::telemachy::executor::Report, ::telemachy::executor::Error> {
            ::telemachy::executor::run(&spec(), client, options).await
        }
    }
}

fn agent_spec(agent: &Agent) -> TokenStream {
    let id = text(&agent.id);
    let name = text(agent.server_name());
    let program = text_or(&agent.program, quote!(DEFAULT_PROGRAM));
    let model = match &agent.model {
        Some(model) => {
            let model = text(&model.value);
            quote!(::core::option::Option::Some(#model))
        }
        None => quote!(::core::option::Option::None),
    };
    let working_dir = text_or(&agent.working_dir, quote!(DEFAULT_WORKING_DIR));
    let runtime = match agent.runtime.as_ref().map(|r| r.value) {
        Some(Runtime::Docker) => {
            let image = text(agent.image.as_ref().map_or("", |image| &image.value));
            let cpus = match agent.cpus.as_ref().map(|c| u32::try_from(c.value)) {
                Some(Ok(cpus)) => cpus.to_token_stream(),
                _ => quote!(::telemachy::spec::DEFAULT_CPUS),
            };
            let memory = text_or(&agent.memory, quote!(DEFAULT_MEMORY));
            quote! {
                ::telemachy::spec::Runtime::Docker(::telemachy::spec::Docker {
                    image: #image,
                    cpus: #cpus,
                    memory: #memory,
                })
            }
        }
        _ => quote!(::telemachy::spec::Runtime::Local),
    };
    quote! {
        ::telemachy::spec::Agent {
            id: #id,
            name: #name,
            program: #program,
            model: #model,
            working_dir: #working_dir,
            runtime: #runtime,
        }
    }
}

fn team_spec(team: &Team) -> TokenStream {
    let id = text(&team.id);
    let name = text(team.server_name());
    let members = vec_of(
        team.member_idents()
            .iter()
            .map(|member| text(&member.unraw().to_string())),
    );
    let tasks = vec_of(team.tasks.iter().map(|task| task_spec(team, task)));
    quote! {
        ::telemachy::spec::Team {
            id: #id,
            name: #name,
            agents: #members,
            tasks: #tasks,
        }
    }
}

fn task_spec(team: &Team, task: &Task) -> TokenStream {
    let id = text(&task.id);
    let subject = text(task.subject.as_ref().map_or("", |s| &s.value));
    let description = text(task.description.as_ref().map_or("", |d| &d.value));
    let assignee = text(
        &task
            .assignee
            .as_ref()
            .map_or_else(String::new, |a| a.unraw().to_string()),
    );
    let after = vec_of(task.after.iter().filter_map(|dependency| {
        let model::Target::Task(task) = &dependency.target else {
            return None; // an error already
        };
        let team = text(
            &dependency
                .team
                .as_ref()
                .map_or_else(|| team.id.clone(), |team| team.unraw().to_string()),
        );
        let task = text(&task.unraw().to_string());
        Some(quote!(::telemachy::spec::TaskRef { team: #team, task: #task, }))
    }));
    let kind = text_or(&task.kind, quote!(DEFAULT_TASK_TYPE));
    quote! {
        ::telemachy::spec::Task {
            id: #id,
            subject: #subject,
            description: #description,
            assignee: #assignee,
            after: #after,
            kind: #kind,
        }
    }
}

/// `Text::Borrowed("...")`.
fn text(value: &str) -> TokenStream {
    let lit = LitStr::new(value, Span::call_site());
    quote!(::telemachy::spec::Text::Borrowed(#lit))
}

/// The value if given, else `Text::Borrowed(::telemachy::spec::<default>)`.
fn text_or(value: &Option<model::Spanned<String>>, default: TokenStream) -> TokenStream {
    match value {
        Some(value) => text(&value.value),
        None => quote!(::telemachy::spec::Text::Borrowed(::telemachy::spec::#default)),
    }
}

/// `::std::vec![a, b, ...]`, or `::std::vec::Vec::new()` when empty.
fn vec_of(items: impl Iterator<Item = TokenStream>) -> TokenStream {
    let items: Vec<TokenStream> = items.collect();
    if items.is_empty() {
        quote!(::std::vec::Vec::new())
    } else {
        quote!(::std::vec![#(#items),*])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// `tokens` as a file, pretty-printed: what a reader of `cargo expand` would see.
    fn pretty(tokens: TokenStream) -> String {
        match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(error) => panic!("the expansion is not valid Rust ({error}):\n{tokens}"),
        }
    }

    #[test]
    fn expands_to_documented_constants_and_a_spec() {
        let input = quote! {
            /// Say hello.
            pub workflow hello {
                name: "hello-world-e2e",
                teardown: never,
                timeout: 90,

                agent hello_worker { name: "hello-worker", program: "none", model: "m1" }
                /// Runs in a box.
                agent boxed { runtime: docker, image: "alpine:3", cpus: 4 }

                team hello_team {
                    name: "hello-team",
                    members: [hello_worker, boxed],

                    task say_hello { subject: "Say hello world", assignee: hello_worker }
                    task reply {
                        subject: "Reply",
                        description: "Answer.",
                        assignee: boxed,
                        after: [say_hello],
                        type: "review",
                    }
                }
            }
        };
        let boxed_key = make_key("hello-world-e2e", "boxed");
        let boxed_doc = format!(" The key of agent `boxed`: `{boxed_key}`.");
        let expected = quote! {
            /// Say hello.
            #[allow(dead_code)]
            pub mod hello {
                /// The workflow's name on the server, `hello-world-e2e`: every key is derived from it.
                pub const NAME: &str = "hello-world-e2e";

                /// The key of each agent: its name on the server.
                pub mod agents {
                    /// The key of agent `hello_worker` (named `hello-worker`): `tlm-a4445eab73909f32-hello-worker`.
                    pub const HELLO_WORKER: &str = "tlm-a4445eab73909f32-hello-worker";
                    /// Runs in a box.
                    #[doc = ""]
                    #[doc = #boxed_doc]
                    pub const BOXED: &str = #boxed_key;
                }

                /// The key of each team: its name on the server.
                pub mod teams {
                    /// The key of team `hello_team` (named `hello-team`): `tlm-8b5815542c2ce8e4-hello-team`.
                    pub const HELLO_TEAM: &str = "tlm-8b5815542c2ce8e4-hello-team";
                }

                /// The workflow's full specification, as checked when it compiled.
                pub fn spec() -> ::telemachy::spec::Workflow {
                    ::telemachy::spec::Workflow {
                        name: ::telemachy::spec::Text::Borrowed(NAME),
                        description: ::telemachy::spec::Text::Borrowed("Say hello."),
                        teardown: ::telemachy::spec::Teardown::Never,
                        timeout: ::core::option::Option::Some(::core::time::Duration::from_secs(90u64)),
                        agents: ::std::vec![
                            ::telemachy::spec::Agent {
                                id: ::telemachy::spec::Text::Borrowed("hello_worker"),
                                name: ::telemachy::spec::Text::Borrowed("hello-worker"),
                                program: ::telemachy::spec::Text::Borrowed("none"),
                                model: ::core::option::Option::Some(::telemachy::spec::Text::Borrowed("m1")),
                                working_dir: ::telemachy::spec::Text::Borrowed(::telemachy::spec::DEFAULT_WORKING_DIR),
                                runtime: ::telemachy::spec::Runtime::Local,
                            },
                            ::telemachy::spec::Agent {
                                id: ::telemachy::spec::Text::Borrowed("boxed"),
                                name: ::telemachy::spec::Text::Borrowed("boxed"),
                                program: ::telemachy::spec::Text::Borrowed(::telemachy::spec::DEFAULT_PROGRAM),
                                model: ::core::option::Option::None,
                                working_dir: ::telemachy::spec::Text::Borrowed(::telemachy::spec::DEFAULT_WORKING_DIR),
                                runtime: ::telemachy::spec::Runtime::Docker(::telemachy::spec::Docker {
                                    image: ::telemachy::spec::Text::Borrowed("alpine:3"),
                                    cpus: 4u32,
                                    memory: ::telemachy::spec::Text::Borrowed(::telemachy::spec::DEFAULT_MEMORY),
                                }),
                            }
                        ],
                        teams: ::std::vec![
                            ::telemachy::spec::Team {
                                id: ::telemachy::spec::Text::Borrowed("hello_team"),
                                name: ::telemachy::spec::Text::Borrowed("hello-team"),
                                agents: ::std::vec![
                                    ::telemachy::spec::Text::Borrowed("hello_worker"),
                                    ::telemachy::spec::Text::Borrowed("boxed")
                                ],
                                tasks: ::std::vec![
                                    ::telemachy::spec::Task {
                                        id: ::telemachy::spec::Text::Borrowed("say_hello"),
                                        subject: ::telemachy::spec::Text::Borrowed("Say hello world"),
                                        description: ::telemachy::spec::Text::Borrowed(""),
                                        assignee: ::telemachy::spec::Text::Borrowed("hello_worker"),
                                        after: ::std::vec::Vec::new(),
                                        kind: ::telemachy::spec::Text::Borrowed(::telemachy::spec::DEFAULT_TASK_TYPE),
                                    },
                                    ::telemachy::spec::Task {
                                        id: ::telemachy::spec::Text::Borrowed("reply"),
                                        subject: ::telemachy::spec::Text::Borrowed("Reply"),
                                        description: ::telemachy::spec::Text::Borrowed("Answer."),
                                        assignee: ::telemachy::spec::Text::Borrowed("boxed"),
                                        after: ::std::vec![
                                            ::telemachy::spec::TaskRef {
                                                team: ::telemachy::spec::Text::Borrowed("hello_team"),
                                                task: ::telemachy::spec::Text::Borrowed("say_hello"),
                                            }
                                        ],
                                        kind: ::telemachy::spec::Text::Borrowed("review"),
                                    }
                                ],
                            }
                        ],
                    }
                }

                /// Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists them) with the process's arguments and returns its exit status: a binary's `fn main() -> std::process::ExitCode` calls it.
                pub fn main() -> ::std::process::ExitCode {
                    ::telemachy::cli::main(spec())
                }

                /// Runs the workflow on the server behind `client`: reuses or creates its agents and teams by key, submits its tasks in dependency order, watches them to the end, tears down by policy, and returns the report (see `telemachy::executor::run`).
                pub async fn run(
                    client: &::telemachy::Client,
                    options: ::telemachy::executor::RunOptions,
                ) -> ::core::result::Result<::telemachy::executor::Report, ::telemachy::executor::Error> {
                    ::telemachy::executor::run(&spec(), client, options).await
                }
            }
        };
        assert_eq!(pretty(workflow(input)), pretty(expected));
    }

    #[test]
    fn a_private_workflow_gets_crate_visible_items() {
        let input = quote! {
            workflow quiet { name: "quiet", timeout: 0.25 }
        };
        let expected = quote! {
            /// The `quiet` workflow.
            #[allow(dead_code)]
            mod quiet {
                /// The workflow's name on the server, `quiet`: every key is derived from it.
                pub(crate) const NAME: &str = "quiet";

                /// The key of each agent: its name on the server.
                pub(crate) mod agents {}

                /// The key of each team: its name on the server.
                pub(crate) mod teams {}

                /// The workflow's full specification, as checked when it compiled.
                pub(crate) fn spec() -> ::telemachy::spec::Workflow {
                    ::telemachy::spec::Workflow {
                        name: ::telemachy::spec::Text::Borrowed(NAME),
                        description: ::telemachy::spec::Text::Borrowed(""),
                        teardown: ::telemachy::spec::Teardown::OnCompletion,
                        timeout: ::core::option::Option::Some(::core::time::Duration::new(0u64, 250000000u32)),
                        agents: ::std::vec::Vec::new(),
                        teams: ::std::vec::Vec::new(),
                    }
                }

                /// Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists them) with the process's arguments and returns its exit status: a binary's `fn main() -> std::process::ExitCode` calls it.
                pub(crate) fn main() -> ::std::process::ExitCode {
                    ::telemachy::cli::main(spec())
                }

                /// Runs the workflow on the server behind `client`: reuses or creates its agents and teams by key, submits its tasks in dependency order, watches them to the end, tears down by policy, and returns the report (see `telemachy::executor::run`).
                pub(crate) async fn run(
                    client: &::telemachy::Client,
                    options: ::telemachy::executor::RunOptions,
                ) -> ::core::result::Result<::telemachy::executor::Report, ::telemachy::executor::Error> {
                    ::telemachy::executor::run(&spec(), client, options).await
                }
            }
        };
        assert_eq!(pretty(workflow(input)), pretty(expected));
    }

    #[test]
    fn invalid_input_still_expands_the_module_then_the_errors() {
        let input = quote! {
            pub workflow broken {
                name: "broken",
                agent a {}
                agent a { modle: "x" }
                team t { members: [a, b] }
            }
        };
        let file = syn::parse2::<syn::File>(workflow(input)).expect("the expansion parses");
        let [syn::Item::Mod(module), errors @ ..] = file.items.as_slice() else {
            panic!("the module comes first");
        };
        assert_eq!(module.ident, "broken");
        let printed = prettyplease::unparse(&file);
        // The duplicate agent yields one constant, not two conflicting ones.
        assert_eq!(printed.matches("pub const A: &str").count(), 1);
        let messages: Vec<String> = errors
            .iter()
            .map(|item| match item {
                syn::Item::Macro(call)
                    if call
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "compile_error") =>
                {
                    call.mac.tokens.to_string()
                }
                other => panic!("only errors follow the module, found {}", quote!(#other)),
            })
            .collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(messages[0].contains("did you mean `model`?"));
        assert!(messages[1].contains("agent `a` is declared twice"));
        assert!(messages[2].contains("unknown agent `b`"));
    }

    #[test]
    fn unparseable_input_is_only_an_error() {
        let tokens = workflow(quote!(
            pub fn not_a_workflow() {}
        ));
        let printed = tokens.to_string();
        assert!(printed.contains("compile_error"), "{printed}");
        assert!(
            printed.contains("expected `workflow <name> { ... }`"),
            "{printed}"
        );
        assert!(!printed.contains("mod"), "{printed}");
    }

    #[test]
    fn constants_are_upper_case_identifiers_at_the_user_span() {
        let ident = Ident::new("scout_alpha", Span::call_site());
        assert_eq!(constant_ident(&ident), "SCOUT_ALPHA");
        let raw = Ident::new_raw("type", Span::call_site());
        assert_eq!(constant_ident(&raw), "TYPE");
    }
}

#[cfg(test)]
mod robustness {
    //! Whatever the input, the macro neither panics nor produces output that is not Rust.

    use super::*;

    const SOURCE: &str = r#"
        /// Docs.
        pub workflow w {
            name: "w", teardown: never, timeout: 1.5,
            agent a { name: "a-1", model: "m", runtime: docker, image: "i", cpus: 2, memory: "4g" }
            agent b {}
            team t {
                name: "t-1",
                members: [a, b],
                task x { subject: "X", description: "D", assignee: a, type: "general" }
                task y { subject: "Y", assignee: b, after: [x, t.x] }
            }
            team u { members: [b], task z { subject: "Z", assignee: b, after: [t.y] } }
        }
    "#;

    /// Fragments spliced into the source at every position.
    const SPLICES: &[&str] = &[
        "",
        ",",
        ":",
        "[",
        "]",
        "{",
        "}",
        ".",
        "agent",
        "team",
        "task",
        "x",
        "\"s\"",
        "0",
        "-1",
        "1.0e9",
        "#[doc = 1]",
        "r#type",
        "::",
        "after: [",
        "workflow",
        "'c'",
    ];

    /// Every way of cutting a piece out of the source or splicing a fragment into it, at
    /// every token boundary, that still lexes.
    fn variants() -> Vec<String> {
        let boundaries: Vec<usize> = SOURCE
            .char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(i, _)| i)
            .collect();
        let mut variants = Vec::new();
        for (n, &start) in boundaries.iter().enumerate() {
            for &end in boundaries.iter().skip(n + 1).take(3) {
                variants.push(format!("{}{}", &SOURCE[..start], &SOURCE[end..]));
            }
            for splice in SPLICES {
                variants.push(format!(
                    "{} {splice} {}",
                    &SOURCE[..start],
                    &SOURCE[start..]
                ));
            }
        }
        variants
    }

    #[test]
    fn no_input_panics_or_expands_to_invalid_rust() {
        let mut checked = 0;
        for variant in variants() {
            let Ok(tokens) = variant.parse::<TokenStream>() else {
                continue; // unbalanced delimiters: the compiler rejects these before us
            };
            let output = workflow(tokens);
            if let Err(error) = syn::parse2::<syn::File>(output) {
                panic!("invalid expansion ({error}) of:\n{variant}");
            }
            checked += 1;
        }
        assert!(checked > 1_000, "only {checked} variants lexed");
    }
}

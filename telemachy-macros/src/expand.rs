//! Code generation: the workflow becomes a module of documented constants, a `spec()`
//! function and the executor's entry points `main()` and `run()`, followed by the errors
//! found, if any.
//!
//! Whatever the errors, the module is still generated from what could be read (with
//! defaults where a value was unusable and duplicates left out), so that the only errors
//! the user sees are ours, and rust-analyzer keeps completing `workflow::agents::...`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::{Ident, LitByteStr, LitStr, Visibility};

use crate::ast::Input;
use crate::ctxt::Ctxt;
use crate::model::{self, Agent, Team, Workflow};
use crate::validate;
use telemachy_core::key::make_key;
use telemachy_core::{spec, tables};

/// The whole macro: parse, read, check, generate.
pub(crate) fn workflow(input: TokenStream) -> TokenStream {
    let input: Input = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let ctxt = Ctxt::new();
    let workflow = model::read(&ctxt, input);
    let model = validate::check(&ctxt, &workflow);
    let mut tokens = generate(&ctxt, &workflow, &model);
    if let Err(errors) = ctxt.check() {
        tokens.extend(errors.into_compile_error());
    }
    tokens
}

/// The module for `workflow`, whose `spec()` returns `model` (the workflow lowered to the
/// core's model); identifiers that would become the same constant are reported into `ctxt`.
pub(crate) fn generate(ctxt: &Ctxt, workflow: &Workflow, model: &spec::Workflow) -> TokenStream {
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
    let agents = agent_keys(ctxt, workflow, &name, &inner);
    let teams = team_keys(ctxt, workflow, &name, &inner);
    let spec = spec_fn(model, &inner);
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
fn agent_keys(
    ctxt: &Ctxt,
    workflow: &Workflow,
    workflow_name: &str,
    vis: &TokenStream,
) -> TokenStream {
    let resources = workflow.agents.iter().map(|agent: &Agent| Resource {
        ident: &agent.ident,
        docs: &agent.docs,
        server_name: agent.server_name(),
    });
    let constants = key_constants(ctxt, resources, Kind::AGENT, workflow_name, vis);
    let module_doc = doc(" The key of each agent: its name on the server.");
    quote! {
        #module_doc
        #vis mod agents {
            #constants
        }
    }
}

/// `pub mod teams { pub const AUDIT: &str = "tlm-..."; ... }`.
fn team_keys(
    ctxt: &Ctxt,
    workflow: &Workflow,
    workflow_name: &str,
    vis: &TokenStream,
) -> TokenStream {
    let resources = workflow.teams.iter().map(|team: &Team| Resource {
        ident: &team.ident,
        docs: &team.docs,
        server_name: team.server_name(),
    });
    let constants = key_constants(ctxt, resources, Kind::TEAM, workflow_name, vis);
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

/// Agents or teams, as messages name them.
struct Kind {
    /// "agent".
    one: &'static str,
    /// "agents", also the module of their constants.
    many: &'static str,
}

impl Kind {
    const AGENT: Kind = Kind {
        one: "agent",
        many: "agents",
    };
    const TEAM: Kind = Kind {
        one: "team",
        many: "teams",
    };
}

fn key_constants<'a>(
    ctxt: &Ctxt,
    resources: impl Iterator<Item = Resource<'a>>,
    kind: Kind,
    workflow_name: &str,
    vis: &TokenStream,
) -> TokenStream {
    let mut seen: HashMap<String, &Ident> = HashMap::new();
    let mut tokens = TokenStream::new();
    for resource in resources {
        let constant = constant_ident(resource.ident);
        // The constant as the compiler spells it (identifiers are NFC-normalised, which
        // upper-casing can undo), so that two identifiers giving one constant are caught.
        match seen.entry(constant.to_string()) {
            Entry::Occupied(first) => {
                let (first, id) = (first.get().unraw(), resource.ident.unraw());
                if first != id {
                    ctxt.error_spanned_by(
                        resource.ident,
                        format!(
                            "{} `{first}` and `{id}` would both become the constant `{}::{}`: \
                             rename one",
                            kind.many, kind.many, constant
                        ),
                    );
                }
                continue; // else declared twice, which `validate` reports
            }
            Entry::Vacant(slot) => {
                slot.insert(resource.ident);
            }
        }
        let key = make_key(workflow_name, resource.server_name);
        let id = resource.ident.unraw();
        let what = kind.one;
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
    let upper = ident.unraw().to_string().to_uppercase();
    match syn::parse_str::<Ident>(&upper) {
        Ok(mut constant) => {
            constant.set_span(ident.span());
            constant
        }
        Err(_) => ident.unraw(),
    }
}

/// `pub fn spec() -> ::telemachy::spec::Workflow { ... }`: the workflow as static tables (a
/// string and a byte string, which cost rustc next to nothing however big the workflow),
/// turned into the model when called.
fn spec_fn(model: &spec::Workflow, vis: &TokenStream) -> TokenStream {
    let encoded = tables::encode(model);
    let text = LitStr::new(&encoded.text, Span::call_site());
    let data = LitByteStr::new(&encoded.data, Span::call_site());
    let doc = doc(" The workflow's full specification, as checked when it compiled.");
    quote! {
        #doc
        #vis fn spec() -> ::telemachy::spec::Workflow {
            static TABLES: ::telemachy::__private::Tables = ::telemachy::__private::Tables {
                text: #text,
                data: #data,
            };
            TABLES.workflow()
        }
    }
}

/// The executor's entry points beside `spec()`: `main()` for a workflow binary (defined by
/// `telemachy`, whose features decide what it does) and `run()` for library code.
fn entry_points(vis: &TokenStream) -> TokenStream {
    let run_doc = doc(
        " Runs the workflow on the server behind `client`: reuses or creates its agents and \
         teams by key, submits its tasks in dependency order, watches them to the end, tears \
         down by policy, and returns the report (see `telemachy::executor::run`).",
    );
    let main_doc = doc(
        " Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists \
         them) with the process's arguments and returns its exit status: a binary's \
         `fn main() -> std::process::ExitCode` calls it.",
    );
    quote! {
        ::telemachy::__workflow_main! {
            #main_doc
            #vis fn main() { spec() }
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use std::time::Duration;

    /// `tokens` as a file, pretty-printed: what a reader of `cargo expand` would see.
    fn pretty(tokens: TokenStream) -> String {
        match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(error) => panic!("the expansion is not valid Rust ({error}):\n{tokens}"),
        }
    }

    /// The `spec()` that `model` expands to: its tables, decoded when called.
    fn spec_of(model: &spec::Workflow, vis: TokenStream) -> TokenStream {
        let tables::Encoded { text, data } = tables::encode(model);
        let data = LitByteStr::new(&data, Span::call_site());
        quote! {
            /// The workflow's full specification, as checked when it compiled.
            #vis fn spec() -> ::telemachy::spec::Workflow {
                static TABLES: ::telemachy::__private::Tables = ::telemachy::__private::Tables {
                    text: #text,
                    data: #data,
                };
                TABLES.workflow()
            }
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
        let mut model = spec::Workflow::new("hello-world-e2e");
        model.description = "Say hello.".into();
        model.teardown = spec::Teardown::Never;
        model.timeout = Some(Duration::from_secs(90));
        let mut hello_worker = spec::Agent::new("hello_worker");
        hello_worker.name = "hello-worker".into();
        hello_worker.program = "none".into();
        hello_worker.model = Some("m1".into());
        let mut boxed = spec::Agent::new("boxed");
        let mut docker = spec::Docker::new("alpine:3");
        docker.cpus = 4;
        boxed.runtime = spec::Runtime::Docker(docker);
        model.agents = vec![hello_worker, boxed];
        let mut team = spec::Team::new("hello_team", ["hello_worker", "boxed"]);
        team.name = "hello-team".into();
        let mut reply = spec::Task::new("reply", "Reply", "boxed");
        reply.description = "Answer.".into();
        reply.after = vec![spec::TaskRef::new("hello_team", "say_hello")];
        reply.kind = "review".into();
        team.tasks = vec![
            spec::Task::new("say_hello", "Say hello world", "hello_worker"),
            reply,
        ];
        model.teams = vec![team];
        let spec = spec_of(&model, quote!(pub));
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

                #spec

                ::telemachy::__workflow_main! {
                    #[doc = " Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists them) with the process's arguments and returns its exit status: a binary's `fn main() -> std::process::ExitCode` calls it."]
                    pub fn main() { spec() }
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
        let mut model = spec::Workflow::new("quiet");
        model.timeout = Some(Duration::from_millis(250));
        let spec = spec_of(&model, quote!(pub(crate)));
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

                #spec

                ::telemachy::__workflow_main! {
                    #[doc = " Runs the workflow's command line (`run`, `plan`, `check`, `status`; `--help` lists them) with the process's arguments and returns its exit status: a binary's `fn main() -> std::process::ExitCode` calls it."]
                    pub(crate) fn main() { spec() }
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
        ";",
        "#![doc = \"inner\"]",
        "\"s\"x",
        "key: value",
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

//! Code generation: the workflow becomes a module of documented constants and a `spec()`
//! function, followed by the errors found, if any.
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
use crate::key::make_key;
use crate::model::{self, Agent, Runtime, Task, Team, Teardown, Workflow};
use crate::validate;

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
    quote! {
        #module_docs
        #[allow(dead_code)]
        #vis mod #ident {
            #name_doc
            #inner const NAME: &str = #name;

            #agents

            #teams

            #spec
        }
    }
    // The executor's entry points, `main()` and `run()`, belong in this module beside
    // `spec()`; they are generated here once the executor exists.
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
        Some(quote!(::telemachy::spec::TaskRef { team: #team, task: #task }))
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

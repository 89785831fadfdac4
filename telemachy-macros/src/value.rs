//! Reading one field's value: the kind it must be (a string, a whole number, one word out of
//! a few, an identifier, a list), with an error at the value when it is another kind, and a
//! hint at what to write instead.

use proc_macro2::TokenTree;
use quote::ToTokens;
use syn::Ident;
use syn::ext::IdentExt;

use crate::ast::{Field, Value};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{Dependency, Runtime, Spanned, Target, Timeout};
use telemachy_core::suggest;

pub(crate) fn spanned_map<T>(
    word: Spanned<&'static str>,
    map: fn(&str) -> Option<T>,
) -> Option<Spanned<T>> {
    map(word.value).map(|value| Spanned {
        value,
        span: word.span,
    })
}

fn key_of(field: &Field) -> String {
    field.key.unraw().to_string()
}

fn wrong_kind(ctxt: &Ctxt, field: &Field, value: &Value, expected: &str, hint: &str) {
    let key = key_of(field);
    let message = match value {
        Value::Missing(_) => format!("`{key}` has no value: expected {expected}"),
        _ => format!("`{key}` expects {expected}, found {}", value.describe()),
    };
    let message = if hint.is_empty() {
        message
    } else {
        format!("{message}: {hint}")
    };
    ctxt.push(value.error(message));
}

/// A string literal, without a suffix.
pub(crate) fn string(ctxt: &Ctxt, field: &Field) -> Option<Spanned<String>> {
    match &field.value {
        Value::Str(lit) if !lit.suffix().is_empty() => {
            ctxt.error_spanned_by(
                lit,
                format!(
                    "`{}` expects a plain string, found the suffix `{}`: remove it, or move it \
                     inside the quotes",
                    key_of(field),
                    lit.suffix()
                ),
            );
            None
        }
        Value::Str(lit) => Some(Spanned {
            value: lit.value(),
            span: lit.span(),
        }),
        other => {
            let hint = match other {
                Value::Ident(_) | Value::Int(_) | Value::Float(_) | Value::Path(..) => {
                    "write it in double quotes"
                }
                _ => "",
            };
            wrong_kind(ctxt, field, other, "a string", hint);
            None
        }
    }
}

/// A whole number without a suffix.
pub(crate) fn whole_number(ctxt: &Ctxt, field: &Field, example: &str) -> Option<Spanned<u64>> {
    let key = key_of(field);
    match &field.value {
        Value::Int(lit) if lit.suffix().is_empty() => match lit.base10_parse::<u64>() {
            Ok(value) => Some(Spanned {
                value,
                span: lit.span(),
            }),
            Err(_) => {
                ctxt.error_spanned_by(lit, format!("`{key}` is too large"));
                None
            }
        },
        Value::Int(lit) => {
            ctxt.error_spanned_by(
                lit,
                format!(
                    "`{key}` expects a plain whole number, found the suffix `{}`: write `{example}`",
                    lit.suffix()
                ),
            );
            None
        }
        Value::Str(lit) if lit.value().parse::<u64>().is_ok() => {
            let hint = format!("write it without quotes, e.g. `{example}`");
            wrong_kind(ctxt, field, &field.value, "a whole number", &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, "a whole number", "");
            None
        }
    }
}

/// `timeout:` in seconds: a whole or decimal number (its range is a rule of the core).
pub(crate) fn timeout(ctxt: &Ctxt, field: &Field) -> Option<Spanned<Timeout>> {
    const EXPECTED: &str = "a number of seconds";
    let (seconds, span) = match &field.value {
        // Beyond `u64` seconds is beyond the rules' range too, which reports it.
        Value::Int(lit) if lit.suffix().is_empty() => {
            let secs = lit.base10_parse::<u64>().unwrap_or(u64::MAX);
            (Timeout { secs, nanos: 0 }, lit.span())
        }
        Value::Float(lit) if lit.suffix().is_empty() => {
            let seconds = lit.base10_parse::<f64>().ok().filter(|s| s.is_finite());
            match seconds.and_then(|s| std::time::Duration::try_from_secs_f64(s).ok()) {
                Some(duration) => (
                    Timeout {
                        secs: duration.as_secs(),
                        nanos: duration.subsec_nanos(),
                    },
                    lit.span(),
                ),
                None => (
                    Timeout {
                        secs: u64::MAX,
                        nanos: 0,
                    },
                    lit.span(),
                ),
            }
        }
        Value::Int(_) | Value::Float(_) => {
            ctxt.push(
                field
                    .value
                    .error("`timeout` takes plain seconds without a suffix, e.g. `timeout: 7200`"),
            );
            return None;
        }
        other => {
            wrong_kind(
                ctxt,
                field,
                other,
                EXPECTED,
                "write seconds, e.g. `timeout: 7200`",
            );
            return None;
        }
    };
    Some(Spanned {
        value: seconds,
        span,
    })
}

/// One word out of `options` (an identifier, not a string).
pub(crate) fn choice(
    ctxt: &Ctxt,
    field: &Field,
    options: &'static [&'static str],
    what: &str,
) -> Option<Spanned<&'static str>> {
    let expected = format!("one of {}", suggest::alternatives(options));
    match &field.value {
        Value::Ident(ident) => {
            let word = ident.unraw().to_string();
            if let Some(&option) = options.iter().find(|option| **option == word) {
                return Some(Spanned {
                    value: option,
                    span: ident.span(),
                });
            }
            let hint = match suggest::closest(&word, options.iter().copied()) {
                Some(found) => format!("did you mean `{found}`?"),
                None => format!("expected {expected}"),
            };
            ctxt.error_spanned_by(ident, format!("unknown {what} `{word}`: {hint}"));
            None
        }
        Value::Str(lit) if options.contains(&lit.value().as_str()) => {
            let hint = format!("write `{}` without quotes", lit.value());
            wrong_kind(ctxt, field, &field.value, &expected, &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, &expected, "");
            None
        }
    }
}

/// `runtime: local | docker`; the call form `docker("image")` gets a hint, since it reads
/// naturally but would hide the image from the other fields' rules.
pub(crate) fn runtime(ctxt: &Ctxt, field: &Field) -> Option<Spanned<Runtime>> {
    if let Value::Other(tokens) = &field.value {
        let mut tokens = tokens.clone().into_iter();
        if let (Some(TokenTree::Ident(word)), Some(TokenTree::Group(_))) =
            (tokens.next(), tokens.next())
        {
            if word == "docker" {
                ctxt.push(field.value.error(
                    "write the image as a field of its own: `runtime: docker, image: \"...\"`",
                ));
                return Some(Spanned {
                    value: Runtime::Docker,
                    span: word.span(),
                });
            }
        }
    }
    choice(ctxt, field, kw::RUNTIMES, "runtime")
        .and_then(|word| spanned_map(word, Runtime::from_word))
}

/// One identifier naming a `what` (e.g. "an agent").
pub(crate) fn single_ident(ctxt: &Ctxt, field: &Field, what: &str) -> Option<Ident> {
    match &field.value {
        Value::Ident(ident) => Some(ident.clone()),
        Value::Str(lit) => {
            let hint = format!(
                "name it by its identifier, without quotes: `{}`",
                lit.value()
            );
            wrong_kind(ctxt, field, &field.value, what, &hint);
            None
        }
        other => {
            wrong_kind(ctxt, field, other, what, "");
            None
        }
    }
}

/// `[a, b, ...]`: identifiers naming `what`s.
pub(crate) fn ident_list(ctxt: &Ctxt, field: &Field, what: &str) -> Option<Spanned<Vec<Ident>>> {
    let Value::List(list) = &field.value else {
        let hint = match &field.value {
            Value::Ident(ident) => format!("write `[{}]`", ident.unraw()),
            _ => String::new(),
        };
        wrong_kind(
            ctxt,
            field,
            &field.value,
            &format!("a list of {what}s in brackets"),
            &hint,
        );
        return None;
    };
    let mut idents = Vec::with_capacity(list.elems.len());
    for elem in &list.elems {
        match elem {
            Value::Ident(ident) => idents.push(ident.clone()),
            Value::Str(lit) => ctxt.push(elem.error(format!(
                "`{}` lists {what}s by identifier, without quotes: write `{}`",
                key_of(field),
                lit.value()
            ))),
            Value::Missing(_) => ctxt.push(elem.error("empty entry in the list")),
            other => ctxt.push(other.error(format!(
                "`{}` lists {what}s by identifier, found {}",
                key_of(field),
                other.describe()
            ))),
        }
    }
    Some(Spanned {
        value: idents,
        span: list.span,
    })
}

/// `after: [task, team.task, ...]`.
pub(crate) fn dependencies(ctxt: &Ctxt, field: &Field) -> Vec<Dependency> {
    const EXPECTED: &str = "a list of tasks in brackets";
    let elems = match &field.value {
        Value::List(list) => list.elems.as_slice(),
        single @ (Value::Ident(_) | Value::Path(..) | Value::Str(_)) => {
            let hint = match single {
                Value::Ident(task) => format!("write `[{}]`", task.unraw()),
                Value::Path(team, _, task) => {
                    format!("write `[{}.{}]`", team.unraw(), task.unraw())
                }
                _ => "put it in brackets".to_owned(),
            };
            wrong_kind(ctxt, field, single, EXPECTED, &hint);
            std::slice::from_ref(single)
        }
        other => {
            wrong_kind(
                ctxt,
                field,
                other,
                EXPECTED,
                "e.g. `after: [analyse, other_team.review]`",
            );
            return Vec::new();
        }
    };
    let mut after = Vec::with_capacity(elems.len());
    for elem in elems {
        let dependency = match elem {
            Value::Ident(task) => Dependency {
                team: None,
                target: Target::Task(task.clone()),
                tokens: task.to_token_stream(),
            },
            Value::Path(team, dot, task) => Dependency {
                team: Some(team.clone()),
                target: Target::Task(task.clone()),
                tokens: quote::quote!(#team #dot #task),
            },
            Value::Str(lit) => Dependency {
                team: None,
                target: Target::Subject(lit.clone()),
                tokens: lit.to_token_stream(),
            },
            Value::Missing(_) => {
                ctxt.push(elem.error("empty entry in the list"));
                continue;
            }
            other => {
                ctxt.push(other.error(format!(
                    "`after` lists tasks as `task` or `team.task`, found {}",
                    other.describe()
                )));
                continue;
            }
        };
        after.push(dependency);
    }
    after
}

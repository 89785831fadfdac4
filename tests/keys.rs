//! The idempotency keys match, byte for byte, the keys the Python tool produced.

use serde::Deserialize;
use telemachy::key::{is_key, make_key};

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    workflow: String,
    resource: String,
    key: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/key-vectors.json");
    let parsed: Vectors = serde_json::from_str(text).expect("tests/data/key-vectors.json parses");
    parsed.vectors
}

#[test]
fn every_python_vector_matches() {
    let vectors = vectors();
    assert!(vectors.len() >= 17, "the vector file lost entries");
    for v in &vectors {
        assert_eq!(
            make_key(&v.workflow, &v.resource),
            v.key,
            "key of workflow {:?} resource {:?}",
            v.workflow,
            v.resource
        );
    }
}

#[test]
fn every_python_key_is_recognised_as_a_key() {
    for v in vectors() {
        assert!(is_key(&v.key), "{} is a key", v.key);
    }
    assert!(!is_key("tlm-short-name"));
    assert!(!is_key("architect"));
    assert!(!is_key("tlm-239586DD8390F095-architect"));
}

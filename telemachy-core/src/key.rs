//! Idempotency keys: the server-side names that let a re-run find what an earlier run made.
//!
//! The runtime (`telemachy::key`) and the `workflow!` macro, which computes every key
//! constant while it expands, both use this module, so their keys agree by construction.

use sha2::{Digest, Sha256};

/// The prefix every Telemachy-managed resource name starts with.
pub const KEY_PREFIX: &str = "tlm-";

/// How many characters of the sanitised resource name a key keeps.
pub const KEY_NAME_MAX: usize = 40;

/// How many hex characters of the digest a key keeps.
const DIGEST_HEX_LEN: usize = 16;

/// Whether `c` may stand in a server-side name as it is: `[A-Za-z0-9_.-]`.
pub const fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The idempotency key of `resource` in `workflow`, byte-identical to the Python tool's
/// `make_key(workflow, resource)`:
///
/// `tlm-` + the first 16 hex characters of `sha256(utf8(workflow + "|" + resource))` + `-` +
/// `resource` with every character outside `[A-Za-z0-9_.-]` replaced by `-`, cut to 40
/// characters.
///
/// ```
/// assert_eq!(
///     telemachy_core::key::make_key("codebase-audit", "architect"),
///     "tlm-239586dd8390f095-architect",
/// );
/// ```
pub fn make_key(workflow: &str, resource: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(workflow.as_bytes());
    hasher.update(b"|");
    hasher.update(resource.as_bytes());
    let digest = hasher.finalize();

    let mut key = String::with_capacity(KEY_PREFIX.len() + DIGEST_HEX_LEN + 1 + KEY_NAME_MAX);
    key.push_str(KEY_PREFIX);
    for byte in digest.iter().take(DIGEST_HEX_LEN / 2) {
        key.push(hex_digit(byte >> 4));
        key.push(hex_digit(byte & 0x0f));
    }
    key.push('-');
    key.extend(
        resource
            .chars()
            .map(|c| if is_name_char(c) { c } else { '-' })
            .take(KEY_NAME_MAX),
    );
    key
}

/// Whether `name` looks like a Telemachy key (`tlm-` + 16 lower-case hex digits + `-`).
///
/// Used to recognise managed resources, for example orphans that no declared resource
/// accounts for any more.
pub fn is_key(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(KEY_PREFIX) else {
        return false;
    };
    let bytes = rest.as_bytes();
    bytes.len() > DIGEST_HEX_LEN
        && bytes[DIGEST_HEX_LEN] == b'-'
        && bytes[..DIGEST_HEX_LEN]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

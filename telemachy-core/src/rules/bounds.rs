//! The ranges of numeric settings: the timeout the executor can wait for, and the CPUs and
//! memory a docker agent may ask for.

use std::time::Duration;

use super::{Owner, Path, Report, Rule, field};
use crate::spec::Docker;

/// The longest timeout a workflow may set: 100 years, far beyond any run, and well within
/// what the executor's clock can add to the present.
pub const TIMEOUT_MAX: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// The fewest CPUs a docker agent may ask for.
pub const CPUS_MIN: u32 = 1;

/// The most CPUs a docker agent may ask for: more than any machine that runs containers has.
pub const CPUS_MAX: u32 = 4096;

/// The least memory a docker agent may ask for, in bytes: Docker's own minimum, 6 MiB
/// (`6m`); Docker refuses to start a container with less.
pub const MEMORY_MIN: u128 = 6 * MIB;

/// The most memory a docker agent may ask for, in bytes: 1 PiB (`1024t`), beyond any machine.
pub const MEMORY_MAX: u128 = 1024 * TIB;

const MIB: u128 = 1 << 20;
const TIB: u128 = 1 << 40;

/// The bytes a docker memory size stands for: a whole number, then optionally one unit of
/// `b`, `k`, `m`, `g` or `t` (powers of 1024) in either case, as Docker reads `--memory`.
/// `None` when `text` is not written so. Sizes too large for a `u128` count as `u128::MAX`.
///
/// ```
/// use telemachy_core::rules::bounds::memory_bytes;
/// assert_eq!(memory_bytes("512m"), Some(512 << 20));
/// assert_eq!(memory_bytes("4G"), Some(4 << 30));
/// assert_eq!(memory_bytes("100"), Some(100));
/// assert_eq!(memory_bytes("4gb"), None);
/// assert_eq!(memory_bytes("lots"), None);
/// ```
pub fn memory_bytes(text: &str) -> Option<u128> {
    let digits = text.trim_end_matches(|c: char| "bkmgtBKMGT".contains(c));
    let unit = &text[digits.len()..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale: u128 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1 << 10,
        "m" => MIB,
        "g" => 1 << 30,
        "t" => TIB,
        _ => return None,
    };
    let number = digits.bytes().try_fold(0u128, |number, digit| {
        number
            .checked_mul(10)
            .and_then(|n| n.checked_add(u128::from(digit - b'0')))
    });
    Some(number.map_or(u128::MAX, |n| n.saturating_mul(scale)))
}

/// The timeout: above 0, at most [`TIMEOUT_MAX`].
pub(super) fn check_timeout(report: &mut Report, timeout: Option<Duration>) {
    let Some(timeout) = timeout else {
        return;
    };
    let path = Path::root().field(field::TIMEOUT);
    if timeout.is_zero() {
        report.push(
            Rule::TimeoutOutOfRange,
            path,
            "a `timeout` of 0 would stop every run at once",
            "give a number of seconds above 0, or leave `timeout` out to wait as long as it \
             takes",
        );
    } else if timeout > TIMEOUT_MAX {
        report.push(
            Rule::TimeoutOutOfRange,
            path,
            "`timeout` is out of range",
            format!(
                "give more than 0 and at most {} seconds (100 years), or leave `timeout` out \
                 to wait as long as it takes",
                TIMEOUT_MAX.as_secs()
            ),
        );
    }
}

/// A docker agent's CPUs and memory (`agent` is the agent's path).
pub(super) fn check_docker(report: &mut Report, docker: &Docker, agent: &Path, owner: Owner) {
    if !(CPUS_MIN..=CPUS_MAX).contains(&docker.cpus) {
        report.push(
            Rule::CpusOutOfRange,
            agent.clone().field(field::CPUS),
            format!("`cpus` of {owner} is out of range"),
            format!("give a whole number from {CPUS_MIN} to {CPUS_MAX}"),
        );
    }
    let memory = &docker.memory;
    let path = agent.clone().field(field::MEMORY);
    match memory_bytes(memory) {
        None => report.push(
            Rule::MemoryNotASize,
            path,
            format!("`{memory}` is not a memory size"),
            "write a whole number with an optional unit `b`, `k`, `m`, `g` or `t`, from 6m \
             (Docker's minimum) to 1024t, e.g. \"512m\" or \"4g\"",
        ),
        Some(bytes) if !(MEMORY_MIN..=MEMORY_MAX).contains(&bytes) => report.push(
            Rule::MemoryOutOfRange,
            path,
            format!("`memory` of {owner} is out of range"),
            format!("give a size from 6m (Docker's minimum) to 1024t, not `{memory}`"),
        ),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        for (size, bytes) in [
            ("1", 1),
            ("10b", 10),
            ("512m", 512 * MIB),
            ("512M", 512 * MIB),
            ("1024k", MIB),
            ("2t", 2 * TIB),
            ("0g", 0),
        ] {
            assert_eq!(memory_bytes(size), Some(bytes), "{size}");
        }
        for not in [
            "", "g", "4gb", "4.5g", "-1g", "4 g", "four", "4x", "g4", "4mb",
        ] {
            assert_eq!(memory_bytes(not), None, "{not:?} is not a size");
        }
    }

    #[test]
    fn sizes_beyond_any_number_saturate() {
        assert_eq!(
            memory_bytes("99999999999999999999t"),
            Some(99999999999999999999 * TIB)
        );
        assert_eq!(memory_bytes(&"9".repeat(60)), Some(u128::MAX));
        assert_eq!(
            memory_bytes(&format!("{}t", "9".repeat(38))),
            Some(u128::MAX)
        );
    }

    #[test]
    fn the_bounds_are_the_documented_sizes() {
        assert_eq!(memory_bytes("6m"), Some(MEMORY_MIN));
        assert_eq!(memory_bytes("1024t"), Some(MEMORY_MAX));
        assert_eq!(TIMEOUT_MAX.as_secs(), 3_153_600_000);
    }
}

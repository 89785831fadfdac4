//! "Did you mean": the closest known name to a misspelt one, or, with none close enough,
//! the list of known names. The `workflow!` macro, the workflow-file loader and the rules
//! ([`crate::rules`]) all phrase their hints with these functions, so every front end
//! suggests the same thing for the same mistake.

/// Field names of the Python tool's workflow files (and other likely guesses) that the
/// `workflow!` language and the file form of the model spell differently, with the name to
/// write instead: an unknown field that is one of these gets "did you mean" its
/// counterpart, however far apart the spellings are.
pub const FIELD_ALIASES: &[(&str, &str)] = &[
    ("assign_to", "assignee"),
    ("assigned_to", "assignee"),
    ("agent", "assignee"),
    ("blocked_by", "after"),
    ("depends_on", "after"),
    ("dependencies", "after"),
    ("docker_image", "image"),
    ("agents", "members"),
    ("timeout_seconds", "timeout"),
    ("working_directory", "working_dir"),
    ("workdir", "working_dir"),
    ("kind", "type"),
    ("task_type", "type"),
];

/// How many known names a hint lists before it says "and N more".
const LIST_MAX: usize = 8;

/// The candidate closest to `word`, if one is close enough to be a likely misspelling:
/// the same up to case, `_` and `-`, or within an edit distance of a third of the word's
/// length (at least 1). Ties go to the earliest candidate.
///
/// ```
/// use telemachy_core::suggest::closest;
/// assert_eq!(closest("implementor", ["architect", "implementer"]), Some("implementer"));
/// assert_eq!(closest("zebra", ["architect", "implementer"]), None);
/// ```
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = fold(word);
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let distance = if fold(candidate) == folded {
            0
        } else {
            match bounded_distance(word, candidate, limit) {
                Some(distance) => distance,
                None => continue,
            }
        };
        if best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// A hint for an unknown `word` among `candidates` (a `what`, e.g. "agent"):
/// "did you mean `x`?", else "the agents are `a`, `b`", else "no agent is declared".
///
/// ```
/// use telemachy_core::suggest::hint;
/// assert_eq!(hint("archtect", "agent", ["architect"]), "did you mean `architect`?");
/// assert_eq!(hint("zebra", "agent", ["a", "b"]), "the agents are `a` and `b`");
/// ```
pub fn hint<'a, I>(word: &str, what: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let candidates = candidates.into_iter();
    match closest(word, candidates.clone()) {
        Some(found) => format!("did you mean `{found}`?"),
        None => known(what, candidates),
    }
}

/// "the agents are `a`, `b` and `c`", or "no agent is declared" when there are none.
pub fn known<'a, I>(what: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    let names: Vec<&str> = candidates.into_iter().collect();
    match names.len() {
        0 => format!("no {what} is declared"),
        1 => format!("the only {what} is `{}`", names[0]),
        n => format!("the {what}s are {}", listing(&names, n, "and")),
    }
}

/// "`a`, `b` or `c`" (at most 8 names, then "and N more").
pub fn alternatives(names: &[&str]) -> String {
    listing(names, names.len(), "or")
}

/// The names quoted and joined, the last two by `conjunction`; past [`LIST_MAX`] names,
/// "and N more".
fn listing(names: &[&str], total: usize, conjunction: &str) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(LIST_MAX)
        .map(|name| format!("`{name}`"))
        .collect();
    match (shown.split_last(), total > LIST_MAX) {
        (None, _) => String::new(),
        (Some((last, [])), false) => last.clone(),
        (Some((last, rest)), false) => format!("{} {conjunction} {last}", rest.join(", ")),
        (Some(_), true) => format!("{} and {} more", shown.join(", "), total - LIST_MAX),
    }
}

/// `word` with case, `_` and `-` folded away: `Scout-Alpha` and `scout_alpha` match.
fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The edit distance between `a` and `b` (insertions, deletions, substitutions and swaps
/// of two neighbours, each counting 1: "optimal string alignment") if it is at most
/// `limit`; abandoned as soon as it must exceed `limit`.
fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Three rows of the classic table: two rows back (for swaps), the last, the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (last[j] + 1)
                .min(current[j - 1] + 1)
                .min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
            row_min = row_min.min(best);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut current);
    }
    Some(last[b.len()]).filter(|&distance| distance <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_single_typo() {
        let agents = ["architect", "implementer"];
        assert_eq!(closest("implementor", agents), Some("implementer"));
        assert_eq!(closest("architec", agents), Some("architect"));
    }

    #[test]
    fn folds_case_and_separators() {
        assert_eq!(closest("Scout_Alpha", ["scout_alpha"]), Some("scout_alpha"));
        assert_eq!(closest("workingdir", ["working_dir"]), Some("working_dir"));
    }

    #[test]
    fn prefers_the_nearest_then_the_first() {
        assert_eq!(closest("tasc", ["task", "team"]), Some("task"));
        assert_eq!(closest("ab", ["ax", "ay"]), Some("ax"));
    }

    #[test]
    fn nothing_close_is_nothing() {
        assert_eq!(closest("zebra", ["architect", "implementer"]), None);
        assert_eq!(closest("x", std::iter::empty()), None);
    }

    #[test]
    fn an_exact_match_is_not_a_suggestion() {
        assert_eq!(closest("model", ["model"]), None);
    }

    #[test]
    fn hints_list_known_names_when_nothing_is_close() {
        assert_eq!(
            hint("zebra", "agent", ["architect", "implementer"]),
            "the agents are `architect` and `implementer`"
        );
        assert_eq!(hint("zebra", "agent", ["solo"]), "the only agent is `solo`");
        assert_eq!(hint("zebra", "agent", []), "no agent is declared");
        assert_eq!(
            hint("implementor", "agent", ["implementer"]),
            "did you mean `implementer`?"
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];
        assert_eq!(
            alternatives(&names),
            "`a1`, `a2`, `a3`, `a4`, `a5`, `a6`, `a7`, `a8` and 2 more"
        );
        assert_eq!(alternatives(&["x", "y", "z"]), "`x`, `y` or `z`");
    }

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(bounded_distance("modle", "model", 1), Some(1));
        assert_eq!(closest("agnet", ["agent", "team"]), Some("agent"));
        assert_eq!(closest("dokcer", ["local", "docker"]), Some("docker"));
    }

    #[test]
    fn distance_is_bounded() {
        assert_eq!(bounded_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(bounded_distance("kitten", "sitting", 2), None);
        assert_eq!(bounded_distance("", "ab", 2), Some(2));
    }
}

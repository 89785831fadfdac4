//! What a create with a lost answer may adopt: only what that create could have made.

use crate::timestamp::by_age;

/// The newest of `items` (by parsed `createdAt`, then id) that `made_by_it` accepts and
/// whose id is not in `preexisting`.
///
/// `preexisting` holds the ids that were there before the create was sent (the caller's
/// snapshot): none of them can be what the create made, even one stamped in the same
/// second. Timestamps are compared parsed, not as text: `…:05Z` is older than `…:05.5Z`.
pub(crate) fn newest_made<T>(
    items: Vec<T>,
    preexisting: &[String],
    made_by_it: impl Fn(&T) -> bool,
    stamp: impl Fn(&T) -> (&str, &str),
) -> Option<T> {
    items
        .into_iter()
        .filter(|item| made_by_it(item) && !preexisting.iter().any(|id| id == stamp(item).1))
        .max_by(|a, b| by_age(stamp(a), stamp(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Item = (&'static str, &'static str, &'static str);

    fn stamp(item: &Item) -> (&str, &str) {
        (item.1, item.0)
    }

    #[test]
    fn the_newest_new_one_by_parsed_time_then_id() {
        let items = vec![
            ("a", "2026-01-01T00:00:05.500Z", "x"),
            ("b", "2026-01-01T00:00:05Z", "x"),
            ("c", "2026-01-01T00:00:09Z", "other"),
        ];
        // As text, `…:05Z` sorts after `…:05.500Z`.
        let newest = newest_made(items.clone(), &[], |item| item.2 == "x", stamp);
        assert_eq!(newest.map(|item| item.0), Some("a"));

        let newest = newest_made(
            items.clone(),
            &["a".to_owned()],
            |item| item.2 == "x",
            stamp,
        );
        assert_eq!(newest.map(|item| item.0), Some("b"));

        let both = ["a".to_owned(), "b".to_owned()];
        assert_eq!(newest_made(items, &both, |item| item.2 == "x", stamp), None);

        let same_second = vec![
            ("p", "2026-01-01T00:00:05Z", "x"),
            ("q", "2026-01-01T00:00:05Z", "x"),
        ];
        let newest = newest_made(same_second.clone(), &[], |_| true, stamp);
        assert_eq!(newest.map(|item| item.0), Some("q"));
        // A pre-existing one stamped in the same second is never taken for the new one.
        let newest = newest_made(same_second, &["q".to_owned()], |_| true, stamp);
        assert_eq!(newest.map(|item| item.0), Some("p"));
    }
}

//! Reading every page of a list.

use std::collections::HashSet;

use serde::de::DeserializeOwned;

use super::error::Error;
use super::http::{Call, Transport};
use crate::api;

/// The page size asked for: the most the real server gives.
pub(crate) const PAGE_LIMIT: u64 = 1000;
/// The most pages read for one list (a million items at full pages).
pub(crate) const MAX_PAGES: usize = 1000;
/// The most items one list may hold, across all its pages.
pub const MAX_LIST_ITEMS: usize = 100_000;
/// The most bytes of answers one list may read, across all its pages.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// An item of a list, identified by its server id.
pub(crate) trait Listed {
    fn id(&self) -> &str;
}

impl Listed for api::Agent {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for api::Team {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for api::Task {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Transport {
    /// Every item of the list at `segments`: pages of [`PAGE_LIMIT`] by `offset`, until a
    /// short page or the server's `total`; an id seen on an earlier page is not repeated.
    ///
    /// Bounded: a server whose pages repeat themselves is read until a page brings nothing
    /// new (an error when its `total` says more exist), at most [`MAX_PAGES`] are read, and
    /// a list past [`MAX_LIST_ITEMS`] items or [`MAX_LIST_BYTES`] bytes of answers is an
    /// [`Error::ListTooLarge`]: what one list holds in memory has a bound.
    pub(crate) async fn list_all<T: DeserializeOwned + Listed>(
        &self,
        segments: &[&str],
        expected: &str,
    ) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut offset: u64 = 0;
        let mut path = String::new();
        let mut bytes = 0usize;
        for _ in 0..MAX_PAGES {
            let call = Call::get(segments)
                .query("limit", PAGE_LIMIT)
                .query("offset", offset);
            path = call.path().to_owned();
            let body = self.execute(&call).await?;
            bytes = bytes.saturating_add(body.len());
            if bytes > MAX_LIST_BYTES {
                return Err(too_large(path, format!("{MAX_LIST_BYTES} bytes")));
            }
            let page: api::Page<T> = self.decode(&call, &body, expected)?;
            drop(body);
            let received = page.items.len() as u64;
            let mut fresh = 0usize;
            for item in page.items {
                if seen.insert(item.id().to_owned()) {
                    items.push(item);
                    fresh += 1;
                }
            }
            if items.len() > MAX_LIST_ITEMS {
                return Err(too_large(path, format!("{MAX_LIST_ITEMS} items")));
            }
            let page_size = page.limit.filter(|limit| *limit > 0).unwrap_or(PAGE_LIMIT);
            tracing::debug!(offset, received, fresh, total = page.total, "list page");

            if received == 0 {
                return Ok(items);
            }
            if let Some(total) = page.total {
                if offset + received >= total || items.len() as u64 >= total {
                    return Ok(items);
                }
                if fresh == 0 {
                    return Err(Error::Pagination {
                        path,
                        reason: format!(
                            "the page at offset {offset} repeats earlier items while `total` \
                             says {total} exist and {} were seen",
                            items.len()
                        ),
                    });
                }
            } else if received != page_size || fresh == 0 {
                // A short page ends the list; a page larger than asked for, or one with
                // nothing new, means the server ignores `limit` or `offset` and has already
                // sent all it will.
                return Ok(items);
            }
            offset += received;
        }
        Err(Error::Pagination {
            path,
            reason: format!("it still returned full pages of new items after {MAX_PAGES} pages"),
        })
    }
}

fn too_large(path: String, limit: String) -> Error {
    Error::ListTooLarge { path, limit }
}

//! Reading requests the way the real server does: JSON bodies and list pagination.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::ApiError;

/// A JSON object body read into `T`. An empty body counts as `{}` (every body in the
/// contract is optional); anything that is not a JSON object of the right types is a
/// `400 {"error":"invalid JSON: ..."}`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                let response = rejection.into_response();
                let status = response.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(status, "request body too large")
                } else {
                    ApiError::new(status, "could not read the request body")
                }
            })?;
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(&bytes).map_err(ApiError::invalid_json)?
        };
        if !value.is_object() {
            return Err(ApiError::invalid_json("the body must be a JSON object"));
        }
        serde_json::from_value(value)
            .map(JsonBody)
            .map_err(ApiError::invalid_json)
    }
}

/// The default page size.
const DEFAULT_LIMIT: u64 = 100;
/// The largest page; larger limits are clamped to it.
const MAX_LIMIT: u64 = 1000;

/// `?limit=&offset=` of a list: limit 1..=1000 (default 100), offset 0 and up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    limit: u64,
    offset: u64,
}

impl Paging {
    /// Reads the query; a value that is not an integer is a 400, one out of range is clamped.
    pub(crate) fn from_query(query: &HashMap<String, String>) -> Result<Paging, ApiError> {
        let limit = match query.get("limit") {
            Some(text) => integer("limit", text)?.clamp(1, MAX_LIMIT as i64) as u64,
            None => DEFAULT_LIMIT,
        };
        let offset = match query.get("offset") {
            Some(text) => integer("offset", text)?.max(0) as u64,
            None => 0,
        };
        Ok(Paging { limit, offset })
    }

    /// The list envelope of one page: `{"<key>": [...], "total", "limit", "offset"}`.
    ///
    /// Every item is counted for `total`, but only those on the page are turned into JSON.
    pub(crate) fn envelope<T>(
        self,
        key: &str,
        items: impl Iterator<Item = T>,
        to_json: impl Fn(T) -> Value,
    ) -> Value {
        let mut total = 0u64;
        let mut page = Vec::new();
        for item in items {
            if total >= self.offset && total < self.offset.saturating_add(self.limit) {
                page.push(to_json(item));
            }
            total += 1;
        }
        json!({ key: page, "total": total, "limit": self.limit, "offset": self.offset })
    }
}

/// Reads `?limit=`/`?offset=`, answering the 400 the real server gives for bad values.
pub(crate) fn paging(
    query: Result<Query<HashMap<String, String>>, impl std::fmt::Display>,
) -> Result<Paging, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("invalid query: {e}")))?;
    Paging::from_query(&query)
}

fn integer(name: &str, text: &str) -> Result<i64, ApiError> {
    text.trim().parse::<i64>().map_err(|_| {
        ApiError::bad_request(format!(
            "invalid `{name}`: expected an integer, got `{text}`"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_clamping_and_errors() {
        let paging = Paging::from_query(&query(&[])).expect("valid");
        assert_eq!(
            paging,
            Paging {
                limit: 100,
                offset: 0
            }
        );
        let paging =
            Paging::from_query(&query(&[("limit", "5000"), ("offset", "-3")])).expect("valid");
        assert_eq!(
            paging,
            Paging {
                limit: 1000,
                offset: 0
            }
        );
        let paging = Paging::from_query(&query(&[("limit", "0")])).expect("valid");
        assert_eq!(paging.limit, 1);
        assert!(Paging::from_query(&query(&[("limit", "abc")])).is_err());
        assert!(Paging::from_query(&query(&[("offset", "1.5")])).is_err());
    }

    #[test]
    fn envelope_counts_everything_and_pages() {
        let paging = Paging {
            limit: 2,
            offset: 1,
        };
        let page = paging.envelope("agents", 0..5, Value::from);
        assert_eq!(
            page,
            json!({"agents": [1, 2], "total": 5, "limit": 2, "offset": 1})
        );
    }

    #[test]
    fn envelope_converts_only_the_page() {
        let paging = Paging {
            limit: 3,
            offset: 10,
        };
        let converted = std::cell::Cell::new(0);
        let page = paging.envelope("tasks", 0..1000, |n| {
            converted.set(converted.get() + 1);
            Value::from(n)
        });
        assert_eq!(page["total"], 1000);
        assert_eq!(page["tasks"], json!([10, 11, 12]));
        assert_eq!(converted.get(), 3);
    }
}

//! What can go wrong talking to Agamemnon, and what can go wrong configuring the client.
//!
//! Neither type ever holds the API key: server text that ends up in an error is scrubbed of
//! it first, and URLs are shown without their user info.

use std::path::PathBuf;
use std::time::Duration;

/// A request to Agamemnon that did not give the expected answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status other than 401, 403 or 404.
    #[error("`{method} {path}` failed: the server answered {status}: {message}")]
    Status {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The `error` field of the body, or a short excerpt of the body when it has none.
        message: String,
    },
    /// The server refused the request's credentials (401 or 403).
    #[error(
        "`{method} {path}` was refused with {status} ({message}): set `AGAMEMNON_API_KEY` \
         to the key the server was started with"
    )]
    Unauthorized {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// 401 or 403.
        status: u16,
        /// The `error` field of the body, or a short excerpt of the body when it has none.
        message: String,
    },
    /// The server does not know the resource (404).
    #[error("`{method} {path}` found nothing: {message}")]
    NotFound {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The `error` field of the body, or a short excerpt of the body when it has none.
        message: String,
    },
    /// The answer does not match Agamemnon's contract.
    #[error(
        "`{method} {path}` answered something that is not {expected}: `{excerpt}`; \
         is `AGAMEMNON_URL` an Agamemnon server of a compatible version?"
    )]
    Contract {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// What the contract promises, in words.
        expected: String,
        /// The start of what came instead (truncated).
        excerpt: String,
        /// Why the answer could not be decoded, when a decoder said so.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The server could not be reached, or the connection broke.
    #[error(
        "`{method} {path}`: the connection to the server failed; check that `AGAMEMNON_URL` \
         points at a running Agamemnon server"
    )]
    Transport {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// What the HTTP stack reported (without the URL).
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer came within the request timeout.
    #[error(
        "`{method} {path}` got no answer within {after:?}; raise `AGAMEMNON_TIMEOUT` \
         if the server is slow"
    )]
    Timeout {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The timeout that passed.
        after: Duration,
    },
    /// The answer's body is larger than the client accepts.
    #[error("`{method} {path}` answered a body larger than {limit} bytes; refusing to read it")]
    BodyTooLarge {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The most the client reads.
        limit: usize,
    },
    /// A list's pages do not add up (they repeat, or never end).
    #[error(
        "`GET {path}` cannot be listed completely: {reason}; the server's pagination is broken"
    )]
    Pagination {
        /// The list's path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A list holds more than the client reads into memory (see
    /// [`MAX_LIST_ITEMS`](crate::client::MAX_LIST_ITEMS) and
    /// [`MAX_LIST_BYTES`](crate::client::MAX_LIST_BYTES)).
    #[error(
        "`GET {path}` holds more than {limit} across its pages; refusing to read further \
         (is `AGAMEMNON_URL` the right server? remove what is no longer needed)"
    )]
    ListTooLarge {
        /// The list's path.
        path: String,
        /// The bound it passed, e.g. `100000 items`.
        limit: String,
    },
    /// A request body could not be encoded as JSON.
    #[error("cannot encode the body of `{method} {path}` as JSON")]
    Encode {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// What the encoder reported.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The HTTP status, if the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::Unauthorized { status, .. } => Some(*status),
            Error::NotFound { .. } => Some(404),
            _ => None,
        }
    }

    /// The `error` field of the server's answer, if it answered with an error status.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            Error::Status { message, .. }
            | Error::Unauthorized { message, .. }
            | Error::NotFound { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether the server said the resource does not exist (404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}

/// A configuration the client cannot work with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The server URL is not a usable `http://` or `https://` URL.
    #[error(
        "`{url}` is not a usable Agamemnon URL: {reason}; set `AGAMEMNON_URL` to e.g. `http://localhost:8080`"
    )]
    InvalidUrl {
        /// The URL as given, without any user info.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `REQUIRE_TLS` is on but the URL is plain `http://`.
    #[error(
        "`REQUIRE_TLS` is set but `{url}` is plain http; use an `https://` URL or unset `REQUIRE_TLS`"
    )]
    InsecureUrl {
        /// The URL as given, without any user info.
        url: String,
    },
    /// The extra CA certificate file could not be read.
    #[error("cannot read the CA certificate file `{path}` (`AGAMEMNON_CA_FILE`)")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The extra CA certificate file holds no usable PEM certificate.
    #[error("`{path}` (`AGAMEMNON_CA_FILE`) holds no PEM certificate the client can use: {reason}")]
    CaCertificate {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An environment variable has a value the client does not accept.
    #[error("`{var}` is `{value}`, but it must be {expected}")]
    EnvValue {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// The API key cannot be sent in an HTTP header.
    #[error(
        "the API key contains characters that cannot be sent in an HTTP header; check `AGAMEMNON_API_KEY`"
    )]
    InvalidApiKey,
    /// The HTTP stack could not be set up.
    #[error("cannot set up the HTTP client")]
    Http {
        /// What the HTTP stack reported.
        #[source]
        source: reqwest::Error,
    },
}

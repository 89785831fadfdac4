//! The client's configuration: a builder for library use, or the environment.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;

use super::error::ConfigError;
use crate::python_env;

/// The server used when `AGAMEMNON_URL` is not set.
pub const DEFAULT_URL: &str = "http://localhost:8080";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RETRIES: u32 = 5;
const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(250);
const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(10);

/// The range of `AGAMEMNON_TIMEOUT` and [`Config::timeout`], in seconds: shorter than 0.1 s
/// no answer arrives, longer than an hour is a hang.
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<f64> = 0.1..=3600.0;
/// The range of `AGAMEMNON_MAX_RETRIES` and [`Config::max_retries`]: with the backoff's
/// 10 s cap, 20 retries give up within about three and a half minutes of waiting.
pub const MAX_RETRIES_RANGE: std::ops::RangeInclusive<u32> = 0..=20;
/// The range of `AGAMEMNON_RATE_LIMIT` and [`Config::rate_limit`] when pacing is on, in
/// requests per second (`0` turns pacing off): slower than one request in ten seconds
/// looks like a hang.
pub const RATE_RANGE: std::ops::RangeInclusive<f64> = 0.1..=10_000.0;
/// The range of `AGAMEMNON_RATE_BURST` and the burst of [`Config::rate_limit`].
pub const BURST_RANGE: std::ops::RangeInclusive<u32> = 1..=10_000;

/// How to reach Agamemnon and how patient to be with it.
///
/// Build one with [`Config::new`] and the builder methods, or read it from the environment
/// with [`Config::from_env`]. The API key never shows in `Debug` output.
#[derive(Clone)]
pub struct Config {
    pub(crate) url: Url,
    pub(crate) url_text: String,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) rate: Option<Rate>,
    pub(crate) require_tls: bool,
    pub(crate) ca_file: Option<PathBuf>,
}

/// Client-side pacing: a token bucket of `burst` tokens refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rate {
    pub(crate) per_second: f64,
    pub(crate) burst: u32,
}

/// The API key; its `Debug` output is redacted and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("url", &self.url_text)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .field("rate", &self.rate)
            .field("require_tls", &self.require_tls)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `AGAMEMNON_URL` | the server | `http://localhost:8080` |
    /// | `AGAMEMNON_API_KEY` | sent as `Authorization: Bearer <key>` | none |
    /// | `AGAMEMNON_TIMEOUT` | per-request timeout, seconds (0.1 to 3600) | 30 |
    /// | `AGAMEMNON_MAX_RETRIES` | retries after the first attempt (0 to 20) | 5 |
    /// | `AGAMEMNON_RATE_LIMIT` | client-side pacing, requests per second (0.1 to 10000; 0 = learned from the server's 429s) | learned |
    /// | `AGAMEMNON_RATE_BURST` | requests allowed at once before pacing starts (1 to 10000) | the rate, rounded up |
    /// | `AGAMEMNON_CA_FILE` | a PEM certificate to trust besides the usual roots | none |
    /// | `REQUIRE_TLS` | `1`/`true`: refuse a plain `http://` URL | off |
    ///
    /// Empty variables count as unset; a value outside its range is an error that names the
    /// variable and the range.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|var| std::env::var(var).ok())
    }

    /// Reads the configuration through `lookup`, which answers a variable's value the way
    /// [`std::env::var`] would; [`Config::from_env`] is this with the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |var: &str| lookup(var).filter(|value| !value.trim().is_empty());

        let url = get("AGAMEMNON_URL").unwrap_or_else(|| DEFAULT_URL.to_owned());
        let mut config = Config::new(url.trim())?;
        // Surrounding whitespace (a key read from a file ends with a newline) is no part of it.
        if let Some(key) = get("AGAMEMNON_API_KEY") {
            config = config.api_key(key.trim());
        }
        if let Some(value) = get("AGAMEMNON_TIMEOUT") {
            let seconds = parse_seconds("AGAMEMNON_TIMEOUT", &value)?;
            config = config.timeout(seconds);
        }
        if let Some(value) = get("AGAMEMNON_MAX_RETRIES") {
            let retries = value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|retries| MAX_RETRIES_RANGE.contains(retries))
                .ok_or_else(|| {
                    env_error(
                        "AGAMEMNON_MAX_RETRIES",
                        &value,
                        "a whole number from 0 to 20",
                    )
                })?;
            config = config.max_retries(retries);
        }
        // The Python tool's names for these two are read too (with a warning).
        let rate = match python_env::read(&lookup, "AGAMEMNON_RATE_LIMIT") {
            Some((value, var)) => parse_rate(var, &value)?,
            None => 0.0,
        };
        let burst = match python_env::read(&lookup, "AGAMEMNON_RATE_BURST") {
            Some((value, var)) => Some(
                value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|burst| BURST_RANGE.contains(burst))
                    .ok_or_else(|| env_error(var, &value, "a whole number from 1 to 10000"))?,
            ),
            None => None,
        };
        if rate > 0.0 {
            config = config.rate_limit(rate, burst.unwrap_or_else(|| default_burst(rate)));
        }
        if let Some(path) = get("AGAMEMNON_CA_FILE") {
            config = config.ca_file(path);
        }
        if let Some(value) = get("REQUIRE_TLS") {
            config = config.require_tls(parse_flag("REQUIRE_TLS", &value)?);
        }
        python_env::warn_without_counterpart(&lookup);
        Ok(config)
    }

    /// A configuration for the server at `base_url` with default settings.
    ///
    /// The URL must be `http://` or `https://`, with a host and without user info, query or
    /// fragment; a path is kept as a prefix for every request.
    pub fn new(base_url: &str) -> Result<Config, ConfigError> {
        let url = parse_url(base_url)?;
        let url_text = url.as_str().trim_end_matches('/').to_owned();
        Ok(Config {
            url,
            url_text,
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            backoff_base: DEFAULT_BACKOFF_BASE,
            backoff_max: DEFAULT_BACKOFF_MAX,
            rate: None,
            require_tls: false,
            ca_file: None,
        })
    }

    /// Sends `key` as `Authorization: Bearer <key>` with every request.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey(key.into()));
        self
    }

    /// How long one attempt of a request may take, answer body included (default 30 s;
    /// kept within [`TIMEOUT_RANGE`]).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t.clamp(
            Duration::from_secs_f64(*TIMEOUT_RANGE.start()),
            Duration::from_secs_f64(*TIMEOUT_RANGE.end()),
        );
        self
    }

    /// How many times a failed request is retried when retrying is safe (default 5; at
    /// most 20, see [`MAX_RETRIES_RANGE`]).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n.min(*MAX_RETRIES_RANGE.end());
        self
    }

    /// The first retry waits about `base`, each later one twice as long, never more than
    /// `max` (defaults 250 ms and 10 s); every wait is jittered.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// Paces requests to at most `per_second` on average, allowing `burst` at once; all
    /// clones of a [`Client`](super::Client) share one budget. `per_second <= 0` leaves the
    /// client to learn the server's rate from its `429`s (the default); otherwise it is kept
    /// within [`RATE_RANGE`] and `burst` within [`BURST_RANGE`].
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate = (per_second.is_finite() && per_second > 0.0).then(|| Rate {
            per_second: per_second.clamp(*RATE_RANGE.start(), *RATE_RANGE.end()),
            burst: burst.clamp(*BURST_RANGE.start(), *BURST_RANGE.end()),
        });
        self
    }

    /// Refuses to talk to a plain `http://` URL ([`Client::new`](super::Client::new) fails).
    pub fn require_tls(mut self, yes: bool) -> Self {
        self.require_tls = yes;
        self
    }

    /// Trusts the PEM certificate(s) in `path` besides the usual roots, e.g. for a server
    /// with a self-signed certificate. The file is read by [`Client::new`](super::Client::new).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// The server's URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.url_text
    }

    /// Whether an API key is set.
    pub(crate) fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }
}

fn parse_url(text: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        url: without_user_info(text),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be `http` or `https`"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "it must not carry credentials; put the key in `AGAMEMNON_API_KEY`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

/// `text` with anything that looks like user info (`user:password@`) removed.
pub(crate) fn without_user_info(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return if text.contains('@') {
            "<url with user info>".to_owned()
        } else {
            text.to_owned()
        };
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => text.to_owned(),
    }
}

fn env_error(var: &'static str, value: &str, expected: &'static str) -> ConfigError {
    ConfigError::EnvValue {
        var,
        value: value.to_owned(),
        expected,
    }
}

fn parse_seconds(var: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| TIMEOUT_RANGE.contains(seconds))
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| {
            env_error(
                var,
                value,
                "a number of seconds from 0.1 to 3600, e.g. `30` or `2.5`",
            )
        })
}

fn parse_rate(var: &'static str, value: &str) -> Result<f64, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|rate| *rate == 0.0 || RATE_RANGE.contains(rate))
        .ok_or_else(|| {
            env_error(
                var,
                value,
                "a number of requests per second from 0.1 to 10000, or 0 (pacing off)",
            )
        })
}

fn default_burst(rate: f64) -> u32 {
    // A rate within `RATE_RANGE`, so the burst is within `BURST_RANGE`.
    (rate.ceil() as u32).clamp(*BURST_RANGE.start(), *BURST_RANGE.end())
}

fn parse_flag(var: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(env_error(
            var,
            value,
            "`1`, `true`, `yes`, `on`, `0`, `false`, `no` or `off`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_removed_from_shown_urls() {
        assert_eq!(
            without_user_info("http://u:secret@host:1/x"),
            "http://host:1/x"
        );
        assert_eq!(without_user_info("http://host/a@b"), "http://host/a@b");
        assert_eq!(without_user_info("u:secret@host"), "<url with user info>");
    }

    #[test]
    fn default_burst_rounds_the_rate_up() {
        assert_eq!(default_burst(0.5), 1);
        assert_eq!(default_burst(2.1), 3);
    }
}

//! The HTTP server: accepts loopback connections and serves the routes over HTTP/1.1.
//!
//! A hand-rolled accept loop on hyper instead of `axum::serve`, for two reasons: each
//! request learns its client address (for the per-client rate limit), and a response
//! marked [`DropConnection`] is never sent: the service fails instead, and hyper closes the
//! connection, so the client sees a dropped connection rather than an error status.
//!
//! Each request is handled on a task of its own, to the end, even when its client goes
//! away first (a timeout, a closed connection): like the real server, a slow create is
//! still applied after the client has given up on it, which is what makes a client's
//! blind retry create a duplicate.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::faults::DropConnection;
use super::gauge::Gauge;
use super::slots::{IDLE_CLOSE, Slots};

/// How long open connections get to finish their request once the server stops.
const DRAIN: Duration = Duration::from_secs(1);

/// The errors that make hyper close a connection without answering.
#[derive(Debug)]
enum Unanswered {
    /// Fault injection dropped the response.
    Dropped,
    /// The task handling the request ended without a response (it panicked, or the
    /// runtime is shutting down).
    Abandoned,
}

impl fmt::Display for Unanswered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unanswered::Dropped => "response dropped by fault injection",
            Unanswered::Abandoned => "request handler ended without a response",
        })
    }
}

impl std::error::Error for Unanswered {}

/// Serves `router` on `listener`, each connection once it has one of the `slots`, until `stop` changes (or its sender goes away), then lets
/// open connections finish their request for a moment and closes them.
pub(crate) fn spawn(
    listener: TcpListener,
    router: Router,
    slots: Arc<Slots>,
    connections: Arc<Gauge>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut serving = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    // A failed accept (e.g. out of file descriptors) concerns one client only.
                    if let Ok((stream, peer)) = accepted {
                        let mut stop = stop.clone();
                        let router = router.clone();
                        let slots = Arc::clone(&slots);
                        let connections = Arc::clone(&connections);
                        serving.spawn(async move {
                            let slot = tokio::select! {
                                slot = slots.take() => slot,
                                _ = stop.changed() => return,
                            };
                            let open = connections.enter();
                            serve_connection(stream, peer, router, slots.limited(), stop).await;
                            drop(open);
                            drop(slot);
                        });
                    }
                    while serving.try_join_next().is_some() {}
                }
                _ = stop.changed() => break,
            }
        }
        drop(listener);
        let drained = tokio::time::timeout(DRAIN, async {
            while serving.join_next().await.is_some() {}
        });
        if drained.await.is_err() {
            serving.shutdown().await;
        }
    })
}

/// Serves one connection until it closes or the server stops.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    close_idle: bool,
    mut stop: watch::Receiver<bool>,
) {
    let inner = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        // Spawned, so that a client going away does not cancel the handling half-way.
        let answer = tokio::spawn(inner.call(request));
        async move {
            let response: Response = match answer.await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => return Err(Unanswered::Abandoned),
            };
            if response.extensions().get::<DropConnection>().is_some() {
                Err(Unanswered::Dropped)
            } else {
                Ok(response)
            }
        }
    });
    let mut builder = http1::Builder::new();
    if close_idle {
        // Waiting for the next request's head is where an idle connection sits.
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(IDLE_CLOSE);
    }
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        // An error here is a client going away or a dropped response: nothing to report.
        _ = connection.as_mut() => {}
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

//! What the real server does to clients, reproduced by the simulator: it wants a key, it
//! rate-limits, and it stalls on a `POST` that announces no body.

use std::time::{Duration, Instant};

use telemachy::Client;
use telemachy::client::Error;
use telemachy::sim::SimConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::requests::local_agent;
use crate::support::{KEY, client, config, simulator};

#[tokio::test]
async fn a_wrong_or_missing_key_is_unauthorized_with_a_hint() {
    let sim = simulator(SimConfig::default()).await;
    let wrong = "not-the-key-91d2";
    let clients = [
        Client::new(config(&sim).api_key(wrong)).expect("client"),
        Client::new(telemachy::Config::new(&sim.url()).expect("valid URL")).expect("client"),
    ];

    for client in &clients {
        // Health checks are open, as on the real server.
        client.health().await.expect("health needs no key");
        let error = client.list_agents().await.expect_err("401");
        assert!(
            matches!(error, Error::Unauthorized { status: 401, .. }),
            "{error:?}"
        );
        assert_eq!(error.status(), Some(401));
        assert_eq!(error.server_message(), Some("unauthorized"));
        let shown = error.to_string();
        assert!(shown.contains("`AGAMEMNON_API_KEY`"), "{shown}");
        assert!(!shown.contains(wrong) && !format!("{error:?}").contains(wrong));
    }
    // Refused at once: a 401 is never retried.
    assert_eq!(sim.requests().count("GET", "/v1/agents"), 2);
    assert!(sim.agents().is_empty());

    let right = client(&sim);
    right
        .create_agent(&local_agent())
        .await
        .expect("the key works");
}

#[tokio::test]
async fn a_rate_limited_request_waits_for_retry_after_and_succeeds() {
    // Two requests in a burst, then one a second.
    let sim = simulator(SimConfig::default().rate_limit(1.0, 2)).await;
    let client = client(&sim);

    let started = Instant::now();
    for _ in 0..3 {
        client.version().await.expect("version, in the end");
    }
    let elapsed = started.elapsed();

    let statuses: Vec<Option<u16>> = sim.requests().iter().map(|entry| entry.status()).collect();
    assert_eq!(statuses, [Some(200), Some(200), Some(429), Some(200)]);
    // `Retry-After: 1` was honoured: no retry before a second had passed.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn client_pacing_stays_under_the_servers_limit() {
    // The server allows 20/s in bursts of 5; the client paces itself to 10/s in bursts of 2.
    let sim = simulator(SimConfig::default().rate_limit(20.0, 5)).await;
    let client = Client::new(config(&sim).rate_limit(10.0, 2)).expect("client");

    let started = Instant::now();
    for _ in 0..12 {
        client.health().await.expect("health");
    }
    let elapsed = started.elapsed();

    let log = sim.requests();
    assert_eq!(log.total(), 12, "nothing bounced and was sent again");
    assert!(log.iter().all(|entry| entry.status() == Some(200)));
    // 2 at once, then 10 at 10/s: about a second.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
}

/// Sends `head` (a request without a body) and waits at most `wait` for the answer's
/// first bytes; `None` when none came.
async fn raw_answer(sim: &telemachy::sim::Simulator, head: &str, wait: Duration) -> Option<String> {
    let mut stream = TcpStream::connect(sim.addr()).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut answer = vec![0u8; 256];
    match tokio::time::timeout(wait, stream.read(&mut answer)).await {
        Ok(Ok(read)) if read > 0 => Some(String::from_utf8_lossy(&answer[..read]).into_owned()),
        _ => None,
    }
}

#[tokio::test]
async fn start_and_stop_do_not_stall_on_a_missing_body() {
    // The default simulator stalls 10 s, like the real server, on a body-less POST.
    let sim = simulator(SimConfig::default()).await;
    let client = client(&sim);
    let agent = client.create_agent(&local_agent()).await.expect("agent");

    // The stall is in force: a POST that announces no length gets no answer soon.
    let head = format!(
        "POST /v1/agents/{}/start HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {KEY}\r\n\r\n",
        agent.id,
        sim.addr()
    );
    assert_eq!(
        raw_answer(&sim, &head, Duration::from_millis(300)).await,
        None
    );

    // The client sends `{}` with its length: answered at once.
    for _ in 0..2 {
        let started = Instant::now();
        client.start_agent(&agent.id).await.expect("start");
        client.stop_agent(&agent.id).await.expect("stop");
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    }
}

//! https against a local server whose certificate is self-signed, made here with `rcgen`:
//! the `fleet_security` binary runs through it when `AGAMEMNON_CA_FILE` names that
//! certificate, and refuses it (one line, exit status 2, nothing sent) otherwise.
//!
//! The server is a TLS front (tokio-rustls) that passes the decrypted bytes on to a
//! simulator, so the whole workflow runs over https.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use telemachy::sim::SimConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::{Holdings, command, invoke, simulator};

const LIMIT: Duration = Duration::from_secs(60);

/// A self-signed certificate for 127.0.0.1, its PEM in a file, and the TLS settings of a
/// server that presents it.
struct SelfSigned {
    pem_file: PathBuf,
    server: Arc<ServerConfig>,
}

impl SelfSigned {
    fn new(name: &str) -> SelfSigned {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("rcgen makes a certificate");
        let pem_file = std::env::temp_dir().join(format!(
            "telemachy-reliability-{}-{name}.pem",
            std::process::id()
        ));
        std::fs::write(&pem_file, certified.cert.pem()).expect("the temporary file is written");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("default protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .expect("a usable certificate and key");
        SelfSigned {
            pem_file,
            server: Arc::new(server),
        }
    }

    fn pem_path(&self) -> &str {
        self.pem_file
            .to_str()
            .expect("the temporary directory has a UTF-8 path")
    }
}

impl Drop for SelfSigned {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pem_file);
    }
}

/// Serves https on 127.0.0.1 with `tls`, passing every connection on to `upstream`;
/// answers its URL and the task that serves.
async fn tls_front(tls: Arc<ServerConfig>, upstream: SocketAddr) -> (String, JoinHandle<()>) {
    let acceptor = TlsAcceptor::from(tls);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound");
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the certificate ends here.
                let Ok(mut secure) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut secure, &mut plain).await;
            });
        }
    });
    (format!("https://127.0.0.1:{}", addr.port()), server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_self_signed_certificate_works_only_when_trusted() {
    let sim = simulator(SimConfig::default().worker_delay(Duration::from_millis(5))).await;
    let certificate = SelfSigned::new("server");
    let stranger = SelfSigned::new("stranger");
    let (url, front) = tls_front(Arc::clone(&certificate.server), sim.addr()).await;

    // Not trusted: no CA file, or one that holds another certificate.
    for ca_file in [None, Some(stranger.pem_path())] {
        let mut refused = command("fleet_security", &[], Some(&url));
        refused
            .env("REQUIRE_TLS", "1")
            .env("AGAMEMNON_MAX_RETRIES", "0");
        if let Some(path) = ca_file {
            refused.env("AGAMEMNON_CA_FILE", path);
        }
        let outcome = invoke(refused, LIMIT).await;
        assert_eq!(outcome.code, Some(2), "{ca_file:?}: {outcome:?}");
        let lines: Vec<&str> = outcome.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{}", outcome.stderr);
        assert!(lines[0].contains("certificate"), "{}", lines[0]);
        assert!(lines[0].contains("`AGAMEMNON_CA_FILE`"), "{}", lines[0]);
    }
    assert_eq!(sim.requests().total(), 0, "nothing got through TLS");

    // Trusted explicitly: the whole workflow runs over https.
    let mut trusted = command(
        "fleet_security",
        &["--poll-interval", "0.01", "--json"],
        Some(&url),
    );
    trusted
        .env("REQUIRE_TLS", "1")
        .env("AGAMEMNON_CA_FILE", certificate.pem_path());
    let outcome = invoke(trusted, LIMIT).await;
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert_eq!(outcome.json()["status"], "succeeded");
    assert!(sim.requests().posts() > 0, "the run went through the front");
    assert!(Holdings::of(&sim).is_torn_down());

    front.abort();
    sim.shutdown().await;
}

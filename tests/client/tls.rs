//! HTTPS with a certificate authority of one's own (`AGAMEMNON_CA_FILE`).

use std::sync::Arc;
use std::time::Duration;

use telemachy::client::Error;
use telemachy::{Client, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const TLS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/tls");

/// An HTTPS server on loopback with the test certificate, answering every request with a
/// health object; it serves until the test ends.
async fn https_server() -> String {
    let certificates = CertificateDer::pem_file_iter(format!("{TLS_DIR}/server.pem"))
        .expect("the test certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("a PEM certificate");
    let key = PrivateKeyDer::from_pem_file(format!("{TLS_DIR}/server.key")).expect("the test key");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default protocol versions")
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .expect("a usable certificate and key");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut request = vec![0u8; 4096];
                let _ = tls.read(&mut request).await;
                let body = r#"{"status":"ok"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://127.0.0.1:{}", addr.port())
}

fn https_config(url: &str) -> Config {
    Config::new(url)
        .expect("valid URL")
        .api_key("k")
        .require_tls(true)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn a_server_signed_by_the_ca_file_is_trusted() {
    let url = https_server().await;
    let config = Config::from_lookup(|var| match var {
        "AGAMEMNON_URL" => Some(url.clone()),
        "AGAMEMNON_CA_FILE" => Some(format!("{TLS_DIR}/ca.pem")),
        "REQUIRE_TLS" => Some("1".to_owned()),
        _ => None,
    })
    .expect("valid");
    let client = Client::new(config).expect("client");

    assert_eq!(client.health().await.expect("health over TLS").status, "ok");
}

#[tokio::test]
async fn without_the_ca_file_the_server_is_not_trusted() {
    let url = https_server().await;
    let client = Client::new(https_config(&url)).expect("client");

    let error = client.health().await.expect_err("unknown issuer");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}

//! The real server's read stall: a `POST`, `PUT` or `PATCH` that announces no body length
//! (neither `Content-Length` nor `Transfer-Encoding`) waits for the server's read timeout
//! (10 s) before it is answered.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::app::SharedApp;

/// Middleware: delays requests that announce no body length by the configured stall.
pub(crate) async fn stall(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let expects_body = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    );
    let headers = request.headers();
    let announces_length = headers.contains_key(header::CONTENT_LENGTH)
        || headers.contains_key(header::TRANSFER_ENCODING);
    if expects_body && !announces_length && !app.body_stall.is_zero() {
        tokio::time::sleep(app.body_stall).await;
    }
    next.run(request).await
}

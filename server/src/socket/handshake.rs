//! The opening handshake (RFC 6455, 4.2): checking a client's upgrade request and answering it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha1::{Digest, Sha1};

/// Appended to the client's key before hashing (RFC 6455, 1.3).
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A request that is not a WebSocket upgrade we can accept: 400, saying which header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotUpgrade(&'static str);

impl IntoResponse for NotUpgrade {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, format!("{}\n", self.0)).into_response()
    }
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

/// Checks the upgrade headers and returns the `Sec-WebSocket-Accept` value to answer with.
pub(crate) fn accept_key(headers: &HeaderMap) -> Result<HeaderValue, NotUpgrade> {
    if !has_token(headers, header::CONNECTION, "upgrade") {
        return Err(NotUpgrade(
            "the Connection header does not include 'upgrade'",
        ));
    }
    if !has_token(headers, header::UPGRADE, "websocket") {
        return Err(NotUpgrade("the Upgrade header is not 'websocket'"));
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .map(HeaderValue::as_bytes)
        != Some(b"13")
    {
        return Err(NotUpgrade("the Sec-WebSocket-Version header is not '13'"));
    }
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .ok_or(NotUpgrade("the Sec-WebSocket-Key header is missing"))?;
    let mut hash = Sha1::new();
    hash.update(key.as_bytes());
    hash.update(GUID.as_bytes());
    let accept = base64::engine::general_purpose::STANDARD.encode(hash.finalize());
    HeaderValue::from_str(&accept).map_err(|_| NotUpgrade("unusable Sec-WebSocket-Key"))
}

/// `101 Switching Protocols`, the server's half of the handshake.
pub(crate) fn switching(accept: HeaderValue) -> Response {
    (
        StatusCode::SWITCHING_PROTOCOLS,
        [
            (header::CONNECTION, HeaderValue::from_static("upgrade")),
            (header::UPGRADE, HeaderValue::from_static("websocket")),
            (header::SEC_WEBSOCKET_ACCEPT, accept),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upgrade_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, Upgrade"),
        );
        h.insert(header::UPGRADE, HeaderValue::from_static("WebSocket"));
        h.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        h.insert(
            header::SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        h
    }

    #[test]
    fn the_accept_key_is_the_rfcs_example() {
        // RFC 6455, 1.3.
        assert_eq!(
            accept_key(&upgrade_headers()).unwrap(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn requests_that_are_not_upgrades_are_refused_naming_the_header() {
        for (name, value) in [
            (header::CONNECTION, "keep-alive"),
            (header::UPGRADE, "h2c"),
            (header::SEC_WEBSOCKET_VERSION, "8"),
        ] {
            let mut h = upgrade_headers();
            h.insert(name.clone(), HeaderValue::from_static(value));
            let err = accept_key(&h).unwrap_err();
            assert!(
                err.0.to_ascii_lowercase().contains(name.as_str()),
                "{name}: {err:?}"
            );
        }
        let mut h = upgrade_headers();
        h.remove(header::SEC_WEBSOCKET_KEY);
        assert!(accept_key(&h).is_err());
    }
}

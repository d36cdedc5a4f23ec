//! The answers hyper writes by itself. A request hyper cannot parse (a malformed request
//! line or header, a URI or header block above its limits) is answered 400, 414 or 431 by
//! hyper before anything reaches the router, so those answers lack the headers every other
//! answer carries. This wrapper around a connection's stream adds them.
//!
//! It looks only at the start of a write, only for those three statuses, and only while the
//! connection is still HTTP (after a `101` it steps aside): hyper writes each answer's head at
//! the start of a write, and none of kring's bodies starts with an HTTP status line. An
//! answer that already carries `x-content-type-options` is the router's and left alone.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What hyper's own answers get; the same values as the router's layers.
const HEADERS: &[u8] = b"x-content-type-options: nosniff\r\n\
x-frame-options: DENY\r\n\
referrer-policy: no-referrer\r\n\
content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n";

pub(crate) struct ErrorHeaders<I> {
    inner: I,
    /// A rewritten head (and what followed it in the same write) still to be written.
    pending: Vec<u8>,
    /// How many bytes of the caller's write `pending` stands for.
    stands_for: usize,
    upgraded: bool,
}

impl<I> ErrorHeaders<I> {
    pub(crate) fn new(inner: I) -> Self {
        ErrorHeaders {
            inner,
            pending: Vec::new(),
            stands_for: 0,
            upgraded: false,
        }
    }
}

impl<I> ErrorHeaders<I> {
    /// The stream itself, for a connection upgraded to a WebSocket (which writes to it
    /// directly). Nothing is pending then: only hyper's error answers are rewritten, and
    /// the `101` before an upgrade is written through and flushed.
    pub(crate) fn into_inner(self) -> I {
        debug_assert!(
            self.pending.is_empty(),
            "an upgrade follows no error answer"
        );
        self.inner
    }
}

/// `buf` with [`HEADERS`] added, if it starts with one of hyper's own error answers.
fn with_headers(buf: &[u8]) -> Option<Vec<u8>> {
    let status = buf.strip_prefix(b"HTTP/1.1 ")?;
    if !(status.starts_with(b"400 ") || status.starts_with(b"414 ") || status.starts_with(b"431 "))
    {
        return None;
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = buf[..end].to_ascii_lowercase();
    if head.windows(22).any(|w| w == b"x-content-type-options") {
        return None;
    }
    let mut out = Vec::with_capacity(buf.len() + HEADERS.len());
    out.extend_from_slice(&buf[..end + 2]);
    out.extend_from_slice(HEADERS);
    out.extend_from_slice(&buf[end + 2..]);
    Some(out)
}

impl<I: AsyncWrite + Unpin> ErrorHeaders<I> {
    /// Writes what is pending; ready with how much of the caller's write it stood for.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(std::mem::take(&mut self.stands_for)))
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for ErrorHeaders<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.pending.is_empty() {
            return this.drain(cx);
        }
        if !this.upgraded && buf.starts_with(b"HTTP/1.1 ") {
            if buf[9..].starts_with(b"101 ") {
                this.upgraded = true;
            } else if let Some(rewritten) = with_headers(buf) {
                this.pending = rewritten;
                this.stands_for = buf.len();
                return this.drain(cx);
            }
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.pending.is_empty() {
            ready!(this.drain(cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.pending.is_empty() {
            ready!(this.drain(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for ErrorHeaders<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyper_s_own_error_heads_are_rewritten() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        let out = with_headers(hyper).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
            )
        );
        assert!(text.contains("x-frame-options: DENY\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
        // The router's answers already carry the headers; other statuses are not hyper's.
        assert!(
            with_headers(b"HTTP/1.1 400 Bad Request\r\nX-Content-Type-Options: nosniff\r\n\r\n")
                .is_none()
        );
        assert!(with_headers(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(with_headers(b"{\"code\":\"x\"}").is_none());
    }
}

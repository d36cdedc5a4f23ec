//! The WebSocket layer, written for kring's load: the upgrade handshake, frames built once per
//! broadcast, client frames read without a buffer per idle socket, and the upgraded stream
//! taken straight from hyper.
//!
//! A general WebSocket library (tungstenite, through axum) builds every frame again for every
//! recipient, copies it into a write buffer of its own, keeps that buffer at the size of the
//! largest batch it ever wrote, and needs the connection's task to write; it also keeps a read
//! buffer per socket and ran the socket inside axum's upgrade future. kring sends the same
//! event to many sockets: here one frame (header and payload) is built once and its bytes are
//! written by whoever has them, usually the room itself (see `room::outbox`).

pub mod frame;
pub mod handshake;

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

pub use frame::{Frame, FrameError, Incoming, Reader};

/// Bytes read per system call (on the stack, only while reading).
const READ_CHUNK: usize = 4096;

/// An upgraded connection.
pub enum Stream {
    /// Shared with the connection's outbox, which writes to it directly.
    Plain(Arc<TcpStream>),
    /// Only the connection's task reads and writes it.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// The stream under hyper's upgrade, with whatever the client sent after its request.
    pub fn from_upgraded(upgraded: Upgraded) -> Option<(Stream, Bytes)> {
        let upgraded = match upgraded.downcast::<TokioIo<TcpStream>>() {
            Ok(parts) => {
                let stream = Stream::Plain(Arc::new(parts.io.into_inner()));
                return Some((stream, parts.read_buf));
            }
            Err(upgraded) => upgraded,
        };
        match upgraded.downcast::<TokioIo<TlsStream<TcpStream>>>() {
            Ok(parts) => Some((Stream::Tls(Box::new(parts.io.into_inner())), parts.read_buf)),
            Err(_) => None,
        }
    }

    /// The socket the outbox may write to directly.
    pub fn direct(&self) -> Option<Arc<TcpStream>> {
        match self {
            Stream::Plain(tcp) => Some(tcp.clone()),
            Stream::Tls(_) => None,
        }
    }

    /// Reads what has arrived into `reader`: `Ready(Ok(0))` at the end of the stream. The read
    /// buffer lives on the stack only during the call, so a socket waiting for data holds none.
    pub fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut Reader,
    ) -> Poll<std::io::Result<usize>> {
        let mut chunk = [0u8; READ_CHUNK];
        match self {
            Stream::Plain(tcp) => loop {
                std::task::ready!(tcp.poll_read_ready(cx))?;
                match tcp.try_read(&mut chunk) {
                    Ok(n) => {
                        reader.extend(&chunk[..n]);
                        return Poll::Ready(Ok(n));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Poll::Ready(Err(e)),
                }
            },
            Stream::Tls(tls) => {
                let mut buf = ReadBuf::new(&mut chunk);
                std::task::ready!(std::pin::Pin::new(tls.as_mut()).poll_read(cx, &mut buf))?;
                let n = buf.filled().len();
                reader.extend(buf.filled());
                Poll::Ready(Ok(n))
            }
        }
    }

    /// Writes `bytes` whole, waiting for the socket as needed (the caller bounds the time).
    pub async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(tcp) => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    tcp.writable().await?;
                    match tcp.try_write(rest) {
                        Ok(n) => rest = &rest[n..],
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Stream::Tls(tls) => tls.write_all(bytes).await,
        }
    }

    /// Pushes out what a TLS stream buffered.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(_) => Ok(()),
            Stream::Tls(tls) => tls.flush().await,
        }
    }
}

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

pub(crate) mod frame;
pub(crate) mod handshake;

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncWriteExt, Interest};
use tokio::net::TcpStream;

use crate::error_headers::ErrorHeaders;
use crate::tls::TlsStream;

pub(crate) use frame::{Frame, FrameError, Incoming, Reader};

/// Room made for one read, if the reader holds less free space.
const READ_CHUNK: usize = 4096;

/// An upgraded connection.
pub(crate) enum Stream {
    /// Shared with the connection's outbox, which writes to it directly.
    Plain(Arc<TcpStream>),
    /// Only the connection's task reads and writes it.
    Tls(Box<TlsStream>),
}

impl Stream {
    /// The stream under hyper's upgrade, with whatever the client sent after its request.
    pub(crate) fn from_upgraded(upgraded: Upgraded) -> Option<(Stream, Bytes)> {
        // The accept loop serves every connection through `ErrorHeaders` (`crate::listen`).
        let upgraded = match upgraded.downcast::<TokioIo<ErrorHeaders<TcpStream>>>() {
            Ok(parts) => {
                let stream = Stream::Plain(Arc::new(parts.io.into_inner().into_inner()));
                return Some((stream, parts.read_buf));
            }
            Err(upgraded) => upgraded,
        };
        match upgraded.downcast::<TokioIo<ErrorHeaders<TlsStream>>>() {
            Ok(parts) => Some((
                Stream::Tls(Box::new(parts.io.into_inner().into_inner())),
                parts.read_buf,
            )),
            Err(_) => None,
        }
    }

    /// The socket the outbox may write to directly.
    pub(crate) fn direct(&self) -> Option<Arc<TcpStream>> {
        match self {
            Stream::Plain(tcp) => Some(tcp.clone()),
            Stream::Tls(_) => None,
        }
    }

    /// Reads what has arrived into `reader`: `Ready(Ok(0))` at the end of the stream. The
    /// reader gets room for the bytes only once there are some, so a socket waiting for data
    /// holds no buffer (and nothing is zeroed for a read that finds none).
    pub(crate) fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut Reader,
    ) -> Poll<std::io::Result<usize>> {
        let read = match self {
            Stream::Plain(tcp) => loop {
                if tcp.poll_read_ready(cx)?.is_pending() {
                    break Poll::Pending;
                }
                match read_draining(tcp, reader.room(READ_CHUNK)) {
                    Ok(n) => break Poll::Ready(Ok(n)),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => break Poll::Ready(Err(e)),
                }
            },
            Stream::Tls(tls) => tokio_util::io::poll_read_buf(
                std::pin::Pin::new(tls.as_mut()),
                cx,
                reader.room(READ_CHUNK),
            ),
        };
        if read.is_pending() {
            // The room made for a read that found nothing is not kept while waiting.
            reader.release();
        }
        read
    }

    /// Writes `bytes` whole, waiting for the socket as needed (the caller bounds the time).
    pub(crate) async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
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
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(_) => Ok(()),
            Stream::Tls(tls) => tls.flush().await,
        }
    }
}

/// Reads what `tcp` holds into `buf`'s free space. A read that leaves some of that space free
/// took everything the socket had, so the socket's readiness is cleared with it (as tokio's
/// own `poll_read` does): the next poll waits for new data instead of making a `recvfrom`
/// that finds none. That second read was one system call per client message, half of all
/// reads. (Data arriving meanwhile is not missed: the readiness is cleared only if no event
/// came after the one this read was made for.)
pub(crate) fn read_draining(tcp: &TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let room = buf.capacity() - buf.len();
    let mut read = 0;
    let result = tcp.try_io(Interest::READABLE, || {
        read = tcp.try_read_buf(buf)?;
        if read > 0 && read < room {
            // Clears the readiness; the bytes are reported below.
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        Ok(read)
    });
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && read > 0 => Ok(read),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn a_socket_waiting_for_data_holds_no_read_buffer() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let mut client = client.unwrap();
        let mut stream = Stream::Plain(Arc::new(accepted.unwrap().0));
        let mut reader = Reader::new(1024);

        // Masked text frame "hi".
        client
            .write_all(&[0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2])
            .await
            .unwrap();
        let n = poll_fn(|cx| stream.poll_fill(cx, &mut reader))
            .await
            .unwrap();
        assert_eq!(n, 8);
        assert_eq!(reader.next_message(), Ok(Some(Incoming::Text("hi".into()))));
        assert_eq!(reader.next_message(), Ok(None));

        // Nothing more has arrived: the read finds nothing and keeps no room for it.
        let pending = poll_fn(|cx| Poll::Ready(stream.poll_fill(cx, &mut reader))).await;
        assert!(pending.is_pending());
        assert_eq!(reader.capacity(), 0);
    }

    #[tokio::test]
    async fn a_read_that_drains_the_socket_waits_for_new_data_without_another_read() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let mut client = client.unwrap();
        let tcp = Arc::new(accepted.unwrap().0);
        let mut stream = Stream::Plain(tcp.clone());
        let mut reader = Reader::new(1024);
        let hi = [0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];

        client.write_all(&hi).await.unwrap();
        let n = poll_fn(|cx| stream.poll_fill(cx, &mut reader))
            .await
            .unwrap();
        assert_eq!(n, 8);
        // The short read cleared the readiness: the socket is not polled ready again (which
        // would cost a `recvfrom` that finds nothing) until more data comes.
        let ready = poll_fn(|cx| Poll::Ready(tcp.poll_read_ready(cx))).await;
        assert!(
            ready.is_pending(),
            "readiness kept after draining the socket"
        );

        // And nothing that comes later is missed.
        client.write_all(&hi).await.unwrap();
        let n = poll_fn(|cx| stream.poll_fill(cx, &mut reader))
            .await
            .unwrap();
        assert_eq!(n, 8);
        assert_eq!(reader.next_message(), Ok(Some(Incoming::Text("hi".into()))));
        assert_eq!(reader.next_message(), Ok(Some(Incoming::Text("hi".into()))));
        assert_eq!(reader.next_message(), Ok(None));
    }
}

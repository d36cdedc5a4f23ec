//! A TLS server stream on rustls's unbuffered API, holding no buffer while it waits.
//!
//! tokio-rustls (rustls's buffered connection) keeps a 4 KiB receive buffer for the whole life
//! of every connection, zeroed and resident even while the socket is idle: with heaptrack, of
//! the 7.8 KB a TLS connection cost beyond a plain one, 4,096 B were that buffer (rustls issue
//! #794). Here the caller owns the buffers: received TLS bytes are kept only while a record is
//! incomplete, decrypted bytes only until they are read, encrypted bytes only until the
//! socket takes them. Each is given back (capacity 0) once empty, as the plain socket's
//! reader does.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use rustls::ServerConfig;
use rustls::server::UnbufferedServerConnection;
use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, UnbufferedStatus};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Room made for one read from the socket.
const READ_CHUNK: usize = 4096;

/// Received bytes held for one incomplete TLS message. A record is at most 2^14 bytes of
/// plaintext plus 256 of expansion and its 5-byte header; a handshake message may span
/// records, and rustls joins those up to 64 KiB (its own limit on the buffered side).
const MAX_INCOMING: usize = 0xffff + 5 + 256;

/// Plaintext encrypted per record. A record can hold 2^14 bytes; a longer write is taken in
/// parts, as `AsyncWrite` allows.
const MAX_RECORD_PLAINTEXT: usize = 1 << 14;

/// What a record adds to its plaintext, at most: the 5-byte header, and for TLS 1.3 the content
/// type and a 16-byte tag, for TLS 1.2 an 8-byte nonce and the tag.
const RECORD_OVERHEAD: usize = 5 + 8 + 16;

/// Room first offered to a handshake message (the certificate chain may need more).
const HANDSHAKE_ROOM: usize = 4096;

/// Encrypted bytes a write may leave queued before the socket must take some: writes below it
/// are collected, so a batch of frames goes out in one `send` at the flush.
const WRITE_BACKLOG: usize = 1 << 14;

/// What the connection asks for after processing what has arrived.
enum Next {
    /// Something changed (records decrypted, handshake bytes queued): look again.
    Again,
    /// The handshake is waiting for the peer.
    Read,
    /// The handshake is done and everything received is processed.
    Established,
    /// `data` (its first `n` bytes) was encrypted into the outgoing buffer.
    Wrote(usize),
    /// Both sides have said close_notify.
    Closed,
}

/// A server-side TLS connection over TCP.
pub(crate) struct TlsStream {
    tcp: TcpStream,
    conn: UnbufferedServerConnection,
    /// TLS bytes received and not yet processed: an incomplete record, or none.
    incoming: Vec<u8>,
    /// Decrypted bytes not yet read, from `plain_at` on.
    plaintext: Vec<u8>,
    plain_at: usize,
    /// Encrypted bytes not yet sent, from `sent` on.
    outgoing: Vec<u8>,
    sent: usize,
    /// The peer's close_notify came: reads see the end of the stream.
    peer_closed: bool,
    /// The peer closed TCP: nothing more will arrive.
    eof: bool,
    /// Our close_notify is queued.
    close_queued: bool,
}

impl TlsStream {
    /// Runs the handshake on `tcp`. The caller bounds the time it may take.
    pub(crate) async fn accept(tcp: TcpStream, config: Arc<ServerConfig>) -> io::Result<TlsStream> {
        let conn = UnbufferedServerConnection::new(config).map_err(invalid_data)?;
        let mut stream = TlsStream {
            tcp,
            conn,
            incoming: Vec::new(),
            plaintext: Vec::new(),
            plain_at: 0,
            outgoing: Vec::new(),
            sent: 0,
            peer_closed: false,
            eof: false,
            close_queued: false,
        };
        std::future::poll_fn(|cx| stream.poll_handshake(cx)).await?;
        Ok(stream)
    }

    /// Bytes of buffer this connection holds (capacity, not length): 0 while it waits.
    #[cfg(test)]
    pub(crate) fn buffered_capacity(&self) -> usize {
        self.incoming.capacity() + self.plaintext.capacity() + self.outgoing.capacity()
    }

    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match self.process(None)? {
                Next::Again | Next::Wrote(_) => {}
                Next::Established => return self.poll_send(cx),
                Next::Read => {
                    ready!(self.poll_send(cx))?;
                    if ready!(self.poll_receive(cx))? == 0 {
                        return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
                    }
                }
                Next::Closed => return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into())),
            }
        }
    }

    /// Processes what has arrived, once. With `data`, encrypts (a part of) it if the
    /// connection may send application data now.
    fn process(&mut self, data: Option<&[u8]>) -> io::Result<Next> {
        let UnbufferedStatus { mut discard, state } =
            self.conn.process_tls_records(&mut self.incoming);
        let next = match state {
            Err(error) => {
                // Leaves the status (and its borrows) before the alert is looked for.
                let incoming_len = self.incoming.len();
                self.incoming.drain(..discard.min(incoming_len));
                self.queue_alert();
                return Err(invalid_data(error));
            }
            Ok(ConnectionState::ReadTraffic(mut records)) => {
                while let Some(record) = records.next_record() {
                    let record = record.map_err(invalid_data)?;
                    discard += record.discard;
                    if self.plain_at == self.plaintext.len() {
                        self.plaintext.clear();
                        self.plain_at = 0;
                    }
                    self.plaintext.extend_from_slice(record.payload);
                }
                Next::Again
            }
            Ok(ConnectionState::EncodeTlsData(mut handshake)) => {
                append(
                    &mut self.outgoing,
                    HANDSHAKE_ROOM,
                    |out| handshake.encode(out),
                    |e| match e {
                        EncodeError::InsufficientSize(needed) => Some(needed.required_size),
                        _ => None,
                    },
                )?;
                Next::Again
            }
            // Our outgoing buffer keeps the order of everything encoded, and is sent before
            // the connection waits for the peer: it counts as transmitted.
            Ok(ConnectionState::TransmitTlsData(transmit)) => {
                transmit.done();
                Next::Again
            }
            Ok(ConnectionState::BlockedHandshake) => Next::Read,
            Ok(ConnectionState::PeerClosed) => {
                self.peer_closed = true;
                Next::Again
            }
            Ok(ConnectionState::Closed) => Next::Closed,
            Ok(ConnectionState::WriteTraffic(mut traffic)) => match data {
                None => Next::Established,
                Some(data) => {
                    let part = &data[..data.len().min(MAX_RECORD_PLAINTEXT)];
                    append(
                        &mut self.outgoing,
                        part.len() + RECORD_OVERHEAD,
                        |out| traffic.encrypt(part, out),
                        insufficient,
                    )?;
                    Next::Wrote(part.len())
                }
            },
            // Early data is not enabled (`max_early_data_size` is 0), so none is accepted.
            Ok(_) => return Err(invalid_data("unexpected TLS state")),
        };
        self.incoming.drain(..discard);
        if self.incoming.is_empty() {
            self.incoming = Vec::new();
        }
        Ok(next)
    }

    /// After a TLS error, the alert rustls queued for the peer, sent without waiting.
    fn queue_alert(&mut self) {
        let UnbufferedStatus { state, .. } = self.conn.process_tls_records(&mut self.incoming);
        if let Ok(ConnectionState::EncodeTlsData(mut alert)) = state {
            let mut bytes = [0u8; 64];
            if let Ok(n) = alert.encode(&mut bytes) {
                let _ = self.tcp.try_write(&bytes[..n]);
            }
        }
    }

    fn queue_close_notify(&mut self) -> io::Result<()> {
        let UnbufferedStatus { discard, state } = self.conn.process_tls_records(&mut self.incoming);
        let queued = match state {
            Ok(ConnectionState::WriteTraffic(mut traffic)) => append(
                &mut self.outgoing,
                RECORD_OVERHEAD + 2,
                |out| traffic.queue_close_notify(out),
                insufficient,
            ),
            _ => Ok(()),
        };
        self.incoming.drain(..discard);
        queued
    }

    /// Reads what the socket has into `incoming`: `Ready(Ok(0))` at its end.
    fn poll_receive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.eof {
            return Poll::Ready(Ok(0));
        }
        if self.incoming.len() >= MAX_INCOMING {
            return Poll::Ready(Err(invalid_data("TLS message too large")));
        }
        loop {
            ready!(self.tcp.poll_read_ready(cx))?;
            let room = READ_CHUNK.min(MAX_INCOMING - self.incoming.len());
            self.incoming.reserve(room);
            // A read that drains the socket clears its readiness, as for plain sockets: no
            // `recvfrom` that finds nothing after each message.
            match crate::socket::read_draining(&self.tcp, &mut self.incoming) {
                Ok(0) => {
                    self.eof = true;
                    return Poll::Ready(Ok(0));
                }
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if self.incoming.is_empty() {
                        self.incoming = Vec::new();
                    }
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Sends everything encrypted so far.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.outgoing.len() {
            ready!(self.tcp.poll_write_ready(cx))?;
            match self.tcp.try_write(&self.outgoing[self.sent..]) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        self.outgoing = Vec::new();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }

    /// Copies decrypted bytes to `buf`; gives the buffer back once all are read.
    fn take_plaintext(&mut self, buf: &mut ReadBuf<'_>) {
        let n = buf.remaining().min(self.plaintext.len() - self.plain_at);
        buf.put_slice(&self.plaintext[self.plain_at..self.plain_at + n]);
        self.plain_at += n;
        if self.plain_at == self.plaintext.len() {
            self.plaintext = Vec::new();
            self.plain_at = 0;
        }
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.plain_at < this.plaintext.len() {
                this.take_plaintext(buf);
                return Poll::Ready(Ok(()));
            }
            if this.peer_closed {
                return Poll::Ready(Ok(()));
            }
            match this.process(None)? {
                Next::Again | Next::Wrote(_) => continue,
                Next::Closed => return Poll::Ready(Ok(())),
                Next::Read | Next::Established => {}
            }
            // What the peer's records asked for (a key update) goes out if the socket takes
            // it; a peer that does not read must not stop us reading what it sends.
            if let Poll::Ready(Err(e)) = this.poll_send(cx) {
                return Poll::Ready(Err(e));
            }
            if ready!(this.poll_receive(cx))? == 0 {
                // Browsers often close without close_notify; the WebSocket and HTTP layers
                // have their own framing, so a truncation cannot pass for a complete message.
                return Poll::Ready(Ok(()));
            }
        }
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.outgoing.len() - this.sent >= WRITE_BACKLOG {
            ready!(this.poll_send(cx))?;
        }
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            match this.process(Some(data))? {
                Next::Wrote(n) => return Poll::Ready(Ok(n)),
                Next::Again | Next::Established => continue,
                Next::Closed => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
                // Only before the handshake is done, which `accept` finishes first.
                Next::Read => return Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_send(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.close_queued {
            this.close_queued = true;
            this.queue_close_notify()?;
        }
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.tcp).poll_shutdown(cx)
    }
}

/// Appends to `outgoing` what `write` puts into a buffer: first with `room` bytes for it, and
/// if that is too little (`needed` says how much is), once more with what rustls asks for. A
/// good guess makes it one call: each call on the write path fragments the data again.
fn append<E>(
    outgoing: &mut Vec<u8>,
    room: usize,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, E>,
    needed: impl Fn(&E) -> Option<usize>,
) -> io::Result<()>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let at = outgoing.len();
    outgoing.resize(at + room, 0);
    let written = match write(&mut outgoing[at..]) {
        Ok(written) => Ok(written),
        Err(error) => match needed(&error) {
            Some(size) => {
                outgoing.resize(at + size, 0);
                write(&mut outgoing[at..])
            }
            None => Err(error),
        },
    };
    match written {
        Ok(written) => {
            outgoing.truncate(at + written);
            Ok(())
        }
        Err(error) => {
            outgoing.truncate(at);
            Err(invalid_data(error))
        }
    }
}

fn insufficient(error: &EncryptError) -> Option<usize> {
    match error {
        EncryptError::InsufficientSize(needed) => Some(needed.required_size),
        _ => None,
    }
}

fn invalid_data(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use tokio_rustls::TlsConnector;

    use super::*;

    struct Pair {
        server: TlsStream,
        client: tokio_rustls::client::TlsStream<TcpStream>,
    }

    fn configs() -> (Arc<ServerConfig>, TlsConnector) {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = CertificateDer::from(made.cert.der().to_vec());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        (Arc::new(server), TlsConnector::from(Arc::new(client)))
    }

    async fn pair() -> Pair {
        pair_with_buffers(None).await
    }

    /// With `Some(bytes)`, the kernel buffers between server and client are that small, so a
    /// client that does not read stops the server's writes at once.
    async fn pair_with_buffers(kernel_buffers: Option<u32>) -> Pair {
        let (server, connector) = configs();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let (client, server) = tokio::join!(
            async {
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                if let Some(bytes) = kernel_buffers {
                    socket.set_recv_buffer_size(bytes).unwrap();
                }
                connector
                    .connect(name, socket.connect(addr).await.unwrap())
                    .await
            },
            async {
                let tcp = listener.accept().await.unwrap().0;
                if let Some(bytes) = kernel_buffers {
                    socket2::SockRef::from(&tcp)
                        .set_send_buffer_size(bytes as usize)
                        .unwrap();
                }
                TlsStream::accept(tcp, server).await
            },
        );
        Pair {
            server: server.unwrap(),
            client: client.unwrap(),
        }
    }

    /// The server's handshake against a client that speaks raw TCP: what the client returns,
    /// and how the handshake ended.
    async fn handshake_with<T, F>(client: impl FnOnce(TcpStream) -> F) -> (T, io::Result<()>)
    where
        F: std::future::Future<Output = T>,
    {
        let (server, _) = configs();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::join!(
            async { client(TcpStream::connect(addr).await.unwrap()).await },
            async {
                let tcp = listener.accept().await.unwrap().0;
                TlsStream::accept(tcp, server).await.map(|_| ())
            },
        )
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// Reads until `len` bytes have come.
    async fn read_len(stream: &mut (impl AsyncRead + Unpin), len: usize) -> Vec<u8> {
        let mut got = vec![0; len];
        stream.read_exact(&mut got).await.unwrap();
        got
    }

    #[tokio::test]
    async fn data_crosses_both_ways_in_records_of_every_size() {
        let Pair {
            mut server,
            mut client,
        } = pair().await;
        // Larger than a record and than a read, so records arrive in pieces and several at once.
        let sent = pattern(100_000);
        let (_, got) = tokio::join!(
            async {
                client.write_all(&sent).await.unwrap();
                client.flush().await.unwrap();
            },
            read_len(&mut server, sent.len()),
        );
        assert!(got == sent, "the server read other bytes than were sent");

        let (_, got) = tokio::join!(
            async {
                for piece in sent.chunks(3_000) {
                    server.write_all(piece).await.unwrap();
                }
                server.flush().await.unwrap();
            },
            read_len(&mut client, sent.len()),
        );
        assert!(got == sent, "the client read other bytes than were sent");
    }

    #[tokio::test]
    async fn a_connection_waiting_for_data_holds_no_buffer() {
        let Pair {
            mut server,
            mut client,
        } = pair().await;
        assert_eq!(server.buffered_capacity(), 0, "after the handshake");

        client.write_all(b"hello").await.unwrap();
        client.flush().await.unwrap();
        assert_eq!(read_len(&mut server, 5).await, b"hello");
        server.write_all(b"world").await.unwrap();
        server.flush().await.unwrap();
        assert_eq!(read_len(&mut client, 5).await, b"world");

        let mut buf = [0u8; 16];
        let pending = poll_fn(|cx| {
            let mut read = ReadBuf::new(&mut buf);
            Poll::Ready(Pin::new(&mut server).poll_read(cx, &mut read))
        })
        .await;
        assert!(pending.is_pending());
        assert_eq!(server.buffered_capacity(), 0, "while waiting");
    }

    #[tokio::test]
    async fn writes_are_collected_until_the_flush() {
        let Pair {
            mut server,
            mut client,
        } = pair().await;
        for _ in 0..10 {
            server.write_all(&pattern(200)).await.unwrap();
        }
        assert!(
            server.outgoing.len() > 2_000,
            "ten small frames wait for the flush"
        );
        server.flush().await.unwrap();
        assert_eq!(server.buffered_capacity(), 0);
        assert_eq!(read_len(&mut client, 2_000).await.len(), 2_000);
    }

    #[tokio::test]
    async fn a_peer_that_does_not_read_can_still_be_read() {
        let Pair {
            mut server,
            mut client,
        } = pair_with_buffers(Some(4096)).await;
        // Writes until the socket takes no more: the client reads nothing.
        let chunk = pattern(16_384);
        poll_fn(|cx| {
            loop {
                match Pin::new(&mut server).poll_write(cx, &chunk) {
                    Poll::Ready(written) => assert!(written.unwrap() > 0),
                    Poll::Pending => return Poll::Ready(()),
                }
            }
        })
        .await;
        let flushed = poll_fn(|cx| Poll::Ready(Pin::new(&mut server).poll_flush(cx))).await;
        assert!(flushed.is_pending(), "the client's side is full");

        client.write_all(b"hi").await.unwrap();
        client.flush().await.unwrap();
        let mut buf = [0u8; 2];
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            server.read_exact(&mut buf),
        )
        .await
        .expect("reading waited for the peer to read")
        .unwrap();
        assert_eq!(&buf, b"hi");
    }

    #[tokio::test]
    async fn close_notify_ends_the_stream_on_both_sides() {
        let Pair {
            mut server,
            mut client,
        } = pair().await;
        client.shutdown().await.unwrap();
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(server.peer_closed, "the end came with close_notify");

        server.shutdown().await.unwrap();
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    }

    #[tokio::test]
    async fn a_closed_socket_without_close_notify_is_the_end_of_the_stream() {
        let Pair { mut server, client } = pair().await;
        let (mut tcp, _) = client.into_inner();
        // FIN without close_notify (a drop would reset: the server's tickets lie unread).
        tcp.shutdown().await.unwrap();
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(!server.peer_closed);
    }

    #[tokio::test]
    async fn a_record_that_does_not_decrypt_is_an_error_not_data() {
        let Pair { mut server, client } = pair().await;
        let (mut tcp, _) = client.into_inner();
        let mut forged = vec![23, 3, 3, 0, 40];
        forged.extend(pattern(40));
        tcp.write_all(&forged).await.unwrap();
        let mut buf = [0u8; 64];
        let error = server.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[tokio::test]
    async fn what_is_not_tls_fails_the_handshake_with_an_alert() {
        let (client, accepted) = handshake_with(|mut tcp| async move {
            tcp.write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\n\r\n")
                .await
                .unwrap();
            let mut answer = Vec::new();
            tcp.read_to_end(&mut answer).await.unwrap();
            answer
        })
        .await;
        let error = accepted.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        // An alert record: content type 21.
        assert_eq!(client.first(), Some(&21), "the peer is told why");
    }

    #[tokio::test]
    async fn a_handshake_the_peer_abandons_ends_in_an_error() {
        let (_, accepted) = handshake_with(|mut tcp| async move {
            // The start of a record header, then nothing.
            tcp.write_all(&[22, 3, 1]).await.unwrap();
        })
        .await;
        assert_eq!(accepted.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}

//! A WebSocket client written out by hand over plain TCP, for what a well-behaved library
//! cannot send or does for you: invalid UTF-8, frames larger than the limit, unanswered pings,
//! and a close handshake whose every step a test controls.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CONTINUATION: u8 = 0x0;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

pub struct RawWs {
    tcp: TcpStream,
    buf: Vec<u8>,
}

/// One frame as the server sent it.
#[derive(Debug)]
pub struct Frame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

impl Frame {
    /// Close code and reason of a close frame.
    pub fn close(&self) -> (u16, String) {
        assert_eq!(self.opcode, CLOSE, "not a close frame: {self:?}");
        let code = u16::from_be_bytes([self.payload[0], self.payload[1]]);
        (
            code,
            String::from_utf8_lossy(&self.payload[2..]).into_owned(),
        )
    }

    pub fn text(&self) -> String {
        assert_eq!(self.opcode, TEXT, "not a text frame: {self:?}");
        String::from_utf8(self.payload.clone()).unwrap()
    }
}

/// Sends an upgrade request to `path` with `headers`; returns the status code and, on 101, the
/// socket.
pub async fn upgrade(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Option<RawWs>) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    upgrade_on(tcp, addr, path, headers).await
}

/// Upgrades to `/ws/{code}` over a socket with a small receive buffer: a client that does not
/// read makes the server's writes wait after a few kilobytes.
pub async fn connect_small(addr: SocketAddr, code: &str) -> RawWs {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(addr).await.unwrap();
    let (status, ws) = upgrade_on(tcp, addr, &format!("/ws/{code}"), &[]).await;
    assert_eq!(status, 101);
    ws.unwrap()
}

/// [`upgrade`] on a connection the caller opened (from a chosen address, or after a PROXY
/// protocol header).
pub async fn upgrade_on(
    mut tcp: TcpStream,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Option<RawWs>) {
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 1024];
        let n = timeout(Duration::from_secs(5), tcp.read(&mut chunk))
            .await
            .expect("response in time")
            .unwrap();
        assert!(n > 0, "connection closed before the response");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    if status != 101 {
        return (status, None);
    }
    let rest = buf[end..].to_vec();
    (status, Some(RawWs { tcp, buf: rest }))
}

/// Upgrades to `/ws/{code}` with no extra headers, expecting success.
pub async fn connect(addr: SocketAddr, code: &str) -> RawWs {
    let (status, ws) = upgrade(addr, &format!("/ws/{code}"), &[]).await;
    assert_eq!(status, 101);
    ws.unwrap()
}

impl RawWs {
    /// Sends one masked frame, as a client must.
    pub async fn send_frame(&mut self, opcode: u8, fin: bool, payload: &[u8]) {
        let mut frame = frame_header(opcode, fin, payload.len() as u64);
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.tcp.write_all(&frame).await.unwrap();
    }

    /// Sends only the header of a frame that claims `len` bytes of payload.
    pub async fn send_header_only(&mut self, opcode: u8, len: u64) {
        let mut frame = frame_header(opcode, true, len);
        frame.extend_from_slice(&[0, 0, 0, 0]);
        self.tcp.write_all(&frame).await.unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send_frame(TEXT, true, text.as_bytes()).await;
    }

    pub async fn send_close(&mut self, code: u16) {
        self.send_frame(CLOSE, true, &code.to_be_bytes()).await;
    }

    /// The next frame within `wait`; `None` when the server closed the TCP connection.
    /// Panics on a timeout.
    pub async fn frame_within(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some((frame, used)) = parse_frame(&self.buf) {
                self.buf.drain(..used);
                return Some(frame);
            }
            let mut chunk = [0u8; 8192];
            let read = tokio::time::timeout_at(deadline, self.tcp.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("no frame within {wait:?}"));
            match read {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    pub async fn frame(&mut self) -> Option<Frame> {
        self.frame_within(Duration::from_secs(10)).await
    }

    /// The next frame that is not a ping (pings are not answered: this client plays dead
    /// unless a test answers them itself).
    pub async fn non_ping(&mut self) -> Option<Frame> {
        loop {
            match self.frame().await {
                Some(f) if f.opcode == PING => continue,
                other => return other,
            }
        }
    }

    /// The next text frame, skipping pings and presence updates.
    pub async fn message(&mut self) -> serde_json::Value {
        loop {
            let frame = self.non_ping().await.expect("a message, not the end");
            let value: serde_json::Value = serde_json::from_str(&frame.text()).unwrap();
            if value["type"] != "presence" {
                return value;
            }
        }
    }

    /// Skips frames until a close frame; returns its code and reason.
    pub async fn close_frame(&mut self) -> (u16, String) {
        loop {
            let frame = self.frame().await.expect("a close frame before the end");
            if frame.opcode == CLOSE {
                return frame.close();
            }
        }
    }

    /// Whether the server closes the TCP connection within `wait` (frames are skipped).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            let mut chunk = [0u8; 8192];
            match tokio::time::timeout_at(deadline, self.tcp.read(&mut chunk)).await {
                Err(_) => return false,
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
            }
        }
    }

    /// Joins as a new member and returns the welcome.
    pub async fn join_member(&mut self, name: &str) -> serde_json::Value {
        let hello = serde_json::json!({
            "type": "hello", "protocol": kring_protocol::PROTOCOL_VERSION,
            "join": {"as": "member", "name": name}
        });
        self.send_text(&hello.to_string()).await;
        let welcome = self.message().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        welcome
    }
}

fn frame_header(opcode: u8, fin: bool, len: u64) -> Vec<u8> {
    let mut frame = vec![if fin { 0x80 } else { 0 } | opcode];
    match len {
        0..=125 => frame.push(0x80 | len as u8),
        126..=0xFFFF => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&len.to_be_bytes());
        }
    }
    frame
}

/// A complete unmasked (server) frame at the start of `buf`, and the bytes it used.
fn parse_frame(buf: &[u8]) -> Option<(Frame, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let opcode = buf[0] & 0x0F;
    let (len, start) = match buf[1] & 0x7F {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (
            u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            10,
        ),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    if buf.len() < start + len {
        return None;
    }
    let payload = buf[start..start + len].to_vec();
    Some((Frame { opcode, payload }, start + len))
}

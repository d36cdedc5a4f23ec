//! WebSocket frames (RFC 6455), server side: frames we send are built whole, once; frames a
//! client sends are parsed with every check the RFC asks of a server.

use bytes::{Bytes, BytesMut};
use serde::Serialize;

const FIN: u8 = 0x80;
const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;
/// The longest header a server frame has (no mask): 2 bytes and a 64-bit length.
const MAX_HEADER: usize = 10;
/// Control frames carry at most this much (RFC 6455, 5.5).
const MAX_CONTROL_PAYLOAD: usize = 125;

/// A whole WebSocket frame as it goes on the wire, header included. Server frames are not
/// masked, so one frame is the same bytes for every recipient: a broadcast builds it once and
/// every member's socket writes those bytes (a clone is a reference count).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    wire: Bytes,
    /// Where the payload starts in `wire`.
    header: u8,
}

impl std::fmt::Debug for Frame {
    /// Sizes only: a frame carries session text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({} bytes)", self.wire.len())
    }
}

fn header_len(payload: usize) -> usize {
    match payload {
        0..=125 => 2,
        126..=0xFFFF => 4,
        _ => 10,
    }
}

/// Writes the header of a final frame with `opcode` and `payload` bytes into the end of
/// `room` (at least [`MAX_HEADER`] bytes); returns where it starts.
fn put_header(room: &mut [u8], opcode: u8, payload: usize) -> usize {
    let len = header_len(payload);
    let start = room.len() - len;
    let out = &mut room[start..];
    out[0] = FIN | opcode;
    match len {
        2 => out[1] = payload as u8,
        4 => {
            out[1] = 126;
            out[2..4].copy_from_slice(&(payload as u16).to_be_bytes());
        }
        _ => {
            out[1] = 127;
            out[2..10].copy_from_slice(&(payload as u64).to_be_bytes());
        }
    }
    start
}

impl Frame {
    fn build(opcode: u8, payload: &[u8]) -> Frame {
        let header = header_len(payload.len());
        let mut wire = BytesMut::with_capacity(header + payload.len());
        wire.resize(header, 0);
        put_header(&mut wire[..header], opcode, payload.len());
        wire.extend_from_slice(payload);
        Frame {
            wire: wire.freeze(),
            header: header as u8,
        }
    }

    /// A text frame holding `value` as JSON, serialised straight into the frame's buffer
    /// (room is left for the header in front, which is written once the length is known).
    pub(crate) fn json(value: &impl Serialize) -> Frame {
        Frame::text_with(256, |buf| {
            serde_json::to_writer(buf, value).expect("server messages always serialise")
        })
    }

    /// A text frame with `text` (already JSON, e.g. a stored ack).
    pub(crate) fn text(text: &str) -> Frame {
        Frame::build(OP_TEXT, text.as_bytes())
    }

    /// A text frame whose payload `write` appends to the buffer it is given (UTF-8: the
    /// caller writes JSON), built in place with room left for the header in front.
    pub(crate) fn text_with(capacity: usize, write: impl FnOnce(&mut Vec<u8>)) -> Frame {
        let mut buf = Vec::with_capacity(MAX_HEADER + capacity);
        buf.resize(MAX_HEADER, 0);
        write(&mut buf);
        let payload = buf.len() - MAX_HEADER;
        let start = put_header(&mut buf[..MAX_HEADER], OP_TEXT, payload);
        Frame {
            wire: Bytes::from(buf).slice(start..),
            header: (MAX_HEADER - start) as u8,
        }
    }

    /// An empty ping (the same static bytes every time).
    pub(crate) fn ping() -> Frame {
        Frame {
            wire: Bytes::from_static(&[FIN | OP_PING, 0]),
            header: 2,
        }
    }

    /// A close frame without a code: the answer to a peer's close that carried none.
    pub(crate) fn close_empty() -> Frame {
        Frame::build(OP_CLOSE, &[])
    }

    /// The answer to a ping: its payload back.
    pub(crate) fn pong(payload: &[u8]) -> Frame {
        Frame::build(OP_PONG, &payload[..payload.len().min(MAX_CONTROL_PAYLOAD)])
    }

    /// A close frame with `code` and a short reason (cut to fit a control frame).
    pub(crate) fn close(code: u16, reason: &str) -> Frame {
        let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let reason = &reason[..end];
        let mut payload = Vec::with_capacity(2 + reason.len());
        payload.extend_from_slice(&code.to_be_bytes());
        payload.extend_from_slice(reason.as_bytes());
        Frame::build(OP_CLOSE, &payload)
    }

    /// The frame as it goes on the wire.
    pub(crate) fn wire(&self) -> &Bytes {
        &self.wire
    }

    #[cfg(test)]
    pub(crate) fn payload(&self) -> &[u8] {
        &self.wire[usize::from(self.header)..]
    }

    /// Bytes on the wire.
    pub(crate) fn len(&self) -> usize {
        self.wire.len()
    }
}

/// A message a client sent, reassembled from its frames.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Incoming {
    Text(String),
    /// Binary data (refused by the protocol; its bytes are not kept).
    Binary,
    Ping(Vec<u8>),
    Pong,
    /// The close code, if the frame carried one.
    Close(Option<u16>),
}

/// Why a client's frames cannot be read on: the connection fails with this close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FrameError {
    /// A frame or message above the size limit (1009).
    #[error("message too large")]
    TooLarge,
    /// Text that is not UTF-8 (1007).
    #[error("invalid UTF-8")]
    Utf8,
    /// Anything else RFC 6455 forbids (1002): unmasked, reserved bits or opcodes, a control
    /// frame too long or fragmented, a continuation of nothing, a bad close code.
    #[error("protocol violation: {0}")]
    Protocol(&'static str),
}

impl FrameError {
    /// The close code RFC 6455 gives this failure.
    pub(crate) fn close_code(self) -> u16 {
        match self {
            FrameError::TooLarge => 1009,
            FrameError::Utf8 => 1007,
            FrameError::Protocol(_) => 1002,
        }
    }
}

/// Reads a client's frames from the bytes as they arrive. Holds nothing while idle: bytes of
/// a frame not yet complete are kept only until it is.
pub(crate) struct Reader {
    /// Received bytes not yet parsed (a partial frame).
    pending: Vec<u8>,
    /// The data message being reassembled from fragments, with its opcode.
    message: Option<(u8, Vec<u8>)>,
    max_message: usize,
    /// The peer broke the protocol; nothing more is read.
    failed: bool,
}

impl Reader {
    pub(crate) fn new(max_message: usize) -> Reader {
        Reader {
            pending: Vec::new(),
            message: None,
            max_message,
            failed: false,
        }
    }

    /// Adds received bytes.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The buffer to read into, with room for at least `at_least` more bytes (allocated only
    /// now, and given back once its bytes are parsed).
    pub(crate) fn room(&mut self, at_least: usize) -> &mut Vec<u8> {
        self.pending.reserve(at_least);
        &mut self.pending
    }

    /// Bytes held for reading (0 while idle).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.pending.capacity()
    }

    /// Frees the buffer if it holds nothing (after a read that found no data).
    pub(crate) fn release(&mut self) {
        if self.pending.is_empty() && self.pending.capacity() > 0 {
            self.pending = Vec::new();
        }
    }

    /// The next complete message, `Ok(None)` when more bytes are needed.
    pub(crate) fn next_message(&mut self) -> Result<Option<Incoming>, FrameError> {
        if self.failed {
            return Ok(None);
        }
        let result = self.parse();
        if result.is_err() {
            self.failed = true;
            self.pending = Vec::new();
            self.message = None;
        } else if self.pending.is_empty() && self.pending.capacity() > 0 {
            // Idle sockets keep no buffer.
            self.pending = Vec::new();
        } else if self.pending.capacity() > 4 * (self.pending.len() + 4096) {
            // A large message was read; what is left of the next one needs far less.
            self.pending.shrink_to(self.pending.len() + 4096);
        }
        result
    }

    fn parse(&mut self) -> Result<Option<Incoming>, FrameError> {
        loop {
            let Some((header, payload_len)) = self.header()? else {
                return Ok(None);
            };
            let total = header + payload_len;
            if self.pending.len() < total {
                return Ok(None);
            }
            let first = self.pending[0];
            let opcode = first & 0x0F;
            let fin = first & FIN != 0;
            let mask = [
                self.pending[header - 4],
                self.pending[header - 3],
                self.pending[header - 2],
                self.pending[header - 1],
            ];
            let mut payload: Vec<u8> = self.pending[header..total].to_vec();
            self.pending.drain(..total);
            for (i, byte) in payload.iter_mut().enumerate() {
                *byte ^= mask[i % 4];
            }
            match opcode {
                OP_CLOSE => return close_frame(&payload).map(|code| Some(Incoming::Close(code))),
                OP_PING => return Ok(Some(Incoming::Ping(payload))),
                OP_PONG => return Ok(Some(Incoming::Pong)),
                OP_TEXT | OP_BINARY if fin => return message(opcode, payload).map(Some),
                OP_TEXT | OP_BINARY => self.message = Some((opcode, payload)),
                _ => {
                    // A continuation (the header check made sure a message is open).
                    let Some((_, so_far)) = self.message.as_mut() else {
                        return Err(FrameError::Protocol("continuation of nothing"));
                    };
                    so_far.extend_from_slice(&payload);
                    if fin {
                        let (opcode, whole) = self.message.take().unwrap_or_default();
                        return message(opcode, whole).map(Some);
                    }
                }
            }
        }
    }

    /// The header at the start of `pending` once it is complete: its length and the
    /// payload's. Checks what can be checked before the payload arrives.
    fn header(&self) -> Result<Option<(usize, usize)>, FrameError> {
        let b = &self.pending;
        if b.len() < 2 {
            return Ok(None);
        }
        if b[0] & 0x70 != 0 {
            return Err(FrameError::Protocol("reserved bits set"));
        }
        let opcode = b[0] & 0x0F;
        let fin = b[0] & FIN != 0;
        if b[1] & 0x80 == 0 {
            return Err(FrameError::Protocol("client frame not masked"));
        }
        let control = opcode & 0x8 != 0;
        match opcode {
            OP_CLOSE | OP_PING | OP_PONG => {}
            OP_TEXT | OP_BINARY if self.message.is_some() => {
                return Err(FrameError::Protocol("new message inside a fragmented one"));
            }
            OP_TEXT | OP_BINARY => {}
            OP_CONTINUATION if self.message.is_none() => {
                return Err(FrameError::Protocol("continuation of nothing"));
            }
            OP_CONTINUATION => {}
            _ => return Err(FrameError::Protocol("reserved opcode")),
        }
        let short = usize::from(b[1] & 0x7F);
        if control && (!fin || short > MAX_CONTROL_PAYLOAD) {
            return Err(FrameError::Protocol("control frame fragmented or too long"));
        }
        let (len_bytes, payload_len) = match short {
            126 => {
                if b.len() < 4 {
                    return Ok(None);
                }
                (2, u64::from(u16::from_be_bytes([b[2], b[3]])))
            }
            127 => {
                if b.len() < 10 {
                    return Ok(None);
                }
                let mut len = [0u8; 8];
                len.copy_from_slice(&b[2..10]);
                let len = u64::from_be_bytes(len);
                if len >> 63 != 0 {
                    return Err(FrameError::Protocol("length with its top bit set"));
                }
                (8, len)
            }
            n => (0, n as u64),
        };
        // Refused on the header: a huge frame is not waited for.
        let so_far = self.message.as_ref().map_or(0, |(_, m)| m.len()) as u64;
        if so_far + payload_len > self.max_message as u64 {
            return Err(FrameError::TooLarge);
        }
        Ok(Some((2 + len_bytes + 4, payload_len as usize)))
    }
}

fn message(opcode: u8, payload: Vec<u8>) -> Result<Incoming, FrameError> {
    if opcode == OP_BINARY {
        return Ok(Incoming::Binary);
    }
    String::from_utf8(payload)
        .map(Incoming::Text)
        .map_err(|_| FrameError::Utf8)
}

/// A close frame's code (RFC 6455, 5.5.1 and 7.4): none, or a valid code and UTF-8 reason.
fn close_frame(payload: &[u8]) -> Result<Option<u16>, FrameError> {
    match payload.len() {
        0 => Ok(None),
        1 => Err(FrameError::Protocol("close frame of one byte")),
        _ => {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            let valid = matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999);
            if !valid {
                return Err(FrameError::Protocol("invalid close code"));
            }
            std::str::from_utf8(&payload[2..]).map_err(|_| FrameError::Utf8)?;
            Ok(Some(code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client frame: masked, as a browser sends it.
    fn client(first: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        let mut out = vec![first];
        match payload.len() {
            n @ 0..=125 => out.push(0x80 | n as u8),
            n @ 126..=0xFFFF => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    fn read_all(bytes: &[u8]) -> Vec<Result<Incoming, FrameError>> {
        let mut reader = Reader::new(64 * 1024);
        reader.extend(bytes);
        let mut out = Vec::new();
        loop {
            match reader.next_message() {
                Ok(Some(m)) => out.push(Ok(m)),
                Ok(None) => return out,
                Err(e) => {
                    out.push(Err(e));
                    return out;
                }
            }
        }
    }

    #[test]
    fn server_frames_have_the_shortest_header_for_their_length() {
        for (len, header) in [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)] {
            let text = "x".repeat(len);
            let frame = Frame::text(&text);
            assert_eq!(frame.len(), len + header, "{len}");
            assert_eq!(frame.payload(), text.as_bytes());
            assert_eq!(frame.wire()[0], 0x81);
            let json = Frame::json(&text);
            assert_eq!(
                json.payload(),
                serde_json::to_vec(&text).unwrap().as_slice()
            );
            assert_eq!(
                json.len(),
                json.payload().len() + header_len(json.payload().len())
            );
        }
        let frame = Frame::text("hi");
        assert_eq!(frame.wire().as_ref(), b"\x81\x02hi");
        assert_eq!(
            Frame::close(1000, "leave").wire().as_ref(),
            b"\x88\x07\x03\xe8leave"
        );
        assert_eq!(Frame::ping().wire().as_ref(), b"\x89\x00");
        assert_eq!(Frame::pong(b"ab").wire().as_ref(), b"\x8a\x02ab");
    }

    #[test]
    fn masked_frames_are_read_whole_and_in_pieces() {
        let mut bytes = client(0x81, br#"{"type":"ping","t":1}"#);
        bytes.extend(client(0x89, b"p"));
        bytes.extend(client(0x8A, b""));
        bytes.extend(client(0x88, &[0x03, 0xe8, b'b', b'y', b'e']));
        let whole = read_all(&bytes);
        assert_eq!(
            whole,
            vec![
                Ok(Incoming::Text(r#"{"type":"ping","t":1}"#.into())),
                Ok(Incoming::Ping(b"p".to_vec())),
                Ok(Incoming::Pong),
                Ok(Incoming::Close(Some(1000))),
            ]
        );
        // One byte at a time: the same messages, and no buffer kept between them.
        let mut reader = Reader::new(1024);
        let mut got = Vec::new();
        for byte in &bytes {
            reader.extend(&[*byte]);
            while let Some(m) = reader.next_message().unwrap() {
                got.push(Ok(m));
                assert_eq!(reader.pending.capacity(), 0);
            }
        }
        assert_eq!(got, whole);
    }

    #[test]
    fn fragments_are_joined_and_control_frames_may_come_between() {
        let mut bytes = client(0x01, b"{\"type\":");
        bytes.extend(client(0x89, b""));
        bytes.extend(client(0x00, b"\"ping\","));
        bytes.extend(client(0x80, b"\"t\":2}"));
        assert_eq!(
            read_all(&bytes),
            vec![
                Ok(Incoming::Ping(Vec::new())),
                Ok(Incoming::Text(r#"{"type":"ping","t":2}"#.into())),
            ]
        );
    }

    #[test]
    fn what_the_rfc_forbids_is_refused() {
        let unmasked = vec![0x81, 0x01, b'x'];
        let cases: Vec<(&str, Vec<u8>, FrameError)> = vec![
            (
                "unmasked",
                unmasked,
                FrameError::Protocol("client frame not masked"),
            ),
            (
                "rsv",
                client(0xC1, b"x"),
                FrameError::Protocol("reserved bits set"),
            ),
            (
                "opcode",
                client(0x83, b"x"),
                FrameError::Protocol("reserved opcode"),
            ),
            (
                "fragmented ping",
                client(0x09, b"x"),
                FrameError::Protocol("control frame fragmented or too long"),
            ),
            (
                "long ping",
                client(0x89, &[0; 126]),
                FrameError::Protocol("control frame fragmented or too long"),
            ),
            (
                "lone continuation",
                client(0x80, b"x"),
                FrameError::Protocol("continuation of nothing"),
            ),
            (
                "text inside a message",
                [client(0x01, b"a"), client(0x81, b"b")].concat(),
                FrameError::Protocol("new message inside a fragmented one"),
            ),
            ("bad utf-8", client(0x81, b"\xff\xfe"), FrameError::Utf8),
            (
                "close of one byte",
                client(0x88, b"\x03"),
                FrameError::Protocol("close frame of one byte"),
            ),
            (
                "close code 1005",
                client(0x88, b"\x03\xed"),
                FrameError::Protocol("invalid close code"),
            ),
            (
                "close reason not utf-8",
                client(0x88, b"\x03\xe8\xff"),
                FrameError::Utf8,
            ),
        ];
        for (what, bytes, want) in cases {
            let got = read_all(&bytes);
            assert_eq!(got.last(), Some(&Err(want)), "{what}: {got:?}");
        }
        assert_eq!(FrameError::TooLarge.close_code(), 1009);
        assert_eq!(FrameError::Utf8.close_code(), 1007);
        assert_eq!(FrameError::Protocol("x").close_code(), 1002);
    }

    #[test]
    fn sizes_are_checked_on_the_header() {
        let mut reader = Reader::new(1000);
        // Only a header announcing 2^40 bytes: refused before any payload.
        let mut header = vec![0x81, 0x80 | 127];
        header.extend_from_slice(&(1u64 << 40).to_be_bytes());
        reader.extend(&header);
        assert_eq!(reader.next_message(), Err(FrameError::TooLarge));
        assert_eq!(reader.next_message(), Ok(None), "nothing after a failure");

        // Fragments each under the limit, together over it.
        let mut reader = Reader::new(1000);
        reader.extend(&client(0x01, &[b'x'; 600]));
        assert_eq!(reader.next_message(), Ok(None));
        reader.extend(&client(0x80, &[b'x'; 600]));
        assert_eq!(reader.next_message(), Err(FrameError::TooLarge));

        let mut reader = Reader::new(1000);
        reader.extend(&client(0x81, &[b'x'; 1000]));
        assert!(matches!(reader.next_message(), Ok(Some(Incoming::Text(t))) if t.len() == 1000));
    }
}

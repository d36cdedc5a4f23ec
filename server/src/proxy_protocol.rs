//! The PROXY protocol (HAProxy's `send-proxy-v2`, and version 1 as nginx's stream module and
//! `send-proxy` send it): a header a proxy writes at the start of a TCP connection, before
//! any TLS or HTTP, giving the address of the client it accepted. Read only from trusted
//! proxies, and only with `--proxy-protocol` (see `client.rs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::io::{AsyncRead, AsyncReadExt};

/// The version 2 signature.
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// Version 1 headers are one line of at most 107 bytes, CRLF included.
const V1_MAX: usize = 107;
/// Version 2 address blocks are short; TLVs after them (which kring ignores) can be longer,
/// but a proxy has no reason to send kilobytes of them.
const V2_MAX_LEN: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ProxyHeaderError {
    #[error("reading the PROXY header failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a valid PROXY protocol header: {0}")]
    Invalid(&'static str),
}

/// Reads the PROXY header at the start of `stream`, and nothing after it. `Ok(None)` when the
/// header names no client (a proxy's own health check: `LOCAL`, `UNKNOWN`, or a Unix socket),
/// in which case the connection counts as the proxy's.
pub(crate) async fn read_header<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<Option<SocketAddr>, ProxyHeaderError> {
    let mut start = [0u8; 16];
    stream.read_exact(&mut start[..6]).await?;
    if &start[..6] == b"PROXY " {
        let mut line = start[..6].to_vec();
        while !line.ends_with(b"\r\n") {
            if line.len() >= V1_MAX {
                return Err(ProxyHeaderError::Invalid("version 1 line too long"));
            }
            line.push(stream.read_u8().await?);
        }
        return parse_v1(&line);
    }
    if start[..6] != V2_SIGNATURE[..6] {
        return Err(ProxyHeaderError::Invalid("no PROXY signature"));
    }
    stream.read_exact(&mut start[6..]).await?;
    let len = usize::from(u16::from_be_bytes([start[14], start[15]]));
    if len > V2_MAX_LEN {
        return Err(ProxyHeaderError::Invalid("version 2 header too long"));
    }
    let mut rest = vec![0u8; len];
    stream.read_exact(&mut rest).await?;
    parse_v2(&start, &rest)
}

/// A version 1 line, CRLF included: `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`.
pub(crate) fn parse_v1(line: &[u8]) -> Result<Option<SocketAddr>, ProxyHeaderError> {
    let invalid = ProxyHeaderError::Invalid;
    let line = line
        .strip_suffix(b"\r\n")
        .ok_or(invalid("version 1 line without CRLF"))?;
    let line = std::str::from_utf8(line).map_err(|_| invalid("version 1 line not ASCII"))?;
    let mut words = line.split(' ');
    if words.next() != Some("PROXY") {
        return Err(invalid("no PROXY signature"));
    }
    let family = words.next().ok_or(invalid("version 1 without a family"))?;
    if family == "UNKNOWN" {
        return Ok(None);
    }
    let fields: Vec<&str> = words.collect();
    let [src, _dst, sport, _dport] = fields[..] else {
        return Err(invalid("version 1 needs four fields"));
    };
    let ip: IpAddr = src
        .parse()
        .map_err(|_| invalid("version 1 source address"))?;
    let port: u16 = sport
        .parse()
        .map_err(|_| invalid("version 1 source port"))?;
    match (family, ip) {
        ("TCP4", IpAddr::V4(_)) | ("TCP6", IpAddr::V6(_)) => Ok(Some(SocketAddr::new(ip, port))),
        _ => Err(invalid("version 1 family and address disagree")),
    }
}

/// A version 2 header: its 16 fixed bytes and the `len` bytes after them.
pub(crate) fn parse_v2(
    start: &[u8; 16],
    rest: &[u8],
) -> Result<Option<SocketAddr>, ProxyHeaderError> {
    let invalid = ProxyHeaderError::Invalid;
    if start[..12] != V2_SIGNATURE {
        return Err(invalid("no PROXY signature"));
    }
    if start[12] >> 4 != 2 {
        return Err(invalid("version 2 with another version number"));
    }
    let family = start[13] >> 4;
    match start[12] & 0x0F {
        // LOCAL: the proxy speaking for itself (health checks).
        0 => return Ok(None),
        1 => {}
        _ => return Err(invalid("version 2 with an unknown command")),
    }
    match family {
        // AF_INET: source, destination, source port, destination port.
        1 => {
            let block: &[u8; 12] = rest
                .get(..12)
                .and_then(|b| b.try_into().ok())
                .ok_or(invalid("version 2 IPv4 block too short"))?;
            let ip = Ipv4Addr::new(block[0], block[1], block[2], block[3]);
            let port = u16::from_be_bytes([block[8], block[9]]);
            Ok(Some(SocketAddr::new(IpAddr::V4(ip), port)))
        }
        // AF_INET6.
        2 => {
            let block: &[u8; 36] = rest
                .get(..36)
                .and_then(|b| b.try_into().ok())
                .ok_or(invalid("version 2 IPv6 block too short"))?;
            let mut src = [0u8; 16];
            src.copy_from_slice(&block[..16]);
            let port = u16::from_be_bytes([block[32], block[33]]);
            Ok(Some(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(src)), port)))
        }
        // AF_UNSPEC, AF_UNIX: no client address to count by.
        0 | 3 => Ok(None),
        _ => Err(invalid("version 2 with an unknown address family")),
    }
}

/// A version 2 `PROXY` header for a TCP connection from `src` to `dst` (for tests, and as
/// the reference of what is read).
pub fn encode_v2(src: SocketAddr, dst: SocketAddr) -> Vec<u8> {
    let mut out = V2_SIGNATURE.to_vec();
    out.push(0x21);
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            out.push(0x11);
            out.extend_from_slice(&12u16.to_be_bytes());
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
        }
        (s, d) => {
            out.push(0x21);
            out.extend_from_slice(&36u16.to_be_bytes());
            out.extend_from_slice(&to_v6(s).octets());
            out.extend_from_slice(&to_v6(d).octets());
        }
    }
    out.extend_from_slice(&src.port().to_be_bytes());
    out.extend_from_slice(&dst.port().to_be_bytes());
    out
}

fn to_v6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    async fn read(bytes: &[u8]) -> (Result<Option<SocketAddr>, ProxyHeaderError>, Vec<u8>) {
        let mut stream = bytes;
        let result = read_header(&mut stream).await;
        (result, stream.to_vec())
    }

    #[tokio::test]
    async fn version_2_gives_the_source_and_leaves_the_request() {
        let src: SocketAddr = "203.0.113.9:51000".parse().unwrap();
        let dst: SocketAddr = "10.0.0.1:8080".parse().unwrap();
        let mut bytes = encode_v2(src, dst);
        bytes.extend_from_slice(b"GET / HTTP/1.1\r\n");
        let (result, left) = read(&bytes).await;
        assert_eq!(result.unwrap(), Some(src));
        assert_eq!(left, b"GET / HTTP/1.1\r\n");

        let src6: SocketAddr = "[2001:db8::7]:4711".parse().unwrap();
        let (result, _) = read(&encode_v2(src6, "[::1]:80".parse().unwrap())).await;
        assert_eq!(result.unwrap(), Some(src6));

        // LOCAL (a health check) with TLVs after it.
        let mut local = V2_SIGNATURE.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0x00, 0x03, 0xAA, 0xBB, 0xCC]);
        local.extend_from_slice(b"GET");
        let (result, left) = read(&local).await;
        assert_eq!(result.unwrap(), None);
        assert_eq!(left, b"GET");
    }

    #[tokio::test]
    async fn version_1_gives_the_source_and_leaves_the_request() {
        let (result, left) = read(b"PROXY TCP4 192.0.2.5 10.0.0.1 56324 443\r\nGET").await;
        assert_eq!(result.unwrap(), Some("192.0.2.5:56324".parse().unwrap()));
        assert_eq!(left, b"GET");
        let (result, _) = read(b"PROXY TCP6 2001:db8::1 ::1 1 2\r\n").await;
        assert_eq!(result.unwrap(), Some("[2001:db8::1]:1".parse().unwrap()));
        let (result, _) = read(b"PROXY UNKNOWN\r\n").await;
        assert_eq!(result.unwrap(), None);
    }

    #[tokio::test]
    async fn anything_else_is_refused() {
        for bad in [
            &b"GET / HTTP/1.1\r\n\r\n"[..],
            b"PROXY TCP4 192.0.2.5 10.0.0.1 56324\r\n",
            b"PROXY TCP4 2001:db8::1 ::1 1 2\r\n",
            b"PROXY TCP4 192.0.2.5 10.0.0.1 99999 443\r\n",
            b"\r\n\r\n\0\r\nQUIT\n\x31\x11\x00\x0c",
            b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x04\x01\x02\x03\x04",
            b"\r\n\r\n\0\r\nQUIT\n\x21\x11\xff\xff",
        ] {
            let (result, _) = read(bad).await;
            assert!(result.is_err(), "{bad:?}");
        }
        let long = format!("PROXY TCP4 {}\r\n", "1".repeat(200));
        assert!(read(long.as_bytes()).await.0.is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let _ = runtime.block_on(read(&bytes));
            let mut v2 = V2_SIGNATURE.to_vec();
            v2.extend_from_slice(&bytes);
            let _ = runtime.block_on(read(&v2));
            let mut v1 = b"PROXY ".to_vec();
            v1.extend_from_slice(&bytes);
            let _ = runtime.block_on(read(&v1));
        }

        #[test]
        fn what_is_encoded_is_read_back(a in any::<[u8; 16]>(), v4 in any::<bool>(), port in any::<u16>()) {
            let ip = if v4 {
                IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
            } else {
                IpAddr::V6(Ipv6Addr::from(a))
            };
            let src = SocketAddr::new(ip, port);
            let dst = SocketAddr::new(ip, 443);
            let bytes = encode_v2(src, dst);
            let mut start = [0u8; 16];
            start.copy_from_slice(&bytes[..16]);
            prop_assert_eq!(parse_v2(&start, &bytes[16..]).unwrap(), Some(src));
        }
    }
}

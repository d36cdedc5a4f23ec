//! Who the client is. Every per-address limit counts by this address, so behind a reverse
//! proxy it must be the client's, not the proxy's, and nobody else may choose it.
//!
//! A connection's peer is the client, unless the peer is a trusted proxy
//! (`--trusted-proxies`). Then the client is, in this order:
//! 1. with `--proxy-protocol`, the source address of the PROXY protocol header the proxy
//!    sends first on the connection (`proxy_protocol.rs`); if that source is itself a trusted
//!    proxy, on to 2;
//! 2. per request, the rightmost address in the forwarding header (`--forwarded-header`:
//!    `X-Forwarded-For` or RFC 7239 `Forwarded`) that is not a trusted proxy: each proxy
//!    appends the address it got the request from, so everything to the left of the last
//!    untrusted hop was written by someone we do not trust;
//! 3. the trusted peer itself, when the request carries no such header (its health checks).
//!
//! Without `--trusted-proxies` no header is looked at: any client could send one.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use clap::ValueEnum;
use ipnet::IpNet;

/// The most forwarding hops looked at, from the right.
const MAX_HOPS: usize = 32;

/// Which header a trusted proxy writes the client's address into. Only one is read: a header
/// the proxy does not touch passes through with whatever the client put in it.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, Caddy, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for=proxy1`.
    Forwarded,
}

/// The proxies whose word on the client's address is taken.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>, header: ForwardedHeader) -> Self {
        TrustedProxies { nets, header }
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that reached us from `peer` (after any PROXY header) with
    /// `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => x_forwarded_for(headers),
            ForwardedHeader::Forwarded => forwarded_for(headers),
        };
        self.rightmost_untrusted(peer, &hops)
    }

    /// Walks `hops` (as the header lists them, left to right) from the right, past trusted
    /// proxies, to the first address that is not one. An entry that cannot be read ends the
    /// walk at the last trusted hop: what is beyond it cannot be vouched for.
    fn rightmost_untrusted(&self, peer: IpAddr, hops: &[Option<IpAddr>]) -> IpAddr {
        let mut client = peer;
        for hop in hops.iter().rev().take(MAX_HOPS) {
            let Some(ip) = hop else {
                return client;
            };
            let ip = ip.to_canonical();
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

/// Parses a trusted-proxy entry: a CIDR (`10.0.0.0/8`, `fd00::/8`) or one address.
pub fn parse_net(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is not an address or a CIDR such as 10.0.0.0/8"))
}

/// The entries of every `X-Forwarded-For` line, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(parse_node).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` of every element of every `Forwarded` line, in order (RFC 7239, section 4).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(element_for).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

fn element_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))?
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]`, `[2001:db8::1]:4711`. `unknown` and obfuscated names are `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    node.parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            node.strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<IpAddr>()
                .ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(nets: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| parse_net(n).unwrap()).collect(), header)
    }

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(name, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_headers_are_ignored() {
        let none = TrustedProxies::default();
        let h = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(none.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        // A peer outside the trusted nets cannot choose its address either.
        let p = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(p.client(ip("192.0.2.7"), &h), ip("192.0.2.7"));
    }

    #[test]
    fn x_forwarded_for_gives_the_rightmost_untrusted_hop() {
        let p = proxies(&["127.0.0.1", "10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        let peer = ip("127.0.0.1");
        // The client's own claim (left) is not believed; the hop our proxy saw is.
        let h = headers("x-forwarded-for", &["1.2.3.4, 203.0.113.9"]);
        assert_eq!(p.client(peer, &h), ip("203.0.113.9"));
        // Through two trusted proxies, over several header lines.
        let h = headers("x-forwarded-for", &["1.2.3.4", "203.0.113.9, 10.1.2.3"]);
        assert_eq!(p.client(peer, &h), ip("203.0.113.9"));
        // Ports, brackets and IPv6.
        let h = headers("x-forwarded-for", &["[2001:db8::7]:4711"]);
        assert_eq!(p.client(peer, &h), ip("2001:db8::7"));
        let h = headers("x-forwarded-for", &["198.51.100.2:5000"]);
        assert_eq!(p.client(peer, &h), ip("198.51.100.2"));
        // Garbage from the right stops at the last trusted hop.
        let h = headers("x-forwarded-for", &["1.2.3.4, garbage, 10.0.0.5"]);
        assert_eq!(p.client(peer, &h), ip("10.0.0.5"));
        // Only trusted hops: the leftmost of them.
        let h = headers("x-forwarded-for", &["10.0.0.9, 10.0.0.5"]);
        assert_eq!(p.client(peer, &h), ip("10.0.0.9"));
        // No header: the proxy itself.
        assert_eq!(p.client(peer, &HeaderMap::new()), peer);
        // A mapped IPv4 peer is the IPv4 address.
        let h = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &h), ip("203.0.113.9"));
        // The Forwarded header is not the one configured: ignored.
        let h = headers("forwarded", &["for=203.0.113.9"]);
        assert_eq!(p.client(peer, &h), peer);
    }

    #[test]
    fn forwarded_is_read_as_rfc_7239_says() {
        let p = proxies(&["127.0.0.0/8", "::1/128"], ForwardedHeader::Forwarded);
        let peer = ip("::1");
        let h = headers(
            "forwarded",
            &[r#"for=1.2.3.4, For="[2001:db8:cafe::17]:4711";proto=https;by=127.0.0.1"#],
        );
        assert_eq!(p.client(peer, &h), ip("2001:db8:cafe::17"));
        let h = headers("forwarded", &["for=192.0.2.60;proto=http;by=203.0.113.43"]);
        assert_eq!(p.client(peer, &h), ip("192.0.2.60"));
        let h = headers("forwarded", &["for=unknown", "for=127.0.0.2"]);
        assert_eq!(p.client(peer, &h), ip("127.0.0.2"));
        let h = headers("x-forwarded-for", &["192.0.2.60"]);
        assert_eq!(p.client(peer, &h), peer);
    }

    #[test]
    fn nets_parse_as_cidrs_or_addresses() {
        assert!(parse_net("10.0.0.0/8").is_ok());
        assert!(parse_net(" ::1 ").is_ok());
        assert!(parse_net("fd00::/8").is_ok());
        assert!(parse_net("localhost").is_err());
        assert!(parse_net("10.0.0.0/33").is_err());
    }
}

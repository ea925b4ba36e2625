//! Outbound HTTP to partners' URLs, kept from reaching inside the
//! network veche runs in (SSRF). A partner URL is typed by an
//! administrator, and a webhook target answers whatever it likes, so:
//!
//! - an address that is not public (loopback, private, link-local, shared,
//!   multicast, unspecified, reserved, and IPv6 forms of these) is refused
//!   **after DNS resolution**, by a resolver that drops such addresses, so a
//!   name that resolves to 127.0.0.1 is refused like the literal; literal
//!   IP hosts (which never reach a resolver) are checked before sending;
//! - redirects are not followed (a 3xx is a failed delivery), or a public
//!   target could bounce the request inside;
//! - no proxy from the environment: it would resolve names where this check
//!   cannot see;
//! - an administrator may allow a host (and port) explicitly with
//!   `VECHE_OUTBOUND_ALLOW_HOSTS` (a core on the same private network, tests
//!   on loopback).
//!
//! The standard library's `is_global` is not stable yet, so the list of
//! non-public ranges is written here, on top of its stable predicates.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::error::Msg;

/// One `host[:port]` entry of `VECHE_OUTBOUND_ALLOW_HOSTS`; without a port,
/// every port of the host is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    host: Host<String>,
    port: Option<u16>,
}

impl FromStr for AllowedHost {
    type Err = String;

    fn from_str(s: &str) -> Result<AllowedHost, String> {
        let s = s.trim();
        // The URL parser normalises the host the way request URLs are
        // normalised (lower case, IP forms), so the two compare equal.
        let url = Url::parse(&format!("http://{s}/"))
            .ok()
            .filter(|u| u.username().is_empty() && u.path() == "/" && !s.contains('/'))
            .ok_or_else(|| format!("“{s}” is not host[:port] (IPv6 in brackets: [::1]:8080)"))?;
        let host = url
            .host()
            .ok_or_else(|| format!("“{s}” has no host"))?
            .to_owned();
        Ok(AllowedHost {
            host,
            port: url.port(),
        })
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// Whether `url`'s host and port are on the allow-list.
pub fn allowed(url: &Url, allow: &[AllowedHost]) -> bool {
    let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else {
        return false;
    };
    let host = host.to_owned();
    allow
        .iter()
        .any(|a| a.host == host && a.port.is_none_or(|p| p == port))
}

/// Why an address is not public, or `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space (100.64.0.0/10)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if a == 0 {
        Some("unspecified (0.0.0.0/8)")
    } else if a >= 240 {
        Some("reserved or broadcast")
    } else if ip.is_documentation() || (a == 198 && (b & 0xfe) == 18) || (a, b, c) == (192, 0, 0) {
        Some("reserved")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    // Forms that carry an IPv4 address: IPv4-compatible (::a.b.c.d) and
    // NAT64 (64:ff9b::/96) reach what the IPv4 address reaches.
    let embedded = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_unique_local() {
        Some("private (fc00::/7)")
    } else if ip.is_unicast_link_local() || (s[0] & 0xffc0) == 0xfec0 {
        Some("link-local")
    } else if s[..6] == [0; 6]
        || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
        || s[..3] == [0x64, 0xff9b, 1]
        || s[..6] == [0, 0, 0, 0, 0xffff, 0]
    {
        // Also local-use NAT64 (64:ff9b:1::/48) and IPv4-translated
        // (::ffff:0:a.b.c.d).
        non_public_v4(embedded).or(Some("IPv4-compatible"))
    } else if s[0] == 0x2002 {
        // 6to4 carries an IPv4 address in its second and third segments.
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        non_public_v4(v4)
    } else if s[0] == 0x2001 && s[1] == 0xdb8 {
        Some("documentation")
    } else {
        None
    }
}

/// The refusal of an address, carried through reqwest's error chain so the
/// delivery error can say what happened.
#[derive(Debug)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn refusal(host: &str, ip: IpAddr, why: &str) -> String {
    format!(
        "{host} is {ip}, a {why} address; outbound requests go to public addresses only \
         (allow the host with VECHE_OUTBOUND_ALLOW_HOSTS)"
    )
}

/// A resolver that keeps only public addresses.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(resolve_public(name.as_str().to_owned()))
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn resolve_public(host: String) -> Result<Addrs, BoxError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    let public: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| non_public(a.ip()).is_none())
        .collect();
    if public.is_empty() {
        let message = match found.first().map(SocketAddr::ip) {
            Some(ip) => refusal(&host, ip, non_public(ip).unwrap_or("non-public")),
            None => format!("{host} has no address"),
        };
        return Err(Box::new(Refused(message)));
    }
    Ok(Box::new(public.into_iter()))
}

/// The HTTP clients of the exchange: one that reaches public addresses
/// only, one for hosts the administrator allowed.
#[derive(Clone)]
pub struct Outbound {
    public: reqwest::Client,
    trusted: reqwest::Client,
    allow: Arc<Vec<AllowedHost>>,
}

impl Outbound {
    pub fn new(allow: Vec<AllowedHost>, timeout: Duration) -> Outbound {
        let builder = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
        };
        Outbound {
            public: builder()
                .dns_resolver(Arc::new(PublicOnly))
                .build()
                .expect("an HTTP client"),
            trusted: builder().build().expect("an HTTP client"),
            allow: Arc::new(allow),
        }
    }

    /// The client for `url`, or why it may not be reached.
    pub fn client_for(&self, url: &Url) -> Result<&reqwest::Client, String> {
        if allowed(url, &self.allow) {
            return Ok(&self.trusted);
        }
        if let Some(ip) = literal_ip(url)
            && let Some(why) = non_public(ip)
        {
            return Err(refusal(url.host_str().unwrap_or(""), ip, why));
        }
        Ok(&self.public)
    }
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    }
}

/// The origin of a URL (scheme, host, port) for errors and logs: a path or
/// query may carry a token.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Checks a partner URL when it is saved: http(s), and a public address
/// unless allowed. A name is resolved now; one that does not resolve yet is
/// accepted (delivery checks again), one with any non-public address is
/// refused.
pub async fn check_url(url: &str, allow: &[AllowedHost]) -> Result<Url, Msg> {
    let parsed =
        Url::parse(url).map_err(|_| Msg::new("URL не разобран.", "The URL could not be read."))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(Msg::new(
            "URL должен начинаться с http:// или https:// и называть узел.",
            "The URL must start with http:// or https:// and name a host.",
        ));
    }
    if allowed(&parsed, allow) {
        return Ok(parsed);
    }
    let host = parsed.host_str().unwrap_or("").to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match literal_ip(&parsed) {
        Some(ip) => vec![ip],
        None => tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .map(|a| a.map(|a| a.ip()).collect())
        .unwrap_or_default(),
    };
    for ip in addresses {
        if let Some(why) = non_public(ip) {
            return Err(Msg::new(
                format!(
                    "Адрес {host} — {ip}, это не публичный адрес ({why}). Исходящие запросы \
                     идут только на публичные адреса; чтобы разрешить этот узел, администратор \
                     сервера указывает его в VECHE_OUTBOUND_ALLOW_HOSTS."
                ),
                format!(
                    "{host} is {ip}, which is not a public address ({why}). Outbound requests \
                     go to public addresses only; to allow this host, the server's \
                     administrator lists it in VECHE_OUTBOUND_ALLOW_HOSTS."
                ),
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_named() {
        for ip in [
            "127.0.0.1",
            "127.8.8.8",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "::ffff:0:7f00:1",
            "2002:a9fe:a9fe::1",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(non_public(ip).is_some(), "{ip} should be refused");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.0.1",
            "100.128.0.1",
            "172.32.0.1",
            "2a00:1450:4010::200e",
            "::ffff:8.8.8.8",
            "2002:808:808::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn the_allow_list_matches_host_and_port() {
        let allow: Vec<AllowedHost> = ["127.0.0.1:8080", "Core.Internal", "[::1]:9000"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ok = |u: &str| allowed(&Url::parse(u).unwrap(), &allow);
        assert!(ok("http://127.0.0.1:8080/api"));
        assert!(!ok("http://127.0.0.1:8081/api"));
        assert!(ok("https://core.internal/x"));
        assert!(ok("http://core.internal:81/x"));
        assert!(ok("http://[::1]:9000/"));
        assert!(!ok("http://[::1]:9001/"));
        assert!(!ok("http://localhost:8080/"));
        assert!("http://x/".parse::<AllowedHost>().is_err());
        assert!("a/b".parse::<AllowedHost>().is_err());
        assert!("".parse::<AllowedHost>().is_err());
    }
}

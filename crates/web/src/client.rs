//! The client's address behind a reverse proxy. `ANJIAN_TRUSTED_PROXIES` lists the
//! proxies (addresses or CIDRs) whose `X-Forwarded-For` is believed; from any other peer
//! the header is ignored, so that nobody can pick the address the rate limits and the
//! audit chain see. Behind the TLS proxy every deployment uses, each member of the
//! public then has their own budget instead of sharing the proxy's.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The trusted proxies: (network, prefix length).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Reads "10.0.0.0/8, 127.0.0.1, ::1"; the error names the entry at fault.
    pub fn parse(raw: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for part in raw
            .split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (ip, bits) = match part.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (part, None),
            };
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("ANJIAN_TRUSTED_PROXIES 中的“{part}”不是地址或 CIDR"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits =
                match bits {
                    Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| {
                        format!("ANJIAN_TRUSTED_PROXIES 中的“{part}”前缀长度无效")
                    })?,
                    None => max,
                };
            out.push((ip, bits));
        }
        Ok(TrustedProxies(out))
    }

    /// Whether `ip` is one of the proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_network(ip, *net, *bits))
    }

    /// The client of a request from `peer` with `headers`: the right-most address of
    /// `X-Forwarded-For` that is not a trusted proxy, when the peer is one; the peer
    /// otherwise.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter_map(|a| a.parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.contains(*a))
            .unwrap_or(peer)
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(xff: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("x-forwarded-for", xff.parse().unwrap());
        m
    }

    #[test]
    fn the_header_is_believed_from_trusted_proxies_only() {
        let t = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            t.client(proxy, &h("198.51.100.7")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A client cannot choose its address by writing the header itself: the
        // right-most untrusted address is taken.
        assert_eq!(
            t.client(proxy, &h("1.1.1.1, 198.51.100.7, 10.0.0.5")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(t.client(stranger, &h("198.51.100.7")), stranger);
        assert_eq!(t.client(proxy, &HeaderMap::new()), proxy);
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy").is_err());
    }
}

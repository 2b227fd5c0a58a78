//! A small WHATWG-style URL for `http(s)` URLs: the subset Clerk's decisions depend on
//! (origin, pathname, query parameters with `URLSearchParams` serialisation, relative
//! resolution). The `url` crate would bring IDNA tables into the edge build; hosts that need
//! IDNA are rejected here, which callers treat like any unparsable URL.

use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    scheme: String,
    /// `user:pass@` or empty.
    userinfo: String,
    hostname: String,
    port: Option<u16>,
    /// Always starts with `/` for special (http/https) URLs.
    path: String,
    query: Option<String>,
    fragment: Option<String>,
    /// Non-special URLs (`android-app:`, `mailto:` …) keep their text; their origin is opaque.
    opaque: Option<String>,
}

const C0_OR_SPACE: fn(char) -> bool = |c| c <= ' ';

fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let colon = input.find(':')?;
    let scheme = input.get(..colon)?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some((scheme, input.get(colon + 1..)?))
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn clean(input: &str) -> String {
    input
        .trim_matches(C0_OR_SPACE)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn push_encoded(out: &mut String, c: char, set: fn(char) -> bool) {
    if set(c) {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            let _ = write!(out, "%{b:02X}");
        }
    } else {
        out.push(c);
    }
}

fn path_set(c: char) -> bool {
    c <= ' ' || c > '~' || matches!(c, '"' | '#' | '<' | '>' | '?' | '`' | '{' | '}')
}
fn query_set(c: char) -> bool {
    c <= ' ' || c > '~' || matches!(c, '"' | '#' | '<' | '>' | '\'')
}
fn fragment_set(c: char) -> bool {
    c <= ' ' || c > '~' || matches!(c, '"' | '<' | '>' | '`')
}
fn userinfo_set(c: char) -> bool {
    path_set(c)
        || matches!(
            c,
            '/' | ':' | ';' | '=' | '@' | '[' | '\\' | ']' | '^' | '|'
        )
}

fn is_dot(seg: &str) -> bool {
    seg == "." || seg.eq_ignore_ascii_case("%2e")
}
fn is_dot_dot(seg: &str) -> bool {
    matches!(
        seg.to_ascii_lowercase().as_str(),
        ".." | ".%2e" | "%2e." | "%2e%2e"
    )
}

fn normalize_path(raw: &str) -> String {
    let body = raw.strip_prefix('/').unwrap_or(raw);
    let segs: Vec<&str> = body.split('/').collect();
    let last = segs.len().saturating_sub(1);
    let mut out: Vec<String> = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        if is_dot_dot(seg) {
            out.pop();
            if i == last {
                out.push(String::new());
            }
        } else if is_dot(seg) {
            if i == last {
                out.push(String::new());
            }
        } else {
            let mut enc = String::with_capacity(seg.len());
            for c in seg.chars() {
                push_encoded(&mut enc, c, path_set);
            }
            out.push(enc);
        }
    }
    let mut path = String::with_capacity(raw.len() + 1);
    for seg in &out {
        path.push('/');
        path.push_str(seg);
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// Percent-decodes bytes; malformed escapes are kept literally (as browsers and `URLSearchParams` do).
pub fn percent_decode_bytes(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            let hex = |j: usize| input.get(j).and_then(|c| (*c as char).to_digit(16));
            if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn parse_host(raw: &str) -> Option<String> {
    if let Some(inner) = raw.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'))
        {
            return None;
        }
        return Some(format!("[{}]", inner.to_ascii_lowercase()));
    }
    let decoded = String::from_utf8(percent_decode_bytes(raw.as_bytes())).ok()?;
    if decoded.is_empty() || !decoded.is_ascii() {
        return None;
    }
    let forbidden = |c: char| {
        c <= ' '
            || c == '\u{7f}'
            || matches!(
                c,
                '#' | '%' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
            )
    };
    if decoded.chars().any(forbidden) {
        return None;
    }
    Some(decoded.to_ascii_lowercase())
}

impl Url {
    /// Parses an absolute URL. `None` for relative references and invalid URLs.
    pub fn parse(input: &str) -> Option<Url> {
        let input = clean(input);
        let (scheme, rest) = split_scheme(&input)?;
        let scheme = scheme.to_ascii_lowercase();
        if default_port(&scheme).is_none() {
            return Some(Url {
                opaque: Some(rest.to_string()),
                scheme,
                userinfo: String::new(),
                hostname: String::new(),
                port: None,
                path: String::new(),
                query: None,
                fragment: None,
            });
        }
        let rest = rest.trim_start_matches(['/', '\\']);
        let auth_end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..auth_end)?;
        let tail = rest.get(auth_end..)?;
        let (userinfo_raw, hostport) = match authority.rfind('@') {
            Some(at) => (authority.get(..at)?, authority.get(at + 1..)?),
            None => ("", authority),
        };
        let (host_raw, port_raw) = if hostport.starts_with('[') {
            let close = hostport.find(']')?;
            let after = hostport.get(close + 1..)?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return None,
            };
            (hostport.get(..=close)?, port)
        } else {
            match hostport.rfind(':') {
                Some(c) => (hostport.get(..c)?, Some(hostport.get(c + 1..)?)),
                None => (hostport, None),
            }
        };
        let hostname = parse_host(host_raw)?;
        let port = match port_raw {
            None | Some("") => None,
            Some(p) => {
                if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 {
                    return None;
                }
                let n: u32 = p.parse().ok()?;
                let n = u16::try_from(n).ok()?;
                if default_port(&scheme) == Some(n) {
                    None
                } else {
                    Some(n)
                }
            }
        };
        let mut userinfo = String::new();
        if !userinfo_raw.is_empty() {
            for c in userinfo_raw.chars() {
                if c == ':' {
                    userinfo.push(':');
                } else {
                    push_encoded(&mut userinfo, c, userinfo_set);
                }
            }
            userinfo.push('@');
        }
        let (before_frag, fragment) = match tail.find('#') {
            Some(h) => (tail.get(..h)?, Some(tail.get(h + 1..)?)),
            None => (tail, None),
        };
        let (path_raw, query) = match before_frag.find('?') {
            Some(q) => (before_frag.get(..q)?, Some(before_frag.get(q + 1..)?)),
            None => (before_frag, None),
        };
        let path = normalize_path(&path_raw.replace('\\', "/"));
        let encode_all = |s: &str, set: fn(char) -> bool| {
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                push_encoded(&mut out, c, set);
            }
            out
        };
        Some(Url {
            scheme,
            userinfo,
            hostname,
            port,
            path,
            query: query.map(|q| encode_all(q, query_set)),
            fragment: fragment.map(|f| encode_all(f, fragment_set)),
            opaque: None,
        })
    }

    /// Resolves `input` against `self` like `new URL(input, base)`.
    pub fn join(&self, input: &str) -> Option<Url> {
        let input = clean(input);
        if split_scheme(&input).is_some() {
            return Url::parse(&input);
        }
        if self.opaque.is_some() {
            return None;
        }
        let authority = format!("{}://{}{}", self.scheme, self.userinfo, self.host());
        let starts_slash = |s: &str| s.starts_with('/') || s.starts_with('\\');
        let joined = if starts_slash(&input) && input.get(1..).is_some_and(starts_slash) {
            format!("{}:{}", self.scheme, input)
        } else if starts_slash(&input) {
            format!("{authority}{input}")
        } else if input.is_empty() {
            format!("{authority}{}{}", self.path, self.search())
        } else if input.starts_with('?') {
            format!("{authority}{}{input}", self.path)
        } else if input.starts_with('#') {
            format!("{authority}{}{}{input}", self.path, self.search())
        } else {
            let dir = match self.path.rfind('/') {
                Some(i) => self.path.get(..=i).unwrap_or("/"),
                None => "/",
            };
            format!("{authority}{dir}{input}")
        };
        Url::parse(&joined)
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }
    pub fn is_special(&self) -> bool {
        self.opaque.is_none()
    }
    pub fn hostname(&self) -> &str {
        &self.hostname
    }
    /// `hostname[:port]`.
    pub fn host(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.hostname),
            None => self.hostname.clone(),
        }
    }
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// `scheme://host[:port]`, or `null` for opaque origins.
    pub fn origin(&self) -> String {
        if self.opaque.is_some() {
            return "null".into();
        }
        format!("{}://{}", self.scheme, self.host())
    }
    pub fn pathname(&self) -> &str {
        &self.path
    }
    /// `""` or `?query` (an empty query prints as `""`, like `URL.search`).
    pub fn search(&self) -> String {
        match &self.query {
            Some(q) if !q.is_empty() => format!("?{q}"),
            _ => String::new(),
        }
    }
    pub fn hash(&self) -> String {
        match &self.fragment {
            Some(f) if !f.is_empty() => format!("#{f}"),
            _ => String::new(),
        }
    }
    pub fn href(&self) -> String {
        if let Some(o) = &self.opaque {
            return format!("{}:{o}", self.scheme);
        }
        let mut s = format!(
            "{}://{}{}{}",
            self.scheme,
            self.userinfo,
            self.host(),
            self.path
        );
        if let Some(q) = &self.query {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = &self.fragment {
            s.push('#');
            s.push_str(f);
        }
        s
    }

    /// The query as `URLSearchParams` sees it.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(parse_form).unwrap_or_default()
    }
    /// First value of a query parameter.
    pub fn query_get(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
    /// Replaces the query with the form-urlencoded pairs (no `?` when empty), as every
    /// `URLSearchParams` mutation does.
    pub fn set_query_pairs(&mut self, pairs: &[(String, String)]) {
        let q = serialize_form(pairs);
        self.query = if q.is_empty() { None } else { Some(q) };
    }
    /// `searchParams.delete(name)` for each name.
    pub fn remove_query_params(&mut self, names: &[&str]) {
        let pairs: Vec<_> = self
            .query_pairs()
            .into_iter()
            .filter(|(k, _)| !names.contains(&k.as_str()))
            .collect();
        self.set_query_pairs(&pairs);
    }
    /// `searchParams.append(name, value)`.
    pub fn append_query_param(&mut self, name: &str, value: &str) {
        let mut pairs = self.query_pairs();
        pairs.push((name.to_string(), value.to_string()));
        self.set_query_pairs(&pairs);
    }
    /// `searchParams.set(name, value)`: replaces the first, drops the others, else appends.
    pub fn set_query_param(&mut self, name: &str, value: &str) {
        let mut pairs = Vec::new();
        let mut done = false;
        for (k, v) in self.query_pairs() {
            if k == name {
                if !done {
                    pairs.push((k, value.to_string()));
                    done = true;
                }
            } else {
                pairs.push((k, v));
            }
        }
        if !done {
            pairs.push((name.to_string(), value.to_string()));
        }
        self.set_query_pairs(&pairs);
    }
}

/// `application/x-www-form-urlencoded` parsing.
pub fn parse_form(query: &str) -> Vec<(String, String)> {
    let dec = |s: &str| {
        let bytes = s.replace('+', " ");
        String::from_utf8_lossy(&percent_decode_bytes(bytes.as_bytes())).into_owned()
    };
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (dec(k), dec(v)),
            None => (dec(pair), String::new()),
        })
        .collect()
}

/// `application/x-www-form-urlencoded` byte serialisation of one string.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

pub fn serialize_form(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn href(s: &str) -> String {
        Url::parse(s)
            .map(|u| u.href())
            .unwrap_or_else(|| "<invalid>".into())
    }

    #[test]
    fn parses_like_whatwg() {
        assert_eq!(
            href("HTTPS://App.Example.COM:443/a/./b/../c?x=1#f"),
            "https://app.example.com/a/c?x=1#f"
        );
        assert_eq!(href("http://localhost:3000"), "http://localhost:3000/");
        assert_eq!(href("http://h.com//path"), "http://h.com//path");
        assert_eq!(href("http://h.com/a b?c d"), "http://h.com/a%20b?c%20d");
        assert_eq!(href("http://h.com/%2e%2E/x"), "http://h.com/x");
        assert_eq!(href("http://<bad>host/p"), "<invalid>");
        assert_eq!(href("http://z.xfh\"></script>/p"), "<invalid>");
        assert_eq!(href("not a url"), "<invalid>");
        assert_eq!(href("http://h.com:99999/"), "<invalid>");
        assert_eq!(href("http://[::1]:8080/x"), "http://[::1]:8080/x");
        assert_eq!(href("http://ex%61mple.com/"), "http://example.com/");
        assert_eq!(
            Url::parse("android-app://com.x/").map(|u| u.origin()),
            Some("null".into())
        );
    }

    #[test]
    fn resolves_relative() {
        let base = Url::parse("https://app.example.com/a/b?q=1").unwrap();
        assert_eq!(
            base.join("/sign-in").unwrap().href(),
            "https://app.example.com/sign-in"
        );
        assert_eq!(
            base.join("c").unwrap().href(),
            "https://app.example.com/a/c"
        );
        assert_eq!(
            base.join("//other.com/x").unwrap().href(),
            "https://other.com/x"
        );
        assert_eq!(
            base.join("?z=2").unwrap().href(),
            "https://app.example.com/a/b?z=2"
        );
        assert_eq!(base.join("http://x.com").unwrap().href(), "http://x.com/");
        let proxy = Url::parse("https://p.example.com/clerk-proxy/").unwrap();
        assert_eq!(
            proxy.join("v1/client/handshake").unwrap().href(),
            "https://p.example.com/clerk-proxy/v1/client/handshake"
        );
    }

    #[test]
    fn search_params_reserialise() {
        let mut u = Url::parse("https://a.com/p?x=a%20b&__clerk_db_jwt=1&y=").unwrap();
        u.remove_query_params(&["__clerk_db_jwt"]);
        assert_eq!(u.href(), "https://a.com/p?x=a+b&y=");
        u.remove_query_params(&["x", "y"]);
        assert_eq!(u.href(), "https://a.com/p");
        u.set_query_param("__clerk_synced", "true");
        u.append_query_param("r", "http://x/?a=1");
        assert_eq!(
            u.href(),
            "https://a.com/p?__clerk_synced=true&r=http%3A%2F%2Fx%2F%3Fa%3D1"
        );
        assert_eq!(form_encode("a*-._ ~"), "a*-._+%7E");
    }
}

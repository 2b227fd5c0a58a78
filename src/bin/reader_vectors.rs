//! The reader vector file (docs/reader-vectors.md), generated and run.
//!
//! `reader-vectors generate INPUT` reads keys, clock and case descriptions (readers/vectors/
//! input.json) and prints the vector file: every case becomes a concrete forwarded header set
//! (tokens minted, signed with the project's own HMAC, request data encrypted with its own
//! gcm/clerk encoders, then mutated as the case says) and the expectation the input states.
//! `reader-vectors run FILE` runs the Rust reader (`clerk_edge::downstream::reader`) over any vector file
//! and prints `N passed, M failed`.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use clerk_edge::downstream::edge_signature::{self, Signed, Target};
use clerk_edge::downstream::reader;
use clerk_edge::token::auth::{HasParams, SessionAuth};
use clerk_edge::{downstream::request_data, web::base64, web::signature};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

const SCHEMA: &str = "clerk-edge/reader-vectors/v1";

fn fail(msg: &str) -> ! {
    eprintln!("reader-vectors: {msg}");
    std::process::exit(2)
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("{path}: {e}")))
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (
        args.get(1).map(String::as_str),
        args.get(2).map(String::as_str),
    ) {
        (Some("generate"), Some(input)) => {
            let out = generate(&load(input));
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        (Some("run"), Some(file)) => {
            let (passed, failed) = run(&load(file));
            println!("{passed} passed, {failed} failed");
            if failed > 0 {
                std::process::exit(1);
            }
        }
        _ => fail("usage: reader-vectors generate INPUT | run FILE"),
    }
}

// ---- generation ----------------------------------------------------------------------------

/// Deterministic per-case randomness: SHA-256(seed ‖ case index ‖ purpose).
fn bytes<const N: usize>(seed: &str, index: usize, purpose: &str) -> [u8; N] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(index.to_be_bytes());
    h.update(purpose.as_bytes());
    let d = h.finalize();
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(d.iter()) {
        *o = *b;
    }
    out
}

/// `"now+60"` / `"now-10"` / `"now"` → the input clock plus the offset.
fn resolve_times(v: &Value, now: i64) -> Value {
    match v {
        Value::String(t) if t.starts_with("now") => {
            let off = t
                .get(3..)
                .filter(|r| !r.is_empty())
                .map(|r| {
                    r.trim_start_matches('+')
                        .parse::<i64>()
                        .unwrap_or_else(|_| fail(&format!("bad time {t}")))
                })
                .unwrap_or(0);
            json!(now + off)
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve_times(v, now)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn mint(claims: &Value) -> String {
    let header = json!({"alg": "RS256", "kid": "ins_vectors", "typ": "JWT"});
    format!(
        "{}.{}.{}",
        base64::encode_url(header.to_string().as_bytes()),
        base64::encode_url(claims.to_string().as_bytes()),
        // Readers never check the JWT signature: the edge did, and the HMAC covers the token.
        base64::encode_url(b"signature-checked-at-the-edge")
    )
}

fn flip_middle(value: &str, url: bool) -> String {
    let mut raw = if url {
        base64::decode_url_loose(value)
    } else {
        base64::decode_forgiving(value)
    }
    .unwrap_or_else(|| fail("flip: not base64"));
    // Past the header/salt, inside the ciphertext.
    let i = (raw.len() / 2).max(17).min(raw.len().saturating_sub(1));
    if let Some(b) = raw.get_mut(i) {
        *b ^= 0x01;
    }
    if url {
        base64::encode_url(&raw)
    } else {
        base64::encode_std(&raw)
    }
}

fn generate(input: &Value) -> Value {
    let now = input
        .get("now")
        .and_then(Value::as_i64)
        .unwrap_or_else(|| fail("input: now"));
    let seed = s(input, "seed");
    let keys = clerk_edge::downstream::reader::secret_keys(input);
    if keys.is_empty() {
        fail("input: secretKeys");
    }
    let named_key = |name: &str| -> String {
        match name {
            "wrong" => s(input, "wrongSecretKey").to_string(),
            "encryption" => s(input, "encryptionKey").to_string(),
            "wrongEncryption" => s(input, "wrongEncryptionKey").to_string(),
            n => n
                .strip_prefix("secret")
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| keys.get(i).cloned())
                .unwrap_or_else(|| fail(&format!("unknown key {n}"))),
        }
    };
    let options = json!({
        "secretKeys": keys,
        "encryptionKey": s(input, "encryptionKey"),
        "clerkCompatible": false,
        "now": now,
        "clockSkewSeconds": input.get("clockSkewSeconds").cloned().unwrap_or(json!(5)),
        "edgeSignature": false,
        "edgeMaxAgeSeconds": edge_signature::DEFAULT_MAX_AGE_SECS,
    });
    let mut cases = Vec::new();
    let empty = Vec::new();
    for (i, c) in input
        .get("cases")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let name = s(c, "name");
        let status = c.get("status").cloned().unwrap_or(json!("signed-in"));
        let claims = c.get("claims").map(|v| resolve_times(v, now));
        let token = match (&claims, c.get("token").and_then(Value::as_str)) {
            (_, Some(t)) => t.to_string(),
            (Some(cl), None) => mint(cl),
            (None, None) => match c.get("tokenParts").and_then(Value::as_array) {
                // Each part is base64url-encoded; {"raw": s} is used verbatim.
                Some(parts) => parts
                    .iter()
                    .map(|p| match p {
                        Value::String(x) => base64::encode_url(x.as_bytes()),
                        other => s(other, "raw").to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("."),
                None => String::new(),
            },
        };
        let signer = c.get("sign").and_then(Value::as_str).unwrap_or("secret0");
        let sig = match signer {
            "none" => String::new(),
            k => signature::sign(&token, &named_key(k)),
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(st) = status.as_str() {
            headers.push(("x-clerk-auth-status".into(), st.into()));
        }
        headers.push(("x-clerk-auth-token".into(), token.clone()));
        headers.push(("x-clerk-auth-signature".into(), sig));
        headers.push(("x-clerk-auth-message".into(), s(c, "message").into()));
        headers.push(("x-clerk-auth-reason".into(), s(c, "reason").into()));
        headers.push((
            "x-clerk-clerk-url".into(),
            "https://vectors.example/path".into(),
        ));
        let mut data = Value::Object(Map::new());
        if let Some(rd) = c.get("requestData") {
            data = rd.get("data").cloned().unwrap_or(json!({}));
            let plain = data.to_string();
            let key = named_key(
                rd.get("key")
                    .and_then(Value::as_str)
                    .unwrap_or("encryption"),
            );
            let gcm = s(rd, "format") != "clerk";
            let mut value = if gcm {
                let k = request_data::GcmKey::from_setting(&key)
                    .unwrap_or_else(|e| fail(&format!("{name}: {e}")));
                request_data::encrypt_gcm(&k, plain.as_bytes(), bytes(seed, i, "nonce"))
                    .unwrap_or_else(|e| fail(&e))
            } else {
                request_data::encrypt_clerk(&key, plain.as_bytes(), bytes(seed, i, "salt"))
            };
            match s(c, "mutate") {
                "flip-request-data" => value = flip_middle(&value, gcm),
                "truncate-request-data" => {
                    value.truncate(value.len().saturating_sub(8));
                }
                _ => {}
            }
            headers.push(("x-clerk-request-data".into(), value));
        }
        // The Worker's signature over the set and the request the origin receives; `signedAs`
        // makes the signed request differ from the one the case presents (a replay elsewhere).
        let request = c.get("request").cloned().unwrap_or(json!({}));
        let req = |k: &str, d: &'static str| -> String {
            request
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or(d)
                .to_string()
        };
        let (method, path, host) = (
            req("method", "GET"),
            req("path", "/dashboard?tab=1"),
            req("host", "origin.internal:8080"),
        );
        if let Some(edge) = c.get("edge") {
            let t = resolve_times(&edge.get("t").cloned().unwrap_or(json!("now")), now)
                .as_u64()
                .unwrap_or_else(|| fail("edge.t"));
            let signed_as = edge.get("signedAs").cloned().unwrap_or(json!({}));
            let pick = |k: &str, d: &str| {
                signed_as
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or(d)
                    .to_string()
            };
            let header = |n: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == n)
                    .map_or(String::new(), |(_, v)| v.clone())
            };
            let (st, tok, data) = (
                pick("status", &header("x-clerk-auth-status")),
                header("x-clerk-auth-token"),
                header("x-clerk-request-data"),
            );
            let target = Target {
                method: &pick("method", &method),
                path_and_query: &pick("path", &path),
                host: &pick("host", &host),
            };
            let key = named_key(edge.get("key").and_then(Value::as_str).unwrap_or("secret0"));
            let f = Signed {
                status: &st,
                token: &tok,
                request_data: &data,
            };
            headers.push((
                edge_signature::HEADER.into(),
                edge_signature::sign(&key, t, &f, &target),
            ));
        }
        let mutate = s(c, "mutate");
        if let Some(n) = mutate.strip_prefix("duplicate:") {
            let v = headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            headers.push((n.to_string(), v));
        } else if let Some(rest) = mutate.strip_prefix("size:") {
            // size:<header>:<bytes>
            let (n, len) = rest.rsplit_once(':').unwrap_or_else(|| fail(mutate));
            let len: usize = len.parse().unwrap_or_else(|_| fail(mutate));
            headers.retain(|(k, _)| k != n);
            headers.push((n.to_string(), "r".repeat(len)));
        } else if let Some(n) = mutate.strip_prefix("drop:") {
            headers.retain(|(k, _)| k != n);
        } else if let Some(rest) = mutate.strip_prefix("set:") {
            // set:<header>=<value>
            let (n, v) = rest.split_once('=').unwrap_or_else(|| fail(mutate));
            headers.retain(|(k, _)| k != n);
            headers.push((n.to_string(), v.to_string()));
        } else if let Some(extra) = mutate.strip_prefix("token-append:") {
            // The token changes after it was signed.
            for (k, v) in headers.iter_mut() {
                if k == "x-clerk-auth-token" {
                    v.push_str(extra);
                }
            }
        } else if let Some(n) = mutate.strip_prefix("duplicate-upper:") {
            let v = headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            headers.push((n.to_ascii_uppercase(), v));
        } else if mutate == "uppercase-names" {
            for (k, _) in headers.iter_mut() {
                *k = k.to_ascii_uppercase();
            }
        } else if mutate == "signature-uppercase" {
            for (k, v) in headers.iter_mut() {
                if k == "x-clerk-auth-signature" {
                    *v = v.to_ascii_uppercase();
                }
            }
        }
        let mut case_opts = Map::new();
        if c.get("edge").is_some() || c.get("request").is_some() {
            case_opts.insert("edgeSignature".into(), json!(true));
        }
        if let Some(Value::Object(o)) = c.get("options") {
            for (k, v) in o {
                let v = match (k.as_str(), v) {
                    ("secretKeys", Value::Array(a)) => Value::Array(
                        a.iter()
                            .map(|n| json!(named_key(n.as_str().unwrap_or(""))))
                            .collect(),
                    ),
                    ("encryptionKey", Value::String(n)) if !n.is_empty() => json!(named_key(n)),
                    ("now", v) => resolve_times(v, now),
                    _ => v.clone(),
                };
                case_opts.insert(k.clone(), v);
            }
        }
        let expect = match c.get("expect") {
            Some(e) if e.get("error").is_some() => json!({"error": e["error"]}),
            Some(e) => {
                let ok = e.get("ok").cloned().unwrap_or(json!({}));
                let signed_in = status == "signed-in";
                let authed = ok
                    .get("isAuthenticated")
                    .and_then(Value::as_bool)
                    .unwrap_or(signed_in);
                let mut m = Map::new();
                let mut put = |k: &str, default: Value| {
                    m.insert(k.into(), ok.get(k).cloned().unwrap_or(default));
                };
                put("status", status.clone());
                // What the (final) headers carry.
                let header = |n: &str| {
                    headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(n))
                        .map_or("", |(_, v)| v.as_str())
                        .to_string()
                };
                put("reason", json!(header("x-clerk-auth-reason")));
                put("message", json!(header("x-clerk-auth-message")));
                put("isAuthenticated", json!(authed));
                for k in [
                    "userId",
                    "sessionId",
                    "sessionStatus",
                    "orgId",
                    "orgRole",
                    "orgSlug",
                    "orgPermissions",
                ] {
                    put(k, Value::Null);
                }
                put(
                    "sessionClaims",
                    if authed {
                        claims.clone().unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    },
                );
                put("requestData", data.clone());
                put("has", json!([]));
                json!({ "ok": m })
            }
            None => fail(&format!("{name}: no expect")),
        };
        let mut case = Map::new();
        case.insert("name".into(), json!(name));
        let edge_on = case_opts.get("edgeSignature") == Some(&json!(true));
        if !case_opts.is_empty() {
            case.insert("options".into(), Value::Object(case_opts));
        }
        if edge_on {
            case.insert(
                "request".into(),
                json!({"method": method, "path": path, "host": host}),
            );
        }
        case.insert(
            "headers".into(),
            Value::Array(headers.into_iter().map(|(k, v)| json!([k, v])).collect()),
        );
        case.insert("expect".into(), expect);
        cases.push(Value::Object(case));
    }
    json!({ "schema": SCHEMA, "options": options, "cases": cases })
}

// ---- running -------------------------------------------------------------------------------

fn observe(
    headers: &[(String, String)],
    opts: &Map<String, Value>,
    request: &Value,
    has: &[Value],
) -> Value {
    let mut out = reader::read_json(headers, &Value::Object(opts.clone()), request);
    // has() over the claims of an active session; false when signed out.
    let claims = out
        .pointer("/ok/sessionClaims")
        .and_then(Value::as_object)
        .cloned();
    if let Some(ok) = out.get_mut("ok").and_then(Value::as_object_mut) {
        let auth = claims.map(SessionAuth::from_claims);
        let answers: Vec<Value> = has
            .iter()
            .map(|h| {
                let params = h.get("params").cloned().unwrap_or(Value::Null);
                let r = auth
                    .as_ref()
                    .is_some_and(|a| a.has(&HasParams::from_json(&params)));
                json!({ "params": params, "result": r })
            })
            .collect();
        ok.insert("has".into(), Value::Array(answers));
    }
    out
}

fn run(file: &Value) -> (usize, usize) {
    if s(file, "schema") != SCHEMA {
        fail("not a clerk-edge/reader-vectors/v1 file");
    }
    let base = file
        .get("options")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (mut passed, mut failed) = (0, 0);
    let empty = Vec::new();
    for c in file
        .get("cases")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let mut opts = base.clone();
        if let Some(Value::Object(o)) = c.get("options") {
            opts.extend(o.clone());
        }
        let headers: Vec<(String, String)> = c
            .get("headers")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .filter_map(|p| Some((p.get(0)?.as_str()?.into(), p.get(1)?.as_str()?.into())))
            .collect();
        let expect = c.get("expect").cloned().unwrap_or(Value::Null);
        let has = expect
            .pointer("/ok/has")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let request = c.get("request").cloned().unwrap_or(Value::Null);
        let got = observe(&headers, &opts, &request, has);
        if got == expect {
            passed += 1;
        } else {
            failed += 1;
            eprintln!(
                "FAIL {}\n  expected {}\n  got      {}",
                s(c, "name"),
                expect,
                got
            );
        }
    }
    (passed, failed)
}

//! `CLERK_JWT_KEY` / `jwtKey` as a set of public keys, for rotating the instance's signing key
//! without downtime: one PEM (Clerk's form), several concatenated PEMs, or a JWKS JSON
//! `{"keys":[…]}` of RSA JWKs.
//!
//! Which keys a token is checked against: the keys whose `kid` equals the token's `kid` first,
//! then every key without a `kid`, in configured order; keys with another `kid` never. The first
//! that verifies wins. The algorithm is always RS256, fixed by the key, never by the header.

use crate::host::key::{KeyError, RsaPublicKey};
use serde_json::Value;

/// Where the verification key comes from.
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// `jwtKey` (networkless).
    Local(&'a RsaPublicKey),
    /// `jwtKey` holding several keys (a rotation): by `kid`, else tried in order.
    Set(&'a KeySet),
    /// JWKS through the Backend API (a secret key is configured).
    Remote,
    /// Neither: `jwk-failed-to-resolve`.
    Missing,
    /// A `jwtKey` that is no key, kept as Clerk keeps it: every signature is invalid.
    Unusable,
}

/// One configured key; PEMs carry no `kid`.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtKey {
    pub kid: Option<String>,
    pub key: RsaPublicKey,
}

/// The configured verification keys (never empty).
#[derive(Debug, Clone, PartialEq)]
pub struct KeySet {
    keys: Vec<JwtKey>,
}

/// At most this many keys: a rotation needs two; more is a mistake, and each one can cost a
/// verification on a kid-less token.
pub const MAX_KEYS: usize = 8;

impl KeySet {
    /// Parses the setting. Errors say which key is wrong and why, never a byte of a key.
    /// A single PEM gives exactly [`RsaPublicKey::from_pem`]'s errors.
    pub fn parse(text: &str) -> Result<KeySet, String> {
        let trimmed = text.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        let keys = if trimmed.starts_with('{') {
            Self::parse_jwks(trimmed)?
        } else {
            // One PEM (or a bare body): the whole text, so its errors are exactly `from_pem`'s.
            let starts: Vec<usize> = trimmed
                .match_indices("-----BEGIN ")
                .map(|(i, _)| i)
                .collect();
            let count = starts.len().max(1);
            let mut keys = Vec::with_capacity(count);
            for i in 0..count {
                let block = match (starts.get(i), starts.get(i + 1)) {
                    _ if count == 1 => text,
                    (Some(&start), end) => trimmed
                        .get(start..end.copied().unwrap_or(trimmed.len()))
                        .unwrap_or(""),
                    (None, _) => "",
                };
                let key = RsaPublicKey::from_pem(block).map_err(|e| match count {
                    1 => e.to_string(),
                    _ => format!("PEM {} of {count}: {e}", i + 1),
                })?;
                keys.push(JwtKey { kid: None, key });
            }
            keys
        };
        if keys.len() > MAX_KEYS {
            return Err(format!(
                "it holds {} keys; at most {MAX_KEYS} are supported (a rotation needs two)",
                keys.len()
            ));
        }
        Ok(KeySet { keys })
    }

    /// Configuration time only; a `Value` keeps the binary small (no derived deserializer).
    fn parse_jwks(json: &str) -> Result<Vec<JwtKey>, String> {
        let not_jwks =
            || "it starts with \"{\" but is not a JWKS JSON object {\"keys\":[…]}".to_string();
        let jwks: Value = serde_json::from_str(json).map_err(|_| not_jwks())?;
        let list = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(not_jwks)?;
        let count = list.len();
        if count == 0 {
            return Err("its JWKS has no keys".into());
        }
        let mut keys = Vec::with_capacity(count);
        for (i, jwk) in list.iter().enumerate() {
            let which = |why: String| format!("JWKS key {} of {count}: {why}", i + 1);
            let field = |name: &str| jwk.get(name).and_then(Value::as_str);
            if field("kty") != Some("RSA") {
                return Err(which(KeyError::NotRsa.to_string()));
            }
            if field("alg").is_some_and(|a| a != "RS256") {
                return Err(which(
                    "its \"alg\" is not RS256 (Clerk signs session tokens with RS256)".into(),
                ));
            }
            if field("use").is_some_and(|u| u != "sig") {
                return Err(which("its \"use\" is not \"sig\"".into()));
            }
            let (Some(n), Some(e)) = (field("n"), field("e")) else {
                return Err(which("it lacks \"n\" or \"e\"".into()));
            };
            let key = RsaPublicKey::from_jwk(n, e).map_err(|e| which(e.to_string()))?;
            keys.push(JwtKey {
                kid: field("kid").filter(|k| !k.is_empty()).map(str::to_string),
                key,
            });
        }
        Ok(keys)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys(&self) -> &[JwtKey] {
        &self.keys
    }

    /// The one key of a single-PEM setting: verification then is exactly Clerk's `jwtKey`.
    pub fn single(&self) -> Option<&RsaPublicKey> {
        match self.keys.as_slice() {
            [JwtKey { kid: None, key }] => Some(key),
            _ => None,
        }
    }

    /// How verification uses this set: a single PEM is Clerk's `jwtKey`, exactly.
    pub fn source(&self) -> KeySource<'_> {
        self.single().map_or(KeySource::Set(self), KeySource::Local)
    }

    /// The keys to try for a token with this `kid`, in order (see the module comment). Cheap
    /// to clone: the verifier walks it twice (cache, then RSA).
    pub fn candidates<'s>(
        &'s self,
        kid: Option<&'s str>,
    ) -> impl Iterator<Item = &'s RsaPublicKey> + Clone + 's {
        let by_kid = self
            .keys
            .iter()
            .filter(move |k| kid.is_some() && k.kid.as_deref() == kid);
        let kidless = self.keys.iter().filter(|k| k.kid.is_none());
        by_kid.chain(kidless).map(|k| &k.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../tests/fixtures/test-public-key.pem");

    fn jwk_of(key: &RsaPublicKey, kid: &str) -> String {
        format!(
            r#"{{"kty":"RSA","kid":"{kid}","alg":"RS256","use":"sig","n":"{}","e":"{}"}}"#,
            crate::web::base64::encode_url(&key.n),
            crate::web::base64::encode_url(&key.e)
        )
    }

    fn other() -> RsaPublicKey {
        RsaPublicKey::from_pem(include_str!("../../tests/fixtures/other-public-key.pem")).unwrap()
    }

    #[test]
    fn single_pem_is_the_single_key() {
        let s = KeySet::parse(PEM).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.single(), Some(&RsaPublicKey::from_pem(PEM).unwrap()));
        assert_eq!(
            KeySet::parse("not a key!").unwrap_err(),
            KeyError::NotBase64.to_string()
        );
    }

    #[test]
    fn concatenated_pems_in_order_and_escaped() {
        let a = RsaPublicKey::from_pem(PEM).unwrap();
        let two = format!("{PEM}\n{PEM}");
        let s = KeySet::parse(&two).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.single(), None);
        assert!(s.keys().iter().all(|k| k.key == a && k.kid.is_none()));
        let escaped = format!("\"{}\"", two.trim_end().replace('\n', "\\n"));
        assert_eq!(KeySet::parse(&escaped).unwrap(), s);
        let bad = format!("{PEM}\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
        assert_eq!(
            KeySet::parse(&bad).unwrap_err(),
            "PEM 2 of 2: it is not a DER-encoded public key (neither SubjectPublicKeyInfo nor RSAPublicKey)"
        );
    }

    #[test]
    fn jwks_keys_and_candidates_by_kid() {
        let a = RsaPublicKey::from_pem(PEM).unwrap();
        let b = other();
        let jwks = format!(
            r#"{{"keys":[{},{}]}}"#,
            jwk_of(&a, "ins_a"),
            jwk_of(&b, "ins_b")
        );
        let s = KeySet::parse(&jwks).unwrap();
        assert_eq!(s.keys()[1].kid.as_deref(), Some("ins_b"));
        let pick = |kid| s.candidates(kid).cloned().collect::<Vec<_>>();
        assert_eq!(pick(Some("ins_b")), vec![b.clone()]);
        assert_eq!(pick(Some("ins_a")), vec![a.clone()]);
        assert!(pick(Some("ins_c")).is_empty());
        assert!(pick(None).is_empty());
        // Kid-less keys are tried after the kid's own key, in order.
        let mixed = KeySet {
            keys: vec![
                JwtKey {
                    kid: None,
                    key: a.clone(),
                },
                JwtKey {
                    kid: Some("ins_b".into()),
                    key: b.clone(),
                },
            ],
        };
        assert_eq!(
            mixed.candidates(Some("ins_b")).cloned().collect::<Vec<_>>(),
            vec![b, a.clone()]
        );
        assert_eq!(mixed.candidates(None).cloned().collect::<Vec<_>>(), vec![a]);
    }

    #[test]
    fn jwks_errors_name_the_key_not_its_bytes() {
        let a = RsaPublicKey::from_pem(PEM).unwrap();
        let good = jwk_of(&a, "k");
        let cases = [
            (
                "{".to_string(),
                "it starts with \"{\" but is not a JWKS JSON object {\"keys\":[…]}",
            ),
            (r#"{"keys":[]}"#.to_string(), "its JWKS has no keys"),
            (
                format!(r#"{{"keys":[{good},{{"kty":"EC","x":"AAAA"}}]}}"#),
                "JWKS key 2 of 2: it is not an RSA key (Clerk signs session tokens with RS256)",
            ),
            (
                format!(r#"{{"keys":[{}]}}"#, good.replace("RS256", "RS512")),
                "JWKS key 1 of 1: its \"alg\" is not RS256 (Clerk signs session tokens with RS256)",
            ),
            (
                format!(r#"{{"keys":[{}]}}"#, good.replace("\"sig\"", "\"enc\"")),
                "JWKS key 1 of 1: its \"use\" is not \"sig\"",
            ),
            (
                r#"{"keys":[{"kty":"RSA","e":"AQAB"}]}"#.to_string(),
                "JWKS key 1 of 1: it lacks \"n\" or \"e\"",
            ),
            (
                r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#.to_string(),
                "JWKS key 1 of 1: its modulus has 17 bits; at least 2048 are required",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(KeySet::parse(&text).unwrap_err(), want, "{text}");
        }
        let many = format!(r#"{{"keys":[{}]}}"#, [good.as_str(); 9].join(","));
        assert_eq!(
            KeySet::parse(&many).unwrap_err(),
            "it holds 9 keys; at most 8 are supported (a rotation needs two)"
        );
    }
}

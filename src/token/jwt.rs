//! Session JWTs: decoded once per request, then verified in Clerk's order (category, key,
//! `typ`, `alg`, signature, then claims), with Clerk's reasons and messages.

use crate::host::key::RsaPublicKey;
use crate::host::services::{BackendApi, JwksError, SignatureVerifier};
use crate::token::keyset::KeySet;
pub use crate::token::keyset::KeySource;
use crate::token::reason::{self, TokenReason};
use crate::web::base64;
use crate::web::date::to_utc_string;
use serde_json::{Map, Value};

pub const CATEGORY_SESSION: &str = "cl_B7d4PD111AAA";
pub const CATEGORY_TEMPLATE: &str = "cl_B7d4PD222AAA";
pub const CATEGORY_M2M: &str = "cl_B7d4PD333AAA";
pub const CATEGORY_IGNORE: &str = "cl_I7d4PD111III";

/// A `TokenVerificationError`: reason, message and optional action, exactly as Clerk words them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    pub reason: TokenReason,
    pub message: String,
    pub action: Option<&'static str>,
}

/// Where the token came from; part of the message Clerk forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    Header,
    Cookie,
}

impl TokenError {
    fn new(reason: TokenReason, message: impl Into<String>, action: Option<&'static str>) -> Self {
        TokenError {
            reason,
            message: message.into(),
            action,
        }
    }

    /// `<message> <action> (reason=<reason>, token-carrier=<carrier>)`.
    pub fn full_message(&self, carrier: Carrier) -> String {
        let carrier = match carrier {
            Carrier::Header => "header",
            Carrier::Cookie => "cookie",
        };
        let mut s = self.message.clone();
        if let Some(action) = self.action.filter(|a| !a.is_empty()) {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(action);
        }
        format!(
            "{s} (reason={}, token-carrier={carrier})",
            self.reason.as_str()
        )
    }

    /// `Clerk: Handshake token verification failed…` wording for development instances.
    pub fn is_signature(&self) -> bool {
        self.reason == TokenReason::InvalidSignature
    }
}

/// `JSON.stringify` of an optional value (`undefined` when absent), for messages.
pub fn js_json(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(v) => serde_json::to_string(v).unwrap_or_else(|_| "null".into()),
    }
}

/// A decoded, *unverified* JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    raw: String,
    signing_len: usize,
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    signature: Vec<u8>,
}

fn form_error() -> TokenError {
    TokenError::new(
        TokenReason::Invalid,
        "Invalid JWT form. A JWT consists of three parts separated by dots.",
        None,
    )
}

fn decode_error() -> TokenError {
    TokenError::new(
        TokenReason::Invalid,
        "Invalid JWT form. The header, payload, or signature could not be decoded.",
        None,
    )
}

fn decode_json(segment: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = base64::decode_url_loose(segment).ok_or_else(decode_error)?;
    // TextDecoder replaces invalid UTF-8 rather than failing.
    let text = String::from_utf8_lossy(&bytes);
    match serde_json::from_str::<Value>(&text).map_err(|_| decode_error())? {
        Value::Object(m) => Ok(m),
        // Property reads on other JSON values give `undefined` in JavaScript.
        _ => Ok(Map::new()),
    }
}

#[cfg(test)]
thread_local! {
    /// Decodes on this thread: tests check that a request decodes its token once.
    pub(crate) static DECODES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Jwt {
    /// Splits, base64url-decodes and parses header and payload. Linear in the token length.
    pub fn decode(token: &str) -> Result<Jwt, TokenError> {
        #[cfg(test)]
        DECODES.with(|c| c.set(c.get() + 1));
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(form_error());
        };
        let header = decode_json(h)?;
        let payload = decode_json(p)?;
        let signature = base64::decode_url_loose(s).ok_or_else(decode_error)?;
        Ok(Jwt {
            raw: token.to_string(),
            signing_len: h.len() + 1 + p.len(),
            header,
            payload,
            signature,
        })
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }
    /// `base64url(header).base64url(payload)`, the signed bytes.
    pub fn signing_input(&self) -> &[u8] {
        self.raw.as_bytes().get(..self.signing_len).unwrap_or(&[])
    }
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.payload.get(name)
    }
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }
    /// A numeric claim (`typeof x === "number"`), else `None`.
    pub fn claim_num(&self, name: &str) -> Option<f64> {
        self.payload.get(name).and_then(Value::as_f64)
    }

    /// Header `cat` present and neither the session nor the ignore category.
    pub fn has_non_session_category(&self) -> bool {
        match self.header.get("cat") {
            None | Some(Value::Null) => false,
            Some(Value::String(c)) => c != CATEGORY_SESSION && c != CATEGORY_IGNORE,
            Some(_) => true,
        }
    }

    /// OAuth access-token JWT (`typ` `at+jwt`) or M2M JWT (`sub` starting `mch_`).
    pub fn is_machine_jwt(&self) -> bool {
        matches!(
            self.header_str("typ"),
            Some("at+jwt") | Some("application/at+jwt")
        ) || self.claim_str("sub").is_some_and(|s| s.starts_with("mch_"))
    }
}

/// Claim rules from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRules<'a> {
    pub audience: &'a [String],
    pub authorized_parties: &'a [String],
    pub issuer: &'a [String],
    pub skew_ms: f64,
    /// `headerType` and options Clerk reads whatever their type ([`OptionReading::PLAIN`]: none).
    pub reading: OptionReading<'a>,
}

/// What Clerk does with `headerType`, and with `audience` / `authorizedParties` of other types
/// than lists of strings.
#[derive(Debug, Clone, Copy)]
pub struct OptionReading<'a> {
    /// `headerType`: the session token `typ` values accepted (`None`: `JWT`, or no `typ`).
    pub header_type: Option<&'a [String]>,
    /// `audience` holding values other than strings (`5`): the list as JSON for the message;
    /// they never equal an `aud` string, but make the check happen.
    pub audience_listed: Option<&'a str>,
    /// `authorizedParties` was one string: `azp` must occur within it (`String.includes`).
    pub parties_text: bool,
}

impl OptionReading<'_> {
    pub const PLAIN: OptionReading<'static> = OptionReading {
        header_type: None,
        audience_listed: None,
        parties_text: false,
    };
}

/// JavaScript `Date` time values beyond ±8.64e15 ms are invalid (NaN): comparisons with them are
/// false, which is why Clerk accepts an absurdly large `nbf`.
fn time_clip(seconds: f64) -> f64 {
    let ms = seconds.trunc() * 1000.0;
    if ms.abs() > 8.64e15 {
        f64::NAN
    } else {
        ms
    }
}

/// What a token's signature is checked against.
enum Resolved<'k> {
    One(std::borrow::Cow<'k, RsaPublicKey>),
    /// A key set with at least one candidate for the token's `kid`.
    Set(&'k KeySet),
    /// A `jwtKey` that is no key: no signature verifies.
    Unusable,
}

/// Clerk's JWKS wording when no key has the token's `kid`.
fn kid_mismatch(kid: Option<&str>) -> TokenError {
    TokenError::new(
        TokenReason::JwkKidMismatch,
        format!(
            "Unable to find a signing key in JWKS that matches the kid='{}' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT.",
            kid.unwrap_or("undefined")
        ),
        Some(reason::ACTION_KID_MISMATCH),
    )
}

async fn resolve_key<'k, B: BackendApi>(
    jwt: &Jwt,
    source: KeySource<'k>,
    backend: &B,
    missing_message: &str,
) -> Result<Resolved<'k>, TokenError> {
    use std::borrow::Cow;
    match source {
        KeySource::Local(k) => Ok(Resolved::One(Cow::Borrowed(k))),
        // Like a JWKS without the token's `kid`, before any header check.
        KeySource::Set(set) => match set.candidates(jwt.header_str("kid")).next() {
            Some(_) => Ok(Resolved::Set(set)),
            None => Err(kid_mismatch(jwt.header_str("kid"))),
        },
        KeySource::Unusable => Ok(Resolved::Unusable),
        KeySource::Missing => Err(TokenError::new(
            TokenReason::JwkFailedToResolve,
            missing_message,
            Some(reason::ACTION_SET_JWT_KEY),
        )),
        KeySource::Remote => {
            let kid = jwt.header_str("kid");
            backend.jwks_key(kid).await.map(|k| Resolved::One(Cow::Owned(k))).map_err(|e| match e {
                JwksError::SecretKeyInvalid(msg) => {
                    TokenError::new(TokenReason::SecretKeyInvalid, msg, Some(reason::ACTION_CONTACT_SUPPORT))
                }
                JwksError::Http { url, status } => TokenError::new(
                    TokenReason::JwkRemoteFailedToLoad,
                    format!("Error loading Clerk JWKS from {url} with code={status}"),
                    Some(reason::ACTION_CONTACT_SUPPORT),
                ),
                JwksError::NoKeys => TokenError::new(
                    TokenReason::JwkRemoteFailedToLoad,
                    "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com.",
                    Some(reason::ACTION_CONTACT_SUPPORT),
                ),
                JwksError::KidNotFound => kid_mismatch(kid),
                JwksError::Unavailable(_) => TokenError::new(
                    TokenReason::JwkRemoteFailedToLoad,
                    "Failed to load JWKS from Clerk Backend or Frontend API.",
                    Some(reason::ACTION_CONTACT_SUPPORT),
                ),
            })
        }
    }
}

/// Clerk's `assertHeaderType(typ, headerType)`: no `typ` passes only without `headerType`.
fn check_typ(jwt: &Jwt, allowed: Option<&[String]>) -> Result<(), TokenError> {
    let typ = jwt.header.get("typ");
    let ok = match (typ, allowed) {
        (None, None) => true,
        (Some(Value::String(t)), None) => t == "JWT",
        (Some(Value::String(t)), Some(list)) => list.iter().any(|a| a == t),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let expected = allowed.map_or_else(|| "JWT".to_string(), |l| l.join(", "));
    Err(TokenError::new(
        TokenReason::Invalid,
        format!(
            "Invalid JWT type {}. Expected \"{expected}\".",
            js_json(typ)
        ),
        Some(reason::ACTION_ENSURE_CLERK_JWT),
    ))
}

/// The algorithm is fixed by the configured key (RS256); the header only selects which error
/// Clerk reports for anything else.
fn check_alg(jwt: &Jwt) -> Result<&'static str, TokenError> {
    match jwt.header_str("alg") {
        Some("RS256") => Ok("RS256"),
        Some("RS384") => Ok("RS384"),
        Some("RS512") => Ok("RS512"),
        _ => Err(TokenError::new(
            TokenReason::InvalidAlgorithm,
            format!(
                "Invalid JWT algorithm {}. Supported: RS256,RS384,RS512.",
                js_json(jwt.header.get("alg"))
            ),
            Some(reason::ACTION_ENSURE_CLERK_JWT),
        )),
    }
}

/// Checks the signature with the key's algorithm. Keys are RS256 keys (as Clerk's JWKs are), so
/// RS384/RS512 tokens fail the way WebCrypto fails them for Clerk. With a key set the first
/// candidate that verifies wins; the verifier's cache is asked about every candidate before any
/// RSA work, so a token of the second key costs no failed verify once it has been seen.
async fn check_signature<V: SignatureVerifier>(
    jwt: &Jwt,
    alg: &str,
    key: &Resolved<'_>,
    verifier: &V,
    invalid: &str,
    failed_prefix: &str,
) -> Result<(), TokenError> {
    let failed = |e: String| {
        TokenError::new(
            TokenReason::VerificationFailed,
            format!("{failed_prefix} {e}"),
            Some(reason::ACTION_ENSURE_CLERK_JWT),
        )
    };
    if alg != "RS256" {
        return Err(failed(
            "Error: JWK \"alg\" does not match the requested algorithm".into(),
        ));
    }
    let (message, signature) = (jwt.signing_input(), jwt.signature());
    let (one, set) = match key {
        Resolved::One(k) => (Some(&**k), None),
        Resolved::Set(set) => (None, Some(*set)),
        Resolved::Unusable => (None, None),
    };
    let kid = jwt.header_str("kid");
    let candidates = one
        .into_iter()
        .chain(set.into_iter().flat_map(|s| s.candidates(kid)));
    if set.is_some()
        && candidates
            .clone()
            .any(|k| verifier.is_known(k, message, signature))
    {
        return Ok(());
    }
    // One await for both shapes (the verify future is large). An error with one key (it
    // cannot be imported) is reported only when no key answered: with one key, exactly Clerk's
    // outcome; with several, a token no key verifies is an invalid signature.
    let mut error = None;
    let mut answered = false;
    for k in candidates {
        match verifier.verify_rs256(k, message, signature).await {
            Ok(true) => return Ok(()),
            Ok(false) => answered = true,
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    match error {
        Some(e) if !answered => Err(failed(e)),
        _ => Err(TokenError::new(
            TokenReason::InvalidSignature,
            invalid,
            None,
        )),
    }
}

/// Claim checks in Clerk's order: `sub`, `aud`, `azp`, `iss`, `exp`, `nbf`, `iat`.
pub fn check_claims(jwt: &Jwt, rules: &ClaimRules<'_>, now_ms: f64) -> Result<(), TokenError> {
    let ensure = Some(reason::ACTION_ENSURE_CLERK_JWT);
    let failed = |m: String| TokenError::new(TokenReason::VerificationFailed, m, ensure);

    if !matches!(jwt.claim("sub"), Some(Value::String(_))) {
        return Err(failed(format!(
            "Subject claim (sub) is required and must be a string. Received {}.",
            js_json(jwt.claim("sub"))
        )));
    }

    let audience: Vec<&str> = rules
        .audience
        .iter()
        .map(String::as_str)
        .filter(|a| !a.is_empty())
        .collect();
    let truthy = |v: &Value| match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        _ => true,
    };
    let token_aud: Vec<&Value> = match jwt.claim("aud") {
        Some(Value::Array(items)) => items.iter().filter(|v| truthy(v)).collect(),
        Some(v) if truthy(v) => vec![v],
        _ => vec![],
    };
    let listed_other = rules.reading.audience_listed;
    if (!audience.is_empty() || listed_other.is_some()) && !token_aud.is_empty() {
        let listed = listed_other.map_or_else(
            || serde_json::to_string(&audience).unwrap_or_default(),
            str::to_owned,
        );
        match jwt.claim("aud") {
            Some(Value::String(a)) if !audience.contains(&a.as_str()) => {
                return Err(failed(format!(
                    "Invalid JWT audience claim (aud) {}. Is not included in \"{listed}\".",
                    js_json(jwt.claim("aud"))
                )));
            }
            Some(Value::Array(items))
                if items.iter().all(Value::is_string)
                    && !items
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|a| audience.contains(&a)) =>
            {
                return Err(failed(format!(
                    "Invalid JWT audience claim array (aud) {}. Is not included in \"{listed}\".",
                    js_json(jwt.claim("aud"))
                )));
            }
            _ => {}
        }
    }

    if !rules.authorized_parties.is_empty() {
        let ok = match jwt.claim("azp") {
            Some(Value::String(azp)) if rules.reading.parties_text => {
                !azp.is_empty()
                    && rules
                        .authorized_parties
                        .iter()
                        .any(|p| p.contains(azp.as_str()))
            }
            Some(Value::String(azp)) => !azp.is_empty() && rules.authorized_parties.contains(azp),
            _ => false,
        };
        if !ok {
            return Err(TokenError::new(
                TokenReason::InvalidAuthorizedParties,
                format!(
                    "Invalid JWT Authorized party claim (azp) {}. Expected \"{}\".",
                    js_json(jwt.claim("azp")),
                    rules.authorized_parties.join(",")
                ),
                None,
            ));
        }
    }

    if !rules.issuer.is_empty() {
        let ok = jwt
            .claim_str("iss")
            .is_some_and(|iss| rules.issuer.iter().any(|i| i == iss));
        if !ok {
            return Err(TokenError::new(
                TokenReason::InvalidIssuer,
                format!(
                    "Invalid JWT issuer claim (iss) {}. Expected \"{}\".",
                    js_json(jwt.claim("iss")),
                    rules.issuer.join(",")
                ),
                ensure,
            ));
        }
    }

    // Formatted only for an error message: this runs on every signed-in request.
    let now = || to_utc_string(now_ms);
    let exp = jwt.claim_num("exp").ok_or_else(|| {
        failed(format!(
            "Invalid JWT expiry date claim (exp) {}. Expected number.",
            js_json(jwt.claim("exp"))
        ))
    })?;
    let exp_ms = time_clip(exp);
    if exp_ms <= now_ms - rules.skew_ms {
        return Err(TokenError::new(
            TokenReason::Expired,
            format!(
                "JWT is expired. Expiry date: {}, Current date: {}.",
                to_utc_string(exp_ms),
                now()
            ),
            None,
        ));
    }

    // `nbf` and `iat`: optional, numbers, and not beyond now + skew.
    let not_after_now = [
        (
            "nbf",
            "not before date",
            TokenReason::NotActiveYet,
            "JWT cannot be used prior to not before date claim (nbf). Not before date",
        ),
        (
            "iat",
            "issued at date",
            TokenReason::IatInTheFuture,
            "JWT issued at date claim (iat) is in the future. Issued at date",
        ),
    ];
    for (name, label, reason, lead) in not_after_now {
        let Some(v) = jwt.claim(name) else { continue };
        let t = v.as_f64().ok_or_else(|| {
            failed(format!(
                "Invalid JWT {label} claim ({name}) {}. Expected number.",
                js_json(Some(v))
            ))
        })?;
        let ms = time_clip(t);
        if ms > now_ms + rules.skew_ms {
            return Err(TokenError::new(
                reason,
                format!("{lead}: {}; Current date: {};", to_utc_string(ms), now()),
                None,
            ));
        }
    }
    Ok(())
}

/// What a verification needs besides the token: where the key comes from, the claim rules,
/// the time, and the host's services.
pub struct Verification<'a, V, B> {
    pub key: KeySource<'a>,
    pub rules: ClaimRules<'a>,
    pub now_ms: f64,
    pub verifier: &'a V,
    pub backend: &'a B,
}

impl<V, B> Clone for Verification<'_, V, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V, B> Copy for Verification<'_, V, B> {}

/// A session token whose key, `typ`, `alg`, signature and claims all checked out. The field is
/// private to this module, so only [`verify_token`] produces one; a signed-in
/// `RequestState` requires one (`decide::state::Session::from_verified`).
///
/// A decoded token cannot be passed off as a verified one:
/// ```compile_fail
/// use clerk_edge::token::jwt::{Jwt, VerifiedToken};
/// let jwt = Jwt::decode("e30.e30.").unwrap();
/// let forged = VerifiedToken(jwt); // error: the field is private to `token::jwt`
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken(Jwt);

impl VerifiedToken {
    pub fn jwt(&self) -> &Jwt {
        &self.0
    }
    pub fn into_jwt(self) -> Jwt {
        self.0
    }
}

/// `verifyToken`: everything Clerk checks, in Clerk's order. The signature is checked before
/// any claim, so an attacker learns nothing about claim rules from unsigned tokens.
pub async fn verify_token<V: SignatureVerifier, B: BackendApi>(
    jwt: Jwt,
    v: &Verification<'_, V, B>,
) -> Result<VerifiedToken, TokenError> {
    if jwt.header_str("cat") == Some(CATEGORY_M2M) {
        return Err(TokenError::new(
            TokenReason::Invalid,
            "Invalid session token category.",
            Some(reason::ACTION_ENSURE_CLERK_JWT),
        ));
    }
    verify_signed(&jwt, v, false).await?;
    Ok(VerifiedToken(jwt))
}

/// Key, `typ` (OAuth's `at+jwt` too when `access_token_typ`), `alg`, signature, then claims:
/// the checks session and machine JWTs share.
async fn verify_signed<V: SignatureVerifier, B: BackendApi>(
    jwt: &Jwt,
    v: &Verification<'_, V, B>,
    access_token_typ: bool,
) -> Result<(), TokenError> {
    let key = resolve_key(
        jwt,
        v.key,
        v.backend,
        "Failed to resolve JWK during verification.",
    )
    .await?;
    let oauth_typ = matches!(
        jwt.header_str("typ"),
        Some("at+jwt") | Some("application/at+jwt")
    );
    if !(access_token_typ && oauth_typ) {
        check_typ(jwt, v.rules.reading.header_type)?;
    }
    let alg = check_alg(jwt)?;
    check_signature(
        jwt,
        alg,
        &key,
        v.verifier,
        "JWT signature is invalid.",
        "Error verifying JWT signature.",
    )
    .await?;
    check_claims(jwt, &v.rules, v.now_ms)
}

/// A machine JWT (M2M or OAuth access token): key, `alg`, signature and time claims; OAuth
/// tokens carry `typ: at+jwt`.
pub async fn verify_machine_jwt<V: SignatureVerifier, B: BackendApi>(
    jwt: &Jwt,
    v: &Verification<'_, V, B>,
) -> Result<(), TokenError> {
    verify_signed(jwt, v, true).await
}

/// Legacy `__clerk_handshake` JWT: same key, `typ`/`alg`/category/signature checks, no time
/// claims. Returns the verified payload.
pub async fn verify_handshake_token<V: SignatureVerifier, B: BackendApi>(
    jwt: &Jwt,
    key: KeySource<'_>,
    verifier: &V,
    backend: &B,
) -> Result<(), TokenError> {
    let key = resolve_key(
        jwt,
        key,
        backend,
        "Failed to resolve JWK during handshake verification.",
    )
    .await?;
    check_typ(jwt, None)?;
    let alg = check_alg(jwt)?;
    if jwt.has_non_session_category() {
        return Err(TokenError::new(
            TokenReason::Invalid,
            "Invalid handshake token category.",
            Some(reason::ACTION_ENSURE_CLERK_JWT),
        ));
    }
    check_signature(
        jwt,
        alg,
        &key,
        verifier,
        "Handshake signature is invalid.",
        "Error verifying handshake token.",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(v: &Value) -> String {
        base64::encode_url(v.to_string().as_bytes())
    }

    fn unsigned(header: Value, payload: Value) -> Jwt {
        Jwt::decode(&format!("{}.{}.c2ln", seg(&header), seg(&payload))).unwrap()
    }

    const NOW: f64 = 1_700_000_000_000.0;
    const RULES: ClaimRules<'static> = ClaimRules {
        audience: &[],
        authorized_parties: &[],
        issuer: &[],
        skew_ms: 5000.0,
        reading: OptionReading::PLAIN,
    };

    fn claims(extra: Value) -> Jwt {
        let mut p =
            serde_json::json!({"sub": "user_1", "exp": 1_700_000_060, "iat": 1_699_999_995});
        if let (Value::Object(m), Value::Object(e)) = (&mut p, extra) {
            for (k, v) in e {
                if v.is_null() {
                    m.remove(&k);
                } else {
                    m.insert(k, v);
                }
            }
        }
        unsigned(serde_json::json!({"alg": "RS256"}), p)
    }

    fn err(j: &Jwt, rules: &ClaimRules<'_>) -> (String, String) {
        let e = check_claims(j, rules, NOW).unwrap_err();
        (e.reason.as_str().to_string(), e.message)
    }

    #[test]
    fn decode_errors() {
        assert_eq!(Jwt::decode("a.b").unwrap_err(), form_error());
        assert_eq!(Jwt::decode("a.b.c.d").unwrap_err(), form_error());
        assert_eq!(Jwt::decode("").unwrap_err(), form_error());
        assert_eq!(Jwt::decode("aaa.bbb.ccc").unwrap_err(), decode_error());
        assert_eq!(Jwt::decode("YWJj.YWJj.YWJj").unwrap_err(), decode_error());
        assert_eq!(Jwt::decode("e30.e30.!!").unwrap_err(), decode_error());
        assert!(Jwt::decode("e30.e30.").is_ok());
    }

    #[test]
    fn claim_order_and_messages() {
        assert_eq!(
            err(&claims(serde_json::json!({"sub": null})), &RULES).1,
            "Subject claim (sub) is required and must be a string. Received undefined."
        );
        assert!(check_claims(&claims(serde_json::json!({"sub": ""})), &RULES, NOW).is_ok());
        assert_eq!(
            err(&claims(serde_json::json!({"exp": "1"})), &RULES).1,
            "Invalid JWT expiry date claim (exp) \"1\". Expected number."
        );
        assert_eq!(err(&claims(serde_json::json!({"exp": 1_699_999_995})), &RULES),
            ("token-expired".into(), "JWT is expired. Expiry date: Tue, 14 Nov 2023 22:13:15 GMT, Current date: Tue, 14 Nov 2023 22:13:20 GMT.".into()));
        assert!(check_claims(
            &claims(serde_json::json!({"exp": 1_699_999_996})),
            &RULES,
            NOW
        )
        .is_ok());
        assert!(check_claims(
            &claims(serde_json::json!({"nbf": 1_700_000_005})),
            &RULES,
            NOW
        )
        .is_ok());
        assert_eq!(
            err(&claims(serde_json::json!({"nbf": 1_700_000_006})), &RULES).0,
            "token-not-active-yet"
        );
        assert_eq!(
            err(&claims(serde_json::json!({"iat": 1_700_000_006})), &RULES).0,
            "token-iat-in-the-future"
        );
        assert_eq!(
            err(
                &claims(serde_json::json!({"nbf": null, "iat": "x"})),
                &RULES
            )
            .1,
            "Invalid JWT issued at date claim (iat) \"x\". Expected number."
        );
        // Beyond the Date range: Clerk's comparisons are false, so this is not "early".
        assert!(check_claims(&claims(serde_json::json!({"nbf": 1e20})), &RULES, NOW).is_ok());
        // Fractions truncate toward zero.
        assert_eq!(
            err(&claims(serde_json::json!({"exp": 1_699_999_995.9})), &RULES).0,
            "token-expired"
        );
    }

    #[test]
    fn aud_azp_iss() {
        let aud = ["api://b".to_string()];
        let rules = ClaimRules {
            audience: &aud,
            ..RULES
        };
        assert_eq!(
            err(&claims(serde_json::json!({"aud": "api://a"})), &rules).1,
            "Invalid JWT audience claim (aud) \"api://a\". Is not included in \"[\"api://b\"]\"."
        );
        assert_eq!(
            err(&claims(serde_json::json!({"aud": ["x"]})), &rules).1,
            "Invalid JWT audience claim array (aud) [\"x\"]. Is not included in \"[\"api://b\"]\"."
        );
        assert!(check_claims(
            &claims(serde_json::json!({"aud": ["x", "api://b"]})),
            &rules,
            NOW
        )
        .is_ok());
        assert!(check_claims(&claims(serde_json::json!({})), &rules, NOW).is_ok());
        assert!(check_claims(&claims(serde_json::json!({"aud": ["", null]})), &rules, NOW).is_ok());
        assert!(check_claims(
            &claims(serde_json::json!({"aud": "api://b/x"})),
            &rules,
            NOW
        )
        .is_err());

        let parties = ["azp-1".to_string()];
        let rules = ClaimRules {
            authorized_parties: &parties,
            ..RULES
        };
        assert_eq!(
            err(&claims(serde_json::json!({})), &rules),
            (
                "token-invalid-authorized-parties".into(),
                "Invalid JWT Authorized party claim (azp) undefined. Expected \"azp-1\".".into()
            )
        );
        assert_eq!(
            err(&claims(serde_json::json!({"azp": ""})), &rules).1,
            "Invalid JWT Authorized party claim (azp) \"\". Expected \"azp-1\"."
        );
        let empty = [String::new()];
        let rules = ClaimRules {
            authorized_parties: &empty,
            ..RULES
        };
        assert_eq!(
            err(&claims(serde_json::json!({"azp": "azp"})), &rules).1,
            "Invalid JWT Authorized party claim (azp) \"azp\". Expected \"\"."
        );

        let iss = ["https://clerk.other.com".to_string()];
        let rules = ClaimRules {
            issuer: &iss,
            ..RULES
        };
        assert_eq!(
            err(
                &claims(serde_json::json!({"iss": "https://clerk.x.com"})),
                &rules
            )
            .0,
            "token-invalid-issuer"
        );
    }

    #[test]
    fn header_checks() {
        let j = unsigned(
            serde_json::json!({"alg": "RS256", "typ": "Aloha"}),
            serde_json::json!({}),
        );
        assert_eq!(
            check_typ(&j, None).unwrap_err().message,
            "Invalid JWT type \"Aloha\". Expected \"JWT\"."
        );
        let j = unsigned(serde_json::json!({"alg": "none"}), serde_json::json!({}));
        assert_eq!(
            check_alg(&j).unwrap_err().message,
            "Invalid JWT algorithm \"none\". Supported: RS256,RS384,RS512."
        );
        let j = unsigned(serde_json::json!({}), serde_json::json!({}));
        assert_eq!(
            check_alg(&j).unwrap_err().message,
            "Invalid JWT algorithm undefined. Supported: RS256,RS384,RS512."
        );
        let e = TokenError::new(TokenReason::Invalid, "m.", Some("Act."));
        assert_eq!(
            e.full_message(Carrier::Cookie),
            "m. Act. (reason=token-invalid, token-carrier=cookie)"
        );
    }
}

#[cfg(test)]
mod option_reading_tests {
    use super::*;

    fn jwt(header: Value, payload: Value) -> Jwt {
        let seg = |v: &Value| base64::encode_url(v.to_string().as_bytes());
        Jwt::decode(&format!("{}.{}.c2ln", seg(&header), seg(&payload))).unwrap()
    }
    fn typ(t: Value) -> Jwt {
        let mut h = serde_json::json!({"alg": "RS256"});
        if !t.is_null() {
            h["typ"] = t;
        }
        jwt(h, serde_json::json!({}))
    }
    fn claims(c: Value) -> Jwt {
        let mut p =
            serde_json::json!({"sub": "user_1", "exp": 1_700_000_060, "iat": 1_699_999_995});
        if let (Value::Object(m), Value::Object(e)) = (&mut p, c) {
            m.extend(e);
        }
        jwt(serde_json::json!({"alg": "RS256"}), p)
    }
    const NOW: f64 = 1_700_000_000_000.0;
    const PLAIN: ClaimRules<'static> = ClaimRules {
        audience: &[],
        authorized_parties: &[],
        issuer: &[],
        skew_ms: 5000.0,
        reading: OptionReading::PLAIN,
    };

    #[test]
    fn header_type_as_clerk_asserts_it() {
        let custom = ["custom+jwt".to_string()];
        let both = ["JWT".to_string(), "custom+jwt".to_string()];
        let message = |j: &Jwt, a: Option<&[String]>| check_typ(j, a).unwrap_err().message;
        assert!(
            check_typ(&typ(Value::Null), None).is_ok(),
            "no typ, no headerType"
        );
        assert!(check_typ(&typ("custom+jwt".into()), Some(&custom)).is_ok());
        assert!(check_typ(&typ("JWT".into()), Some(&both)).is_ok());
        assert!(check_typ(&typ("custom+jwt".into()), Some(&both)).is_ok());
        assert_eq!(
            message(&typ("JWT".into()), Some(&custom)),
            "Invalid JWT type \"JWT\". Expected \"custom+jwt\"."
        );
        assert_eq!(
            message(&typ(Value::Null), Some(&custom)),
            "Invalid JWT type undefined. Expected \"custom+jwt\"."
        );
        assert_eq!(
            message(&typ("x".into()), Some(&both)),
            "Invalid JWT type \"x\". Expected \"JWT, custom+jwt\"."
        );
        assert_eq!(
            message(&typ("custom+jwt".into()), None),
            "Invalid JWT type \"custom+jwt\". Expected \"JWT\"."
        );
        assert_eq!(
            check_typ(&typ("JWT".into()), Some(&[])).unwrap_err().reason,
            TokenReason::Invalid
        );
    }

    #[test]
    fn audience_with_other_values() {
        // `audience: 5`: no string entries, but the check happens and the message shows it.
        let rules = ClaimRules {
            reading: OptionReading {
                audience_listed: Some("[5]"),
                ..OptionReading::PLAIN
            },
            ..PLAIN
        };
        let e = check_claims(&claims(serde_json::json!({"aud": "5"})), &rules, NOW).unwrap_err();
        assert_eq!(
            (e.reason, e.message.as_str()),
            (
                TokenReason::VerificationFailed,
                "Invalid JWT audience claim (aud) \"5\". Is not included in \"[5]\"."
            )
        );
        assert!(check_claims(&claims(serde_json::json!({"aud": 5})), &rules, NOW).is_ok());
        assert!(check_claims(&claims(serde_json::json!({})), &rules, NOW).is_ok());
        let api = ["api".to_string()];
        let rules = ClaimRules {
            audience: &api,
            reading: OptionReading {
                audience_listed: Some("[5,\"api\"]"),
                ..OptionReading::PLAIN
            },
            ..PLAIN
        };
        assert!(check_claims(&claims(serde_json::json!({"aud": "api"})), &rules, NOW).is_ok());
        assert_eq!(
            check_claims(&claims(serde_json::json!({"aud": ["x"]})), &rules, NOW)
                .unwrap_err()
                .message,
            "Invalid JWT audience claim array (aud) [\"x\"]. Is not included in \"[5,\"api\"]\"."
        );
    }

    #[test]
    fn authorized_parties_as_one_string_is_a_substring_check() {
        let party = ["https://app.example.com".to_string()];
        let rules = ClaimRules {
            authorized_parties: &party,
            reading: OptionReading {
                parties_text: true,
                ..OptionReading::PLAIN
            },
            ..PLAIN
        };
        let check = |azp: &str| check_claims(&claims(serde_json::json!({"azp": azp})), &rules, NOW);
        assert!(check("https://app.example.com").is_ok());
        assert!(check("https://app.example").is_ok(), "String.includes");
        let e = check("https://other.example").unwrap_err();
        assert_eq!(
            (e.reason, e.message.as_str()),
            (
                TokenReason::InvalidAuthorizedParties,
                "Invalid JWT Authorized party claim (azp) \"https://other.example\". Expected \"https://app.example.com\"."
            )
        );
        assert_eq!(
            check("").unwrap_err().reason,
            TokenReason::InvalidAuthorizedParties
        );
        let list = ClaimRules {
            authorized_parties: &party,
            ..PLAIN
        };
        assert!(
            check_claims(
                &claims(serde_json::json!({"azp": "https://app.example"})),
                &list,
                NOW
            )
            .is_err(),
            "a list compares whole values"
        );
    }

    #[test]
    fn an_unusable_key_makes_every_signature_invalid() {
        use crate::host::services::{block_on, NoBackend};
        struct Never;
        impl SignatureVerifier for Never {
            async fn verify_rs256(
                &self,
                _k: &RsaPublicKey,
                _m: &[u8],
                _s: &[u8],
            ) -> Result<bool, String> {
                unreachable!("no key to verify with")
            }
        }
        let v = Verification {
            key: KeySource::Unusable,
            rules: PLAIN,
            now_ms: NOW,
            verifier: &Never,
            backend: &NoBackend,
        };
        let session = jwt(
            serde_json::json!({"alg": "RS256", "typ": "JWT"}),
            serde_json::json!({"sub": "u"}),
        );
        let e = block_on(verify_token(session.clone(), &v)).unwrap_err();
        assert_eq!(
            (e.reason, e.message.as_str()),
            (TokenReason::InvalidSignature, "JWT signature is invalid.")
        );
        // Header checks first, as in Clerk.
        let bad_typ = typ("x".into());
        assert_eq!(
            block_on(verify_token(bad_typ, &v)).unwrap_err().reason,
            TokenReason::Invalid
        );
        let e = block_on(verify_handshake_token(
            &session,
            KeySource::Unusable,
            &Never,
            &NoBackend,
        ))
        .unwrap_err();
        assert_eq!(e.message, "Handshake signature is invalid.");
    }
}

//! JWT attack suite: hostile tokens in `Authorization` and in `__session`, each with the exact
//! outcome Clerk gives (signed-out with its reason, never a 5xx, never signed-in). The
//! algorithm comes from the configured key; header fields never select a key or algorithm.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::web::base64::encode_url;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{json, Value};
use support::*;

fn seg(v: &Value) -> String {
    encode_url(v.to_string().as_bytes())
}

fn claims() -> Value {
    json!({"azp": AZP, "exp": NOW + 50, "iat": NOW - 10, "iss": LIVE.iss(), "nbf": NOW - 10, "sid": SESSION, "sub": USER})
}

/// Reason and message of a Bearer request with `token` (an API request: no handshakes).
fn outcome(token: &str) -> (String, String) {
    let st = run(
        &Req::fetch(DASHBOARD).bearer(token),
        &config(options(&LIVE)),
    );
    assert_ne!(st.status(), clerk_edge::AuthStatus::SignedIn, "{token}");
    (
        st.reason().unwrap_or_default().to_string(),
        st.message().unwrap_or_default().to_string(),
    )
}

fn assert_outcome(token: &str, reason: &str, message: &str) {
    let (r, m) = outcome(token);
    assert_eq!(r, reason, "{token}");
    assert_eq!(m, message, "{token}");
    // The same token as a cookie gets the same reason (with the cookie carrier).
    let st = run(
        &Req::fetch(DASHBOARD).session_cookies(token),
        &config(options(&LIVE)),
    );
    assert_eq!(st.reason(), Some(reason), "cookie {token}");
}

const ALG: &str = "Make sure that this is a valid Clerk-generated JWT.";

fn bad_alg(alg: &str) -> String {
    format!("Invalid JWT algorithm \"{alg}\". Supported: RS256,RS384,RS512. {ALG} (reason=token-invalid-algorithm, token-carrier=header)")
}
const BAD_SIGNATURE: &str =
    "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)";

#[test]
fn alg_none_is_rejected() {
    let t = format!(
        "{}.{}.",
        seg(&json!({"alg": "none", "typ": "JWT"})),
        seg(&claims())
    );
    assert_outcome(&t, "token-invalid-algorithm", &bad_alg("none"));
    let t = format!(
        "{}.{}.",
        seg(&json!({"alg": "None", "typ": "JWT"})),
        seg(&claims())
    );
    assert_outcome(&t, "token-invalid-algorithm", &bad_alg("None"));
}

#[test]
fn hs256_signed_with_the_public_pem_is_rejected() {
    let input = format!(
        "{}.{}",
        seg(&json!({"alg": "HS256", "typ": "JWT", "kid": KID})),
        seg(&claims())
    );
    for secret in [PUBLIC_PEM.as_bytes(), PUBLIC_PEM.trim().as_bytes()] {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        let t = format!("{input}.{}", encode_url(&mac.finalize().into_bytes()));
        assert_outcome(&t, "token-invalid-algorithm", &bad_alg("HS256"));
    }
}

#[test]
fn rs384_rs512_and_ecdsa_headers_never_select_another_algorithm() {
    let key =
        rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("fixtures/test-signing-key.pem")).unwrap();
    let failed = format!(
        "Error verifying JWT signature. Error: JWK \"alg\" does not match the requested algorithm {ALG} (reason=token-verification-failed, token-carrier=header)"
    );
    let input = format!(
        "{}.{}",
        seg(&json!({"alg": "RS384", "typ": "JWT", "kid": KID})),
        seg(&claims())
    );
    let sig = SigningKey::<sha2::Sha384>::new(key.clone())
        .sign(input.as_bytes())
        .to_bytes();
    assert_outcome(
        &format!("{input}.{}", encode_url(&sig)),
        "token-verification-failed",
        &failed,
    );
    let input = format!(
        "{}.{}",
        seg(&json!({"alg": "RS512", "typ": "JWT", "kid": KID})),
        seg(&claims())
    );
    let sig = SigningKey::<sha2::Sha512>::new(key)
        .sign(input.as_bytes())
        .to_bytes();
    assert_outcome(
        &format!("{input}.{}", encode_url(&sig)),
        "token-verification-failed",
        &failed,
    );
    for alg in ["ES256", "PS256", "EdDSA", "HS512", ""] {
        let t = format!(
            "{}.{}.{}",
            seg(&json!({"alg": alg, "typ": "JWT"})),
            seg(&claims()),
            encode_url(&[7u8; 64])
        );
        assert_outcome(&t, "token-invalid-algorithm", &bad_alg(alg));
    }
    let t = format!(
        "{}.{}.c2ln",
        seg(&json!({"alg": ["RS256"], "typ": "JWT"})),
        seg(&claims())
    );
    assert_outcome(
        &t,
        "token-invalid-algorithm",
        &format!("Invalid JWT algorithm [\"RS256\"]. Supported: RS256,RS384,RS512. {ALG} (reason=token-invalid-algorithm, token-carrier=header)"),
    );
}

#[test]
fn header_key_injection_is_ignored() {
    // The attacker signs with their own key and points every header field at it.
    let other = other_public_key();
    let jwk =
        json!({"kty": "RSA", "n": encode_url(&other.n), "e": encode_url(&other.e), "alg": "RS256"});
    for (name, value) in [
        ("jwk", jwk),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIB"])),
        ("kid", json!("../../../../dev/null")),
        ("kid", json!("' OR 1=1 --")),
        ("crit", json!(["exp"])),
    ] {
        let t = session(&LIVE)
            .header(name, value)
            .signed_by_other_key()
            .sign();
        assert_outcome(&t, "token-invalid-signature", BAD_SIGNATURE);
    }
}

#[test]
fn another_keys_signature_and_spliced_signatures_fail() {
    assert_outcome(
        &session(&LIVE).signed_by_other_key().sign(),
        "token-invalid-signature",
        BAD_SIGNATURE,
    );
    let good = valid(&LIVE);
    let (_, sig) = good.rsplit_once('.').unwrap();
    let escalated = session(&LIVE)
        .claim("org_role", "org:admin")
        .signing_input();
    assert_outcome(
        &format!("{escalated}.{sig}"),
        "token-invalid-signature",
        BAD_SIGNATURE,
    );
    for s in [
        "",
        "AA",
        &encode_url(&[0u8; 256]),
        &encode_url(&[0xffu8; 257]),
        &format!("{sig}AA"),
    ] {
        let (head, _) = good.rsplit_once('.').unwrap();
        assert_outcome(
            &format!("{head}.{s}"),
            "token-invalid-signature",
            BAD_SIGNATURE,
        );
    }
}

#[test]
fn duplicate_json_keys_take_the_last_value_like_json_parse() {
    // Hand-written JSON with `sub` twice, validly signed: JSON.parse keeps the last one.
    let header = seg(&json!({"alg": "RS256", "typ": "JWT", "kid": KID}));
    let payload = format!(
        r#"{{"azp":"{AZP}","exp":{},"iat":{},"iss":"{}","nbf":{},"sid":"{SESSION}","sub":"user_first","sub":"user_last"}}"#,
        NOW + 50,
        NOW - 10,
        LIVE.iss(),
        NOW - 10
    );
    let input = format!("{header}.{}", encode_url(payload.as_bytes()));
    let key =
        rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("fixtures/test-signing-key.pem")).unwrap();
    let sig = SigningKey::<sha2::Sha256>::new(key)
        .sign(input.as_bytes())
        .to_bytes();
    let st = run(
        &Req::fetch(DASHBOARD).bearer(&format!("{input}.{}", encode_url(&sig))),
        &config(options(&LIVE)),
    );
    assert_eq!(st.session().unwrap().user_id.as_deref(), Some("user_last"));
}

const FORM: &str = "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=header)";
const DECODE: &str =
    "Invalid JWT form. The header, payload, or signature could not be decoded. (reason=token-invalid, token-carrier=header)";

#[test]
fn malformed_tokens() {
    let good = valid(&LIVE);
    assert_outcome(&format!("{good}.extra"), "token-invalid", FORM);
    assert_outcome("a.b", "token-invalid", FORM);
    assert_outcome("....", "token-invalid", FORM);
    assert_outcome("!!!.???.***", "token-invalid", DECODE);
    assert_outcome(
        &format!("{}.{}.c2ln", encode_url(b"{\"alg\":"), seg(&claims())),
        "token-invalid",
        DECODE,
    );
    // Non-UTF-8 bytes are replaced (TextDecoder) and then fail JSON parsing.
    assert_outcome(
        &format!(
            "{}.{}.c2ln",
            encode_url(&[0xff, 0xfe, 0x7b]),
            seg(&claims())
        ),
        "token-invalid",
        DECODE,
    );
    let (head, rest) = good.split_once('.').unwrap();
    assert_outcome(
        &format!("{head}=.{rest}"),
        "token-invalid-signature",
        BAD_SIGNATURE,
    );
}

#[test]
fn a_64_kb_token_is_rejected_in_linear_time() {
    let padding = "x".repeat(64 * 1024);
    let t = session(&LIVE)
        .claim("padding", padding)
        .signed_by_other_key()
        .sign();
    assert!(t.len() > 64 * 1024);
    let start = std::time::Instant::now();
    assert_outcome(&t, "token-invalid-signature", BAD_SIGNATURE);
    // Generous sanity bound (two runs, debug-ish build): quadratic work would take far longer.
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn claims_of_the_wrong_type() {
    let fail =
        |m: &str| format!("{m} {ALG} (reason=token-verification-failed, token-carrier=header)");
    let cases = [
        (
            session(&LIVE).claim("sub", 5),
            fail("Subject claim (sub) is required and must be a string. Received 5."),
        ),
        (
            session(&LIVE).claim("sub", json!(null)),
            fail("Subject claim (sub) is required and must be a string. Received null."),
        ),
        (
            session(&LIVE).claim("exp", "soon"),
            fail("Invalid JWT expiry date claim (exp) \"soon\". Expected number."),
        ),
        (
            session(&LIVE).claim("exp", json!({"$gt": 0})),
            fail("Invalid JWT expiry date claim (exp) {\"$gt\":0}. Expected number."),
        ),
        (
            session(&LIVE).claim("nbf", json!([1])),
            fail("Invalid JWT not before date claim (nbf) [1]. Expected number."),
        ),
        (
            session(&LIVE).claim("iat", json!(true)),
            fail("Invalid JWT issued at date claim (iat) true. Expected number."),
        ),
    ];
    for (token, message) in cases {
        assert_outcome(&token.sign(), "token-verification-failed", &message);
    }
}

#[test]
fn typ_and_category_confusion() {
    let t = session(&LIVE).header("typ", "at+jwt").sign();
    // An OAuth-shaped JWT is a machine token: type mismatch for session-token requests.
    assert_outcome(&t, "token-type-mismatch", "");
    let t = session(&LIVE).header("cat", "cl_B7d4PD222AAA").sign();
    assert_outcome(&t, "token-type-mismatch", "");
    let t = session(&LIVE).claim("sub", "mch_123").sign();
    assert_outcome(&t, "token-type-mismatch", "");
}

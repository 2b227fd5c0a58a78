//! RS256 through the host's WebCrypto (`crypto.subtle.verify`): 16–33× faster than RSA
//! compiled to WASM. Each key is imported once per isolate and the `CryptoKey` reused.

use crate::host::key::RsaPublicKey;
use crate::host::services::SignatureVerifier;
use crate::web::base64;
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

thread_local! {
    /// Imported keys by modulus (an isolate sees one key, or a few during rotation).
    static KEYS: RefCell<Vec<(Vec<u8>, CryptoKey)>> = const { RefCell::new(Vec::new()) };
    /// `crypto.subtle` and the algorithm object, looked up once per isolate: building them
    /// costs several crossings into JavaScript on every first-sight verify.
    static SUBTLE: RefCell<Option<(SubtleCrypto, Object)>> = const { RefCell::new(None) };
}

fn err(v: JsValue) -> String {
    v.as_string()
        .or_else(|| {
            Reflect::get(&v, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "WebCrypto error".into())
}

fn lookup_subtle() -> Result<SubtleCrypto, String> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(err)?;
    Reflect::get(&crypto, &"subtle".into())
        .map_err(err)?
        .dyn_into::<SubtleCrypto>()
        .map_err(|_| "crypto.subtle is not available".to_string())
}

/// `crypto.subtle` and the RS256 algorithm object of this isolate.
fn subtle() -> Result<(SubtleCrypto, Object), String> {
    if let Some(pair) = SUBTLE.with(|c| c.borrow().clone()) {
        return Ok(pair);
    }
    let pair = (lookup_subtle()?, algorithm()?);
    SUBTLE.with(|c| *c.borrow_mut() = Some(pair.clone()));
    Ok(pair)
}

fn object(entries: &[(&str, JsValue)]) -> Result<Object, String> {
    let o = Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &(*k).into(), v).map_err(err)?;
    }
    Ok(o)
}

fn algorithm() -> Result<Object, String> {
    object(&[
        ("name", "RSASSA-PKCS1-v1_5".into()),
        ("hash", "SHA-256".into()),
    ])
}

async fn crypto_key(
    subtle: &SubtleCrypto,
    alg: &Object,
    key: &RsaPublicKey,
) -> Result<CryptoKey, String> {
    if let Some(k) = KEYS.with(|c| {
        c.borrow()
            .iter()
            .find(|(n, _)| *n == key.n)
            .map(|(_, k)| k.clone())
    }) {
        return Ok(k);
    }
    let jwk = object(&[
        ("kty", "RSA".into()),
        ("n", base64::encode_url(&key.n).into()),
        ("e", base64::encode_url(&key.e).into()),
        ("alg", "RS256".into()),
        ("ext", true.into()),
    ])?;
    let usages = Array::of1(&"verify".into());
    let promise = subtle
        .import_key_with_object("jwk", &jwk, alg, false, &usages)
        .map_err(err)?;
    let imported: CryptoKey = JsFuture::from(promise).await.map_err(err)?.unchecked_into();
    KEYS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 8 {
            c.remove(0);
        }
        c.push((key.n.clone(), imported.clone()));
    });
    Ok(imported)
}

/// `SignatureVerifier` backed by `crypto.subtle`.
#[derive(Debug, Default, Clone, Copy)]
pub struct WebCryptoVerifier;

impl SignatureVerifier for WebCryptoVerifier {
    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        let (subtle, alg) = subtle()?;
        let ck = crypto_key(&subtle, &alg, key).await?;
        let promise = subtle
            .verify_with_object_and_u8_array_and_u8_array(&alg, &ck, signature, message)
            .map_err(err)?;
        Ok(JsFuture::from(promise)
            .await
            .map_err(err)?
            .as_bool()
            .unwrap_or(false))
    }
}

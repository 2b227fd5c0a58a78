//! RS256 through Node's `node:crypto`, synchronously, for the Next shim on the Node.js runtime
//! (Next 16 `proxy.ts`, `runtime: 'nodejs'`). On Node, `crypto.subtle.verify` runs on the libuv
//! thread pool (~250 µs of round trip for a first-sight token); `crypto.verify` with a cached
//! `KeyObject` answers in tens of µs on the calling thread, so a first-sight decision finishes
//! without a Promise. The Node entry (js/wasm-inline.js, js/wasm-node.js) registers
//! `{ createPublicKey, verify }` through `setNodeCrypto`; the edge entry never does, and
//! [`HostVerifier`] then uses WebCrypto as before.

use crate::host::key::RsaPublicKey;
use crate::host::services::SignatureVerifier;
use crate::host::webcrypto::WebCryptoVerifier;
use crate::web::base64;
use js_sys::{Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The part of `node:crypto` used here (any object with these two functions).
    pub type NodeCrypto;
    #[wasm_bindgen(method, catch, js_name = createPublicKey)]
    fn create_public_key(this: &NodeCrypto, spec: &Object) -> Result<JsValue, JsValue>;
    /// `crypto.verify('RSA-SHA256', data, key, signature)`. The slices are views into wasm
    /// memory, read synchronously and not kept.
    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &NodeCrypto,
        algorithm: &str,
        data: &[u8],
        key: &JsValue,
        signature: &[u8],
    ) -> Result<JsValue, JsValue>;
}

thread_local! {
    static NODE: RefCell<Option<NodeCrypto>> = const { RefCell::new(None) };
    /// `KeyObject`s by modulus, built once per key (an isolate sees one key, or a few during
    /// rotation). Emptied when another `node:crypto` is registered.
    static KEYS: RefCell<Vec<(Vec<u8>, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Registers `node:crypto` (`{ createPublicKey, verify }`) as this isolate's RS256 verifier;
/// `undefined`/`null` goes back to WebCrypto. The signature cache is kept: what one verifier
/// accepted, the other accepts too (Wycheproof runs through both).
#[wasm_bindgen(js_name = setNodeCrypto)]
pub fn set_node_crypto(crypto: Option<NodeCrypto>) {
    KEYS.with(|k| k.borrow_mut().clear());
    NODE.with(|n| *n.borrow_mut() = crypto);
}

fn err(v: JsValue) -> String {
    v.as_string()
        .or_else(|| {
            Reflect::get(&v, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "node:crypto error".into())
}

fn key_object(crypto: &NodeCrypto, key: &RsaPublicKey) -> Result<JsValue, String> {
    if let Some(k) = KEYS.with(|c| {
        c.borrow()
            .iter()
            .find(|(n, _)| *n == key.n)
            .map(|(_, k)| k.clone())
    }) {
        return Ok(k);
    }
    // `{ key: { kty, n, e }, format: 'jwk' }`: the same key material WebCrypto imports.
    let jwk = Object::new();
    let spec = Object::new();
    for (o, k, v) in [
        (&jwk, "kty", JsValue::from_str("RSA")),
        (&jwk, "n", base64::encode_url(&key.n).into()),
        (&jwk, "e", base64::encode_url(&key.e).into()),
        (&spec, "key", jwk.clone().into()),
        (&spec, "format", "jwk".into()),
    ] {
        Reflect::set(o, &k.into(), &v).map_err(err)?;
    }
    let made = crypto.create_public_key(&spec).map_err(err)?;
    KEYS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 8 {
            c.remove(0);
        }
        c.push((key.n.clone(), made.clone()));
    });
    Ok(made)
}

/// RS256 through the registered `node:crypto`; `None` when none is registered.
fn verify_node(
    key: &RsaPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Option<Result<bool, String>> {
    NODE.with(|n| {
        let n = n.borrow();
        let crypto = n.as_ref()?;
        Some(key_object(crypto, key).and_then(|k| {
            crypto
                .verify("RSA-SHA256", message, &k, signature)
                .map(|v| v.as_bool().unwrap_or(false))
                .map_err(err)
        }))
    })
}

/// `node:crypto` when the Node entry registered it (no await: ready on the first poll), else
/// WebCrypto.
#[derive(Debug, Default, Clone, Copy)]
pub struct HostVerifier;

impl SignatureVerifier for HostVerifier {
    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        match verify_node(key, message, signature) {
            Some(result) => result,
            None => {
                WebCryptoVerifier
                    .verify_rs256(key, message, signature)
                    .await
            }
        }
    }
}

//! A per-isolate cache of verified signatures. Only the RSA check is cached: every claim
//! (`exp`, `nbf`, `iat`, `azp`, …) is still checked against the current time on every request,
//! so a cached run decides exactly what an uncached run decides, to the millisecond.
//! Entries are keyed by the signed bytes, the signature and the verifying key's modulus, so a
//! signature verified for one instance never counts for another.

use crate::key::RsaPublicKey;
use crate::services::SignatureVerifier;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// Bounds: entries and bytes held (tokens are ~1 kB; longer ones are not cached).
pub const MAX_ENTRIES: usize = 2048;
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
const MAX_TOKEN_BYTES: usize = 8 * 1024;

type Key = (Vec<u8>, Vec<u8>, Vec<u8>);

#[derive(Default)]
struct Store {
    map: HashMap<Key, ()>,
    order: VecDeque<Key>,
    bytes: usize,
}

/// Wraps a verifier; remembers successful verifications.
pub struct CachingVerifier<V> {
    inner: V,
    store: RefCell<Store>,
    hits: std::cell::Cell<u64>,
}

impl<V> CachingVerifier<V> {
    pub fn new(inner: V) -> Self {
        CachingVerifier {
            inner,
            store: RefCell::new(Store::default()),
            hits: std::cell::Cell::new(0),
        }
    }
    pub fn len(&self) -> usize {
        self.store.borrow().map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn hits(&self) -> u64 {
        self.hits.get()
    }
}

fn size(k: &Key) -> usize {
    k.0.len() + k.1.len() + k.2.len()
}

impl<V: SignatureVerifier> SignatureVerifier for CachingVerifier<V> {
    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        let cacheable = message.len() + signature.len() <= MAX_TOKEN_BYTES;
        let k: Key = (key.n.clone(), message.to_vec(), signature.to_vec());
        if cacheable && self.store.borrow().map.contains_key(&k) {
            self.hits.set(self.hits.get() + 1);
            return Ok(true);
        }
        let ok = self.inner.verify_rs256(key, message, signature).await?;
        if ok && cacheable {
            let mut s = self.store.borrow_mut();
            while s.map.len() >= MAX_ENTRIES || s.bytes + size(&k) > MAX_BYTES {
                let Some(old) = s.order.pop_front() else {
                    break;
                };
                s.bytes -= size(&old);
                s.map.remove(&old);
            }
            s.bytes += size(&k);
            s.order.push_back(k.clone());
            s.map.insert(k, ());
        }
        Ok(ok)
    }
}

#[cfg(all(test, feature = "rust-verifier"))]
mod tests {
    use super::*;
    use crate::services::block_on;
    use std::cell::Cell;

    /// Counts calls; accepts signatures equal to b"ok".
    struct Fake(Cell<u32>);
    impl SignatureVerifier for Fake {
        async fn verify_rs256(
            &self,
            _k: &RsaPublicKey,
            _m: &[u8],
            s: &[u8],
        ) -> Result<bool, String> {
            self.0.set(self.0.get() + 1);
            Ok(s == b"ok")
        }
    }

    fn key(byte: u8) -> RsaPublicKey {
        RsaPublicKey::new(vec![byte | 0x80; 256], vec![1, 0, 1]).unwrap()
    }

    #[test]
    fn caches_only_successes_per_key() {
        let v = CachingVerifier::new(Fake(Cell::new(0)));
        let (a, b) = (key(1), key(2));
        assert!(block_on(v.verify_rs256(&a, b"m", b"ok")).unwrap());
        assert!(block_on(v.verify_rs256(&a, b"m", b"ok")).unwrap());
        assert_eq!(v.inner.0.get(), 1, "second check answered from the cache");
        assert!(block_on(v.verify_rs256(&b, b"m", b"ok")).unwrap());
        assert_eq!(v.inner.0.get(), 2, "another key is another entry");
        assert!(!block_on(v.verify_rs256(&a, b"m", b"bad")).unwrap());
        assert!(!block_on(v.verify_rs256(&a, b"m", b"bad")).unwrap());
        assert_eq!(v.inner.0.get(), 4, "failures are never cached");
        assert_eq!(v.hits(), 1);
    }

    #[test]
    fn stays_bounded() {
        let v = CachingVerifier::new(Fake(Cell::new(0)));
        let k = key(3);
        for i in 0..(MAX_ENTRIES + 10) {
            block_on(v.verify_rs256(&k, format!("m{i}").as_bytes(), b"ok")).unwrap();
        }
        assert_eq!(v.len(), MAX_ENTRIES);
        let big = vec![b'x'; MAX_TOKEN_BYTES];
        block_on(v.verify_rs256(&k, &big, b"ok")).unwrap();
        assert_eq!(v.len(), MAX_ENTRIES, "oversized tokens are not cached");
    }
}

//! A per-isolate cache of verified signatures. Only the RSA check is cached: every claim
//! (`exp`, `nbf`, `iat`, `azp`, …) is still checked against the current time on every request,
//! so a cached run decides exactly what an uncached run decides, to the millisecond.
//! Entries are keyed by the signature and hold the signed bytes and the verifying key's modulus,
//! compared in full on every hit, so a signature verified for one instance never counts for
//! another. A lookup allocates nothing: it is on the path of every repeat request.

use crate::host::key::RsaPublicKey;
use crate::host::services::SignatureVerifier;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// Bounds: entries and bytes held (tokens are ~1 kB; longer ones are not cached).
pub const MAX_ENTRIES: usize = 2048;
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a signature was verified over.
struct Verified {
    modulus: Box<[u8]>,
    message: Box<[u8]>,
}

#[derive(Default)]
struct Store {
    /// Signature → what it was verified over. Only verified signatures are inserted, so an
    /// attacker cannot choose the keys the map holds.
    map: HashMap<Box<[u8]>, Verified>,
    /// Insertion order, for eviction.
    order: VecDeque<Box<[u8]>>,
    bytes: usize,
}

impl Store {
    fn size(signature: &[u8], v: &Verified) -> usize {
        signature.len() + v.modulus.len() + v.message.len()
    }
    fn contains(&self, key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
        self.map
            .get(signature)
            .is_some_and(|v| *v.message == *message && *v.modulus == *key.n)
    }
    fn insert(&mut self, key: &RsaPublicKey, message: &[u8], signature: &[u8]) {
        let v = Verified {
            modulus: key.n.as_slice().into(),
            message: message.into(),
        };
        let size = Store::size(signature, &v);
        while self.map.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.map.remove(&old) {
                self.bytes -= Store::size(&old, &gone);
            }
        }
        // The same signature over other bytes replaces the entry (a miss only costs a verify).
        if let Some(prev) = self.map.insert(signature.into(), v) {
            self.bytes -= Store::size(signature, &prev);
            self.order.retain(|s| **s != *signature);
        }
        self.order.push_back(signature.into());
        self.bytes += size;
    }
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

impl<V: SignatureVerifier> SignatureVerifier for CachingVerifier<V> {
    fn is_known(&self, key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
        message.len() + signature.len() <= MAX_TOKEN_BYTES
            && self.store.borrow().contains(key, message, signature)
    }

    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        let cacheable = message.len() + signature.len() <= MAX_TOKEN_BYTES;
        if cacheable && self.store.borrow().contains(key, message, signature) {
            self.hits.set(self.hits.get() + 1);
            return Ok(true);
        }
        let ok = self.inner.verify_rs256(key, message, signature).await?;
        if ok && cacheable {
            self.store.borrow_mut().insert(key, message, signature);
        }
        Ok(ok)
    }
}

#[cfg(all(test, feature = "rust-verifier"))]
mod tests {
    use super::*;
    use crate::host::services::block_on;
    use std::cell::Cell;

    /// Counts calls; accepts signatures starting with b"ok".
    struct Fake(Cell<u32>);
    impl SignatureVerifier for Fake {
        async fn verify_rs256(
            &self,
            _k: &RsaPublicKey,
            _m: &[u8],
            s: &[u8],
        ) -> Result<bool, String> {
            self.0.set(self.0.get() + 1);
            Ok(s.starts_with(b"ok"))
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
            let sig = format!("ok{i}");
            block_on(v.verify_rs256(&k, format!("m{i}").as_bytes(), sig.as_bytes())).unwrap();
        }
        assert_eq!(v.len(), MAX_ENTRIES);
        let big = vec![b'x'; MAX_TOKEN_BYTES];
        block_on(v.verify_rs256(&k, &big, b"ok")).unwrap();
        assert_eq!(v.len(), MAX_ENTRIES, "oversized tokens are not cached");
    }

    #[test]
    fn a_hit_needs_the_same_bytes_and_key() {
        let v = CachingVerifier::new(Fake(Cell::new(0)));
        let (a, b) = (key(1), key(2));
        assert!(block_on(v.verify_rs256(&a, b"m1", b"ok")).unwrap());
        assert!(block_on(v.verify_rs256(&a, b"m2", b"ok")).unwrap());
        assert!(block_on(v.verify_rs256(&b, b"m2", b"ok")).unwrap());
        assert_eq!(v.inner.0.get(), 3, "other message or key: verified again");
        assert_eq!(v.len(), 1, "one signature, one entry (the latest)");
        assert!(block_on(v.verify_rs256(&b, b"m2", b"ok")).unwrap());
        assert_eq!((v.inner.0.get(), v.hits()), (3, 1));
        assert_eq!(v.store.borrow().order.len(), 1);
    }
}

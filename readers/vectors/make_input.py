# Writes readers/vectors/input.json: the keys, clock and case descriptions from which
# `cargo run --bin reader-vectors -- generate` builds the vector file. Expectations are stated
# here by hand (the oracle); the generator only fills the header-derived fields.
# `make_input.py OUT [--random]`: --random draws fresh keys and takes the current clock, so a
# reader cannot pass by knowing the committed constants.
import json, secrets, sys, time

RANDOM = "--random" in sys.argv
now = int(time.time()) if RANDOM else 1767225600  # 2026-01-01T00:00:00Z
base = {"sub": "user_2vectors", "sid": "sess_2vectors", "sts": "active", "iss": "https://clerk.vectors.example",
        "azp": "https://app.vectors.example", "iat": "now-5", "nbf": "now-10", "exp": "now+55"}
def claims(**kw):
    c = dict(base); c.update(kw); return {k: v for k, v in c.items() if v is not None}
ok_user = {"userId": "user_2vectors", "sessionId": "sess_2vectors", "sessionStatus": "active"}
def ok(**kw):
    o = dict(ok_user); o.update(kw); return {"ok": o}
def err(code): return {"error": code}
C = []
def case(name, **kw): C.append({"name": name, **kw})

v1org = claims(org_id="org_1", org_role="org:admin", org_slug="acme",
               org_permissions=["org:invoices:read", "org:invoices:write", 7])
v2org = claims(v=2, fea="o:reports,o:billing,u:inbox", pla="u:free,o:team",
               o={"id": "org_2", "rol": "admin", "slg": "acme2", "per": "read,manage", "fpm": "3,1"})
signed_out_fields = {"userId": None, "sessionId": None, "sessionStatus": None, "isAuthenticated": False}

# -- signed in ------------------------------------------------------------------------------
case("signed-in v1, no organization", claims=claims(), expect=ok(has=[
    {"params": {"role": "org:admin"}, "result": False}, {"params": {}, "result": False}]))
case("signed-in v1 organization", claims=v1org, expect=ok(orgId="org_1", orgRole="org:admin", orgSlug="acme",
     orgPermissions=["org:invoices:read", "org:invoices:write"], has=[
    {"params": {"role": "org:admin"}, "result": True}, {"params": {"role": "admin"}, "result": True},
    {"params": {"role": "org:member"}, "result": False}, {"params": {"permission": "org:invoices:read"}, "result": True},
    {"params": {"permission": "invoices:write"}, "result": True}, {"params": {"permission": "org:invoices:delete"}, "result": False},
    {"params": {"role": "org:admin", "permission": "org:invoices:delete"}, "result": False},
    {"params": {"role": 1}, "result": False}]))
case("signed-in v2 organization (fea/per/fpm)", claims=v2org, expect=ok(orgId="org_2", orgRole="org:admin", orgSlug="acme2",
     orgPermissions=["org:reports:read", "org:reports:manage", "org:billing:read"], has=[
    {"params": {"role": "admin"}, "result": True}, {"params": {"permission": "org:reports:manage"}, "result": True},
    {"params": {"permission": "org:billing:manage"}, "result": False}, {"params": {"feature": "reports"}, "result": True},
    {"params": {"feature": "org:inbox"}, "result": False}, {"params": {"feature": "user:inbox"}, "result": True},
    {"params": {"plan": "team"}, "result": True}, {"params": {"plan": "u:team"}, "result": False}]))
case("signed-in v2 without organization", claims=claims(v=2, fea="u:inbox"), expect=ok(has=[
    {"params": {"feature": "inbox"}, "result": True}, {"params": {"permission": "org:x:y"}, "result": False}]))
case("signed-in v2 organization, malformed fpm mask", claims=claims(v=2, fea="o:reports",
     o={"id": "org_3", "rol": "member", "slg": "s", "per": "read", "fpm": "x"}),
     expect=ok(orgId="org_3", orgRole="org:member", orgSlug="s", orgPermissions=[]))
case("signed-in v2 organization, mask beyond 64 bits", claims=claims(v=2, fea="o:a,o:b",
     o={"id": "org_4", "rol": "admin", "per": "p0,p1,p2", "fpm": "18446744073709551621,6"}),
     expect=ok(orgId="org_4", orgRole="org:admin", orgPermissions=["org:a:p0", "org:a:p2", "org:b:p1", "org:b:p2"]))
case("signed-in v1 claims of the wrong types are absent", claims=claims(sid=5, org_id=9, org_role=None),
     expect=ok(sessionId=None))
case("signed-in with the second key of a rotation", claims=claims(), sign="secret1", expect=ok())
case("header names in upper case", claims=claims(), mutate="uppercase-names", expect=ok())
case("signature hex in upper case", claims=claims(), mutate="signature-uppercase", expect=ok())
case("pending session reads as signed out", claims=claims(sts="pending"),
     expect={"ok": {**signed_out_fields, "sessionStatus": "pending"}})
case("an unread header may repeat (x-clerk-clerk-url)", claims=claims(), mutate="duplicate:x-clerk-clerk-url", expect=ok())
case("reason at exactly 16384 bytes", claims=claims(), mutate="size:x-clerk-auth-reason:16384", expect=ok())
case("exp within the skew", claims=claims(exp="now-5"), expect=ok())
case("nbf within the skew", claims=claims(nbf="now+5"), expect=ok())
case("token without nbf", claims=claims(nbf=None), expect=ok())
case("fractional exp", claims=claims(exp=now + 0.5), expect=ok())
case("clock checks use the configured skew", claims=claims(exp="now-20"), options={"clockSkewSeconds": 30}, expect=ok())
# -- signed out -----------------------------------------------------------------------------
so = {"ok": dict(signed_out_fields)}
case("signed out", status="signed-out", reason="session-token-and-uat-missing", sign="none", expect=so)
case("signed out with message", status="signed-out", reason="token-expired",
     message="JWT is expired. Expiry date: Thu, 01 Jan 2026 00:00:00 GMT", sign="none", expect=so)
case("signed out ignores a garbage token", status="signed-out", token="garbage", sign="none", expect=so)
case("signed out ignores a wrong signature", status="signed-out", claims=claims(), sign="wrong", expect=so)
# -- request data ---------------------------------------------------------------------------
rd = {"publishableKey": "pk_test_dmVjdG9ycy5jbGVyay5hY2NvdW50cy5kZXYk", "signInUrl": "/sign-in", "isSatellite": False, "n": 3}
case("request data, gcm", claims=claims(), requestData={"format": "gcm", "data": rd}, expect=ok())
case("request data, clerk (CBC)", claims=claims(), requestData={"format": "clerk", "data": rd}, expect=ok())
case("request data, gcm, unicode", claims=claims(), requestData={"format": "gcm", "data": {"domain": "exämple.test ✓"}}, expect=ok())
case("request data on a signed-out request", status="signed-out", sign="none",
     requestData={"format": "gcm", "data": rd}, expect=so)
case("request data keyed by the secret key (no encryption key)", claims=claims(), options={"encryptionKey": ""},
     requestData={"format": "gcm", "data": rd, "key": "secret0"}, expect=ok())
case("clerk request data keyed by the secret key (no encryption key)", claims=claims(), options={"encryptionKey": ""},
     requestData={"format": "clerk", "data": rd, "key": "secret0"}, expect=ok())
case("request data keyed by the second secret key", claims=claims(), options={"encryptionKey": ""},
     requestData={"format": "gcm", "data": rd, "key": "secret1"}, expect=ok())
case("empty request data header is absent", claims=claims(), mutate="set:x-clerk-request-data=", expect=ok())
dyn = {"secretKey": "$wrong"}
case("secretKey in request data is ignored by default", claims=claims(), sign="wrong",
     requestData={"format": "gcm", "data": {"secretKey": "WRONG"}}, expect=err("auth_signature_invalid"))
case("secretKey in request data, configured key still verifies", claims=claims(),
     requestData={"format": "gcm", "data": {"secretKey": "WRONG"}}, expect=ok())
case("secretKey in request data replaces the keys in Clerk-compatible mode", claims=claims(), sign="wrong",
     options={"clerkCompatible": True}, requestData={"format": "clerk", "data": {"secretKey": "WRONG"}}, expect=ok())
case("Clerk-compatible mode: the configured key no longer verifies", claims=claims(),
     options={"clerkCompatible": True}, requestData={"format": "clerk", "data": {"secretKey": "WRONG"}},
     expect=err("auth_signature_invalid"))
# -- errors ---------------------------------------------------------------------------------
case("no status header", status=None, claims=claims(), expect=err("middleware_missing"))
case("no headers at all", status=None, sign="none", mutate="drop:x-clerk-auth-token", expect=err("middleware_missing"))
case("unknown status", status="handshake", claims=claims(), expect=err("status_invalid"))
case("status is case-sensitive", status="Signed-In", claims=claims(), expect=err("status_invalid"))
case("empty status", status="", claims=claims(), expect=err("status_invalid"))
case("wrong secret key", claims=claims(), sign="wrong", expect=err("auth_signature_invalid"))
case("no signature (spoofed headers)", claims=claims(), sign="none", expect=err("auth_signature_invalid"))
case("signature header missing", claims=claims(), mutate="drop:x-clerk-auth-signature", expect=err("auth_signature_invalid"))
case("signature of zeros", claims=claims(), mutate="set:x-clerk-auth-signature=" + "0" * 40, expect=err("auth_signature_invalid"))
case("signature not hex", claims=claims(), mutate="set:x-clerk-auth-signature=" + "zz" * 20, expect=err("auth_signature_invalid"))
case("signature truncated", claims=claims(), mutate="set:x-clerk-auth-signature=23fc9cfe34885856016958af27af6f792340e98",
     expect=err("auth_signature_invalid"))
case("token changed after signing", claims=claims(), mutate="token-append:x", expect=err("auth_signature_invalid"))
case("signed in with an empty token", token="", sign="none", expect=err("auth_signature_invalid"))
case("key retired from the rotation", claims=claims(), sign="secret0", options={"secretKeys": ["secret1"]},
     expect=err("auth_signature_invalid"))
case("request data, wrong key (gcm)", claims=claims(), requestData={"format": "gcm", "data": rd, "key": "wrongEncryption"},
     expect=err("encryption_key_invalid"))
case("request data, wrong key (clerk)", claims=claims(), requestData={"format": "clerk", "data": rd, "key": "wrongEncryption"},
     expect=err("encryption_key_invalid"))
case("request data, flipped byte (gcm)", claims=claims(), requestData={"format": "gcm", "data": rd},
     mutate="flip-request-data", expect=err("encryption_key_invalid"))
case("request data, flipped byte (clerk)", claims=claims(), requestData={"format": "clerk", "data": rd},
     mutate="flip-request-data", expect=err("encryption_key_invalid"))
case("request data, truncated (gcm)", claims=claims(), requestData={"format": "gcm", "data": rd},
     mutate="truncate-request-data", expect=err("encryption_key_invalid"))
case("request data, truncated (clerk)", claims=claims(), requestData={"format": "clerk", "data": rd},
     mutate="truncate-request-data", expect=err("encryption_key_invalid"))
case("request data, not base64", claims=claims(), mutate="set:x-clerk-request-data=%%%not base64%%%",
     expect=err("encryption_key_invalid"))
case("request data, unknown gcm version", claims=claims(), mutate="set:x-clerk-request-data=AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
     expect=err("encryption_key_invalid"))
case("request data, JSON that is not an object", claims=claims(), requestData={"format": "gcm", "data": [1, 2]},
     expect=err("encryption_key_invalid"))
case("request data, no secret key opens it", claims=claims(), options={"encryptionKey": ""},
     requestData={"format": "gcm", "data": rd}, expect=err("encryption_key_invalid"))
case("request data error before status (signed out)", status="signed-out", sign="none",
     requestData={"format": "clerk", "data": rd, "key": "wrongEncryption"}, expect=err("encryption_key_invalid"))
case("token not a JWT", token="not-a-jwt", expect=err("token_malformed"))
case("token with two parts", tokenParts=['{"alg":"RS256"}', '{"sub":"u","exp":9999999999}'], expect=err("token_malformed"))
case("token with four parts", tokenParts=['{"alg":"RS256"}', '{"sub":"u","exp":9999999999}', "s", "s"], expect=err("token_malformed"))
case("token payload not JSON", tokenParts=['{"alg":"RS256"}', "{not json", "s"], expect=err("token_malformed"))
case("token payload an array", tokenParts=['{"alg":"RS256"}', "[1]", "s"], expect=err("token_malformed"))
case("token header not base64url", tokenParts=[{"raw": "%%%"}, '{"sub":"u","exp":9999999999}', "s"], expect=err("token_malformed"))
case("token without exp", claims=claims(exp=None), expect=err("token_malformed"))
case("token with a string exp", claims=claims(exp="tomorrow"), expect=err("token_malformed"))
case("token with a string nbf", claims=claims(nbf="soon"), expect=err("token_malformed"))
case("token expired", claims=claims(exp="now-6"), expect=err("token_expired"))
case("token expired long ago (replayed)", claims=claims(iat="now-3600", nbf="now-3610", exp="now-3540"), expect=err("token_expired"))
case("token expired with skew 0", claims=claims(exp="now-1"), options={"clockSkewSeconds": 0}, expect=err("token_expired"))
case("token not yet valid", claims=claims(nbf="now+6"), expect=err("token_not_yet_valid"))
for h in ["x-clerk-auth-status", "x-clerk-auth-token", "x-clerk-auth-signature", "x-clerk-auth-reason", "x-clerk-auth-message"]:
    case(f"duplicate {h}", claims=claims(), mutate=f"duplicate:{h}", expect=err("header_duplicate"))
case("duplicate x-clerk-request-data", claims=claims(), requestData={"format": "gcm", "data": rd},
     mutate="duplicate:x-clerk-request-data", expect=err("header_duplicate"))
case("duplicate status in another case", claims=claims(), mutate="duplicate-upper:x-clerk-auth-status", expect=err("header_duplicate"))
case("oversized reason", claims=claims(), mutate="size:x-clerk-auth-reason:16385", expect=err("header_too_large"))
case("oversized token", claims=claims(), mutate="size:x-clerk-auth-token:16385", expect=err("header_too_large"))
case("oversized request data", claims=claims(), mutate="size:x-clerk-request-data:20000", expect=err("header_too_large"))
# -- the Worker's x-clerk-edge-signature (cases with "edge"/"request" turn edgeSignature on) ---
E = {"t": "now-2"}
case("edge-signed, signed in", claims=claims(), edge=E, expect=ok())
case("edge-signed, signed out", status="signed-out", sign="none", reason="session-token-and-uat-missing", edge=E, expect=so)
case("edge-signed with request data", claims=claims(), requestData={"format": "gcm", "data": rd}, edge=E, expect=ok())
case("edge-signed with the rotated key", claims=claims(), sign="secret1", edge={"t": "now", "key": "secret1"}, expect=ok())
case("edge-signed, method and host compared case-insensitively", claims=claims(), edge=E,
     request={"method": "get", "path": "/dashboard?tab=1", "host": "Origin.Internal:8080"}, expect=ok())
case("edge signature at the end of its window", claims=claims(), edge={"t": "now-35"}, expect=ok())
case("edge signature from just within the skew ahead", claims=claims(), edge={"t": "now+5"}, expect=ok())
case("edge signature required but missing", claims=claims(), request={}, expect=err("edge_signature_missing"))
case("replayed later (edge signature too old)", claims=claims(), edge={"t": "now-36"}, expect=err("edge_signature_expired"))
case("edge signature from the future", claims=claims(), edge={"t": "now+6"}, expect=err("edge_signature_invalid"))
case("replayed to another path", claims=claims(), edge={"t": "now", "signedAs": {"path": "/settings"}}, expect=err("edge_signature_invalid"))
case("replayed with another query", claims=claims(), edge={"t": "now", "signedAs": {"path": "/dashboard?tab=2"}}, expect=err("edge_signature_invalid"))
case("replayed with another method", claims=claims(), edge={"t": "now", "signedAs": {"method": "POST"}}, expect=err("edge_signature_invalid"))
case("replayed to another host", claims=claims(), edge={"t": "now", "signedAs": {"host": "other.internal:8080"}}, expect=err("edge_signature_invalid"))
case("status changed after signing", status="signed-out", sign="none", edge={"t": "now", "signedAs": {"status": "signed-in"}},
     expect=err("edge_signature_invalid"))
case("token changed after edge signing", claims=claims(), edge=E, mutate="token-append:x", expect=err("edge_signature_invalid"))
case("request data swapped after signing", claims=claims(), requestData={"format": "gcm", "data": rd}, edge=E,
     mutate="set:x-clerk-request-data=AQ", expect=err("edge_signature_invalid"))
case("edge-signed but corrupt request data", claims=claims(), requestData={"format": "gcm", "data": rd}, edge=E,
     mutate="flip-request-data", expect=err("encryption_key_invalid"))
case("edge signed with a wrong key", claims=claims(), edge={"t": "now", "key": "wrong"}, expect=err("edge_signature_invalid"))
case("edge signature malformed", claims=claims(), edge=E, mutate="set:x-clerk-edge-signature=v2,1,abc", expect=err("edge_signature_invalid"))
case("duplicate x-clerk-edge-signature", claims=claims(), edge=E, mutate="duplicate:x-clerk-edge-signature", expect=err("header_duplicate"))

# "WRONG" stands for the input's wrongSecretKey (filled below so the key appears once).
if RANDOM:
    keys = {"secretKeys": ["sk_test_" + secrets.token_urlsafe(36), "sk_live_" + secrets.token_urlsafe(36)],
            "wrongSecretKey": "sk_test_" + secrets.token_urlsafe(36),
            # A passphrase (HKDF) this time, not 64 hex digits.
            "encryptionKey": secrets.token_urlsafe(40), "wrongEncryptionKey": secrets.token_hex(32),
            "seed": secrets.token_hex(16)}
else:
    keys = {"secretKeys": ["sk_test_vectorsPrimaryKey0123456789abcdefABCDEF", "sk_test_vectorsRotatedKey9876543210fedcbaFEDCBA"],
            "wrongSecretKey": "sk_test_vectorsAttackerKey000000000000000000000",
            "encryptionKey": "6a1f0c3e9b8d7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d",
            "wrongEncryptionKey": "0000000000000000000000000000000000000000000000000000000000000001",
            "seed": "clerk-edge reader vectors v1"}
inp = {**keys, "now": now, "clockSkewSeconds": 5, "cases": C}
s = json.dumps(inp, indent=1).replace('"WRONG"', json.dumps(inp["wrongSecretKey"]))
args = [a for a in sys.argv[1:] if a != "--random"]
open(args[0] if args else "readers/vectors/input.json", "w").write(s + "\n")
print(len(C), "cases")

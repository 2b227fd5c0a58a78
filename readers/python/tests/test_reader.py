import asyncio
import hashlib
import hmac
import base64
import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from clerk_edge_reader import ClerkEdgeASGI, ClerkEdgeWSGI, ReaderError, read
from clerk_edge_reader.vectors import run

KEY = "sk_test_pytestKey0123456789abcdefghijklmnop"
NOW = 1_800_000_000


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def token(**claims):
    c = {"sub": "user_1", "sid": "sess_1", "exp": NOW + 60, **claims}
    return f"{b64({'alg': 'RS256'})}.{b64(c)}.c2ln"


def signed(tok, key=KEY):
    return [("x-clerk-auth-status", "signed-in"), ("x-clerk-auth-token", tok),
            ("x-clerk-auth-signature", hmac.new(key.encode(), tok.encode(), hashlib.sha1).hexdigest())]


@pytest.mark.skipif(not os.environ.get("CLERK_EDGE_READER_VECTORS"), reason="set by scripts/test-readers.sh")
def test_shared_vector_file():
    with open(os.environ["CLERK_EDGE_READER_VECTORS"], encoding="utf-8") as f:
        passed, failed = run(json.load(f))
    assert failed == 0 and passed >= 60


def test_signed_in_and_has():
    a = read(signed(token(org_id="org_1", org_role="org:admin")), KEY, "", now=NOW)
    assert (a.status, a.user_id, a.session_id, a.org_id) == ("signed-in", "user_1", "sess_1", "org_1")
    assert a.has(role="admin") and a.has({"role": "org:admin"}) and not a.has(role="member")


def test_errors_have_codes():
    with pytest.raises(ReaderError) as e:
        read(signed(token(), "sk_other"), KEY, "", now=NOW)
    assert e.value.code == "auth_signature_invalid"
    with pytest.raises(ReaderError) as e:
        read(signed(token()), KEY, "", now=NOW + 66)
    assert e.value.code == "token_expired"
    assert read(signed(token()), KEY, "", now=NOW + 66, clock_skew=None).user_id == "user_1"
    with pytest.raises(ReaderError) as e:
        read({}, KEY, "")
    assert e.value.code == "middleware_missing"
    assert str(e.value) == "clerk-edge reader: middleware_missing"  # no secrets, no token


def test_keys_and_clock_from_environment(monkeypatch):
    monkeypatch.setenv("CLERK_SECRET_KEY", f"sk_old, {KEY}")
    monkeypatch.setenv("CLERK_ENCRYPTION_KEY", "")
    assert read(signed(token()), now=NOW).user_id == "user_1"


def test_wsgi_middleware():
    seen = {}

    def app(environ, start_response):
        seen["auth"] = environ["clerk_edge.auth"]
        start_response("200 OK", [])
        return [b"ok"]

    mw = ClerkEdgeWSGI(app, KEY, "", now=NOW, require_edge_signature=False)
    environ = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed(token())}
    statuses = []
    assert mw(environ, lambda s, h: statuses.append(s)) == [b"ok"]
    assert seen["auth"].user_id == "user_1" and statuses == ["200 OK"]
    environ["HTTP_X_CLERK_AUTH_SIGNATURE"] = "0" * 40
    body = mw(environ, lambda s, h: statuses.append(s))
    assert statuses[-1] == "401 Unauthorized" and json.loads(body[0]) == {"error": "auth_signature_invalid"}


def test_asgi_middleware_sees_duplicates():
    sent, seen = [], {}

    async def app(scope, receive, send):
        seen["auth"] = scope["state"]["clerk_auth"]

    async def send(m):
        sent.append(m)

    mw = ClerkEdgeASGI(app, [KEY], "", now=NOW, require_edge_signature=False)
    headers = [(k.encode(), v.encode()) for k, v in signed(token())]
    asyncio.run(mw({"type": "http", "headers": headers}, None, send))
    assert seen["auth"].user_id == "user_1"
    dup = headers + [(b"X-Clerk-Auth-Status", b"signed-out")]
    asyncio.run(mw({"type": "http", "headers": dup}, None, send))
    assert sent[0]["status"] == 401 and json.loads(sent[1]["body"]) == {"error": "header_duplicate"}


header_names = st.sampled_from(["x-clerk-auth-status", "x-clerk-auth-token", "x-clerk-auth-signature",
                                "x-clerk-request-data", "x-clerk-auth-reason", "other"])
values = st.one_of(st.text(max_size=200), st.sampled_from(["signed-in", "signed-out", "U2FsdGVkX1", "AQ", ""]))


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.tuples(header_names, values), max_size=8), st.booleans())
def test_fuzz_never_crashes(headers, compat):
    try:
        read(headers, [KEY], "", clerk_compatible=compat, now=NOW)
    except ReaderError as e:
        assert e.code in {"header_duplicate", "header_too_large", "middleware_missing", "status_invalid",
                          "encryption_key_invalid", "auth_signature_invalid", "token_malformed",
                          "token_expired", "token_not_yet_valid"}


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode())))
def test_fuzz_request_data_and_tokens(value):
    for headers in ([("x-clerk-auth-status", "signed-out"), ("x-clerk-request-data", value)],
                    [("x-clerk-auth-status", "signed-in"), ("x-clerk-auth-token", value),
                     ("x-clerk-auth-signature", hmac.new(KEY.encode(), value.encode("utf-8", "surrogatepass"), hashlib.sha1).hexdigest())]):
        try:
            read(headers, KEY, "", now=NOW)
        except ReaderError:
            pass


def edge(tok, path, t=NOW, status="signed-in", method="GET", host="origin.test"):
    from clerk_edge_reader._crypto import edge_canonical
    msg = edge_canonical(t, status, tok, "", method, path, host).encode()
    return f"v1,{t},{hmac.new(KEY.encode(), msg, hashlib.sha256).hexdigest()}"


def test_wsgi_requires_the_edge_signature_over_this_request():
    def app(environ, start_response):
        start_response("200 OK", [])
        return [environ["clerk_edge.auth"].user_id.encode()]

    mw = ClerkEdgeWSGI(app, KEY, "", now=NOW)
    tok = token()
    base = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed(tok)}
    base.update(REQUEST_METHOD="GET", HTTP_HOST="origin.test", PATH_INFO="/a b", QUERY_STRING="x=1")

    def call(**env):
        statuses = []
        body = mw({**base, **env}, lambda s, h: statuses.append(s))
        return statuses[0], body[0]

    good = edge(tok, "/a%20b?x=1")
    assert call(HTTP_X_CLERK_EDGE_SIGNATURE=good) == ("200 OK", b"user_1")
    assert call() == ("401 Unauthorized", b'{"error": "edge_signature_missing"}')
    assert call(HTTP_X_CLERK_EDGE_SIGNATURE=good, PATH_INFO="/other") == ("401 Unauthorized", b'{"error": "edge_signature_invalid"}')
    assert call(HTTP_X_CLERK_EDGE_SIGNATURE=good, REQUEST_METHOD="POST") == ("401 Unauthorized", b'{"error": "edge_signature_invalid"}')
    old = edge(tok, "/a%20b?x=1", t=NOW - 36)
    assert call(HTTP_X_CLERK_EDGE_SIGNATURE=old) == ("401 Unauthorized", b'{"error": "edge_signature_expired"}')

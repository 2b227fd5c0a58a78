"""The reader contract (docs/reader-vectors.md): forwarded x-clerk-* headers → Auth or ReaderError."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from ._auth import SessionAuth
from ._crypto import b64url_loose, decrypt_request_data, parse_json, verify_edge_signature, verify_signature

MAX_HEADER_BYTES = 16 * 1024
DEFAULT_CLOCK_SKEW_SECONDS = 5.0

STATUS = "x-clerk-auth-status"
TOKEN = "x-clerk-auth-token"
SIGNATURE = "x-clerk-auth-signature"
REASON = "x-clerk-auth-reason"
MESSAGE = "x-clerk-auth-message"
REQUEST_DATA = "x-clerk-request-data"
EDGE_SIGNATURE = "x-clerk-edge-signature"
_READ = (STATUS, TOKEN, SIGNATURE, REASON, MESSAGE, REQUEST_DATA, EDGE_SIGNATURE)
DEFAULT_EDGE_MAX_AGE_SECONDS = 30.0


@dataclass(frozen=True)
class Request:
    """The request as the origin received it, for the Worker's x-clerk-edge-signature."""
    method: str
    path: str  # path and query, as sent on the request line ("/a?b=1")
    host: str  # the Host header

HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]


class ReaderError(Exception):
    """A forwarded header set that must not be trusted; `code` is the contract's error code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"clerk-edge reader: {code}")
        self.code = code


@dataclass(frozen=True)
class Auth:
    status: str
    reason: str = ""
    message: str = ""
    token: Optional[str] = field(default=None, repr=False)
    request_data: dict[str, Any] = field(default_factory=dict, repr=False)
    session: Optional[SessionAuth] = field(default=None, repr=False)
    session_status: Optional[str] = None

    @property
    def is_authenticated(self) -> bool:
        return self.session is not None

    @property
    def user_id(self) -> Optional[str]:
        return self.session.user_id if self.session else None

    @property
    def session_id(self) -> Optional[str]:
        return self.session.session_id if self.session else None

    @property
    def org_id(self) -> Optional[str]:
        return self.session.org_id if self.session else None

    @property
    def org_role(self) -> Optional[str]:
        return self.session.org_role if self.session else None

    @property
    def org_slug(self) -> Optional[str]:
        return self.session.org_slug if self.session else None

    @property
    def org_permissions(self) -> Optional[list[str]]:
        return self.session.org_permissions if self.session else None

    @property
    def session_claims(self) -> Optional[dict[str, Any]]:
        return self.session.claims if self.session else None

    def has(self, params: Optional[Mapping[str, Any]] = None, **kw: Any) -> bool:
        """`auth.has(role="org:admin")` or `auth.has({"permission": "org:invoices:read"})`."""
        p = dict(params or {}, **kw)
        return self.session.has(p) if self.session else False


def _pairs(headers: HeadersLike) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), str(v)) for k, v in items]


def secret_keys_from_env() -> list[str]:
    """CLERK_SECRET_KEY, comma-separated for a rotation (old,new)."""
    return [k.strip() for k in os.environ.get("CLERK_SECRET_KEY", "").split(",") if k.strip()]


def read(
    headers: HeadersLike,
    secret_keys: Union[str, Sequence[str], None] = None,
    encryption_key: Optional[str] = None,
    *,
    clerk_compatible: bool = False,
    clock_skew: Optional[float] = DEFAULT_CLOCK_SKEW_SECONDS,
    now: Optional[float] = None,
    request: Optional[Request] = None,
    edge_max_age: float = DEFAULT_EDGE_MAX_AGE_SECONDS,
) -> Auth:
    """Verifies the headers clerk-edge forwarded. `secret_keys`: one key or several (rotation),
    default CLERK_SECRET_KEY; `encryption_key`: default CLERK_ENCRYPTION_KEY (empty → the secret
    keys are tried). `clock_skew=None` turns off the exp/nbf checks. Raises ReaderError."""
    if secret_keys is None:
        keys = secret_keys_from_env()
    elif isinstance(secret_keys, str):
        keys = [secret_keys]
    else:
        keys = list(secret_keys)
    enc = os.environ.get("CLERK_ENCRYPTION_KEY", "") if encryption_key is None else encryption_key
    pairs = _pairs(headers)
    found: dict[str, str] = {}
    for k, v in pairs:
        name = k.lower()
        if name in _READ:
            if name in found:
                raise ReaderError("header_duplicate")
            if len(v.encode("utf-8", "surrogatepass")) > MAX_HEADER_BYTES:
                raise ReaderError("header_too_large")
            found[name] = v
    status = found.get(STATUS)
    if status is None:
        raise ReaderError("middleware_missing")
    if status not in ("signed-in", "signed-out"):
        raise ReaderError("status_invalid")
    t = (time.time() if now is None else now) if clock_skew is not None else None
    if request is not None:
        code = verify_edge_signature(found.get(EDGE_SIGNATURE), keys, status, found.get(TOKEN, ""),
                                     found.get(REQUEST_DATA, ""), request.method, request.path, request.host,
                                     t, edge_max_age, clock_skew or 0.0)
        if code:
            raise ReaderError(code)
    data: dict[str, Any] = {}
    raw = found.get(REQUEST_DATA, "")
    if raw:
        candidates = [enc] if enc else keys
        opened = next((d for d in (decrypt_request_data(raw, k) for k in candidates) if d is not None), None)
        if opened is None:
            raise ReaderError("encryption_key_invalid")
        data = opened
    reason, message = found.get(REASON, ""), found.get(MESSAGE, "")
    if status == "signed-out":
        return Auth(status, reason, message, None, data)
    token, sig = found.get(TOKEN, ""), found.get(SIGNATURE, "")
    dynamic = data.get("secretKey")
    if clerk_compatible and isinstance(dynamic, str) and dynamic:
        keys = [dynamic]
    if not any(verify_signature(token, sig, k) for k in keys):
        raise ReaderError("auth_signature_invalid")
    claims = _decode_claims(token)
    exp = claims.get("exp")
    nbf = claims.get("nbf", None)
    if not _number(exp) or ("nbf" in claims and not _number(nbf)):
        raise ReaderError("token_malformed")
    if clock_skew is not None and t is not None:
        if t > exp + clock_skew:
            raise ReaderError("token_expired")
        if nbf is not None and nbf > t + clock_skew:
            raise ReaderError("token_not_yet_valid")
    session = SessionAuth(claims)
    active = None if session.session_status == "pending" else session
    return Auth(status, reason, message, token, data, active, session.session_status)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _decode_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ReaderError("token_malformed")
    decoded = [b64url_loose(p) for p in parts]
    if any(d is None for d in decoded):
        raise ReaderError("token_malformed")
    try:
        parse_json(decoded[0] or b"", lossy=True)
        payload = parse_json(decoded[1] or b"", lossy=True)
    except (ValueError, RecursionError):
        raise ReaderError("token_malformed") from None
    return payload if isinstance(payload, dict) else {}

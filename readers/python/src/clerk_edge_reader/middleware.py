"""WSGI and ASGI middleware: one line of setup in Django, Flask, FastAPI or Starlette.

The verified Auth goes on the request (`environ["clerk_edge.auth"]` for WSGI — Django's
`request.META`, Flask's `request.environ`; `scope["state"]["clerk_auth"]` for ASGI — Starlette's
`request.state.clerk_auth`). A header set that fails verification is answered 401 with the error
code (the origin must not serve it as anyone), unless `on_error="pass"`, which stores the
ReaderError under the same key and lets the app decide.
"""
from __future__ import annotations

import json
from urllib.parse import quote
from typing import Any, Awaitable, Callable, Iterable, Optional, Sequence, Union

from ._reader import Auth, ReaderError, Request, read

# Characters a request target carries unescaped (WSGI hands the path over percent-decoded).
_PATH_SAFE = "/;=,:@!$&'()*+-._~"


def wsgi_request(environ: dict[str, Any]) -> Request:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        raw = quote(path.encode("latin-1", "replace"), safe=_PATH_SAFE)
        if environ.get("QUERY_STRING"):
            raw += "?" + environ["QUERY_STRING"]
    return Request(environ.get("REQUEST_METHOD", "GET"), raw, environ.get("HTTP_HOST", ""))


def asgi_request(scope: dict[str, Any], headers: list[tuple[str, str]]) -> Request:
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else quote(scope.get("path", ""), safe=_PATH_SAFE)
    qs = scope.get("query_string", b"")
    if qs:
        path += "?" + qs.decode("latin-1")
    host = next((v for k, v in headers if k.lower() == "host"), "")
    return Request(scope.get("method", "GET"), path, host)

WSGI_KEY = "clerk_edge.auth"
ASGI_KEY = "clerk_auth"


def _body(code: str) -> bytes:
    return json.dumps({"error": code}).encode()


def auth_from_environ(environ: dict[str, Any]) -> Optional[Auth]:
    a = environ.get(WSGI_KEY)
    return a if isinstance(a, Auth) else None


class ClerkEdgeWSGI:
    """`app.wsgi_app = ClerkEdgeWSGI(app.wsgi_app)` (Flask) or `application = ClerkEdgeWSGI(get_wsgi_application())` (Django).

    WSGI servers join repeated headers, so duplicates are not seen here (the ASGI middleware sees them).
    `require_edge_signature=False` only for origins behind the Next shim (no x-clerk-edge-signature)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], secret_keys: Union[str, Sequence[str], None] = None,
                 encryption_key: Optional[str] = None, *, on_error: str = "reject",
                 require_edge_signature: bool = True, **options: Any) -> None:
        self.app, self.secret_keys, self.encryption_key = app, secret_keys, encryption_key
        self.on_error, self.edge, self.options = on_error, require_edge_signature, options

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items()
                   if k.startswith("HTTP_X_CLERK_") and isinstance(v, str)]
        try:
            req = wsgi_request(environ) if self.edge else None
            environ[WSGI_KEY] = read(headers, self.secret_keys, self.encryption_key, request=req, **self.options)
        except ReaderError as e:
            if self.on_error != "pass":
                body = _body(e.code)
                start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                                    ("Content-Length", str(len(body)))])
                return [body]
            environ[WSGI_KEY] = e
        return self.app(environ, start_response)


ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class ClerkEdgeASGI:
    """`app.add_middleware(ClerkEdgeASGI)` (FastAPI/Starlette) or `app = ClerkEdgeASGI(app)` (any ASGI app)."""

    def __init__(self, app: ASGIApp, secret_keys: Union[str, Sequence[str], None] = None,
                 encryption_key: Optional[str] = None, *, on_error: str = "reject",
                 require_edge_signature: bool = True, **options: Any) -> None:
        self.app, self.secret_keys, self.encryption_key = app, secret_keys, encryption_key
        self.on_error, self.edge, self.options = on_error, require_edge_signature, options

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        try:
            req = asgi_request(scope, headers) if self.edge else None
            result: Union[Auth, ReaderError] = read(headers, self.secret_keys, self.encryption_key, request=req,
                                                    **self.options)
        except ReaderError as e:
            if self.on_error != "pass" and scope["type"] == "http":
                body = _body(e.code)
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            result = e
        scope.setdefault("state", {})[ASGI_KEY] = result
        scope[ASGI_KEY] = result
        await self.app(scope, receive, send)

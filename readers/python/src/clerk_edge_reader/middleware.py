"""WSGI and ASGI middleware: one line of setup in Django, Flask, FastAPI or Starlette.

The verified Auth goes on the request (`environ["clerk_edge.auth"]` for WSGI — Django's
`request.META`, Flask's `request.environ`; `scope["state"]["clerk_auth"]` for ASGI — Starlette's
`request.state.clerk_auth`). A header set that fails verification is answered 401 with the error
code (the origin must not serve it as anyone), unless `on_error="pass"`, which stores the
ReaderError under the same key and lets the app decide.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Iterable, Optional, Sequence, Union

from ._reader import Auth, ReaderError, read

WSGI_KEY = "clerk_edge.auth"
ASGI_KEY = "clerk_auth"


def _body(code: str) -> bytes:
    return json.dumps({"error": code}).encode()


def auth_from_environ(environ: dict[str, Any]) -> Optional[Auth]:
    a = environ.get(WSGI_KEY)
    return a if isinstance(a, Auth) else None


class ClerkEdgeWSGI:
    """`app.wsgi_app = ClerkEdgeWSGI(app.wsgi_app)` (Flask) or `application = ClerkEdgeWSGI(get_wsgi_application())` (Django).

    WSGI servers join repeated headers, so duplicates are not seen here (the ASGI middleware sees them)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], secret_keys: Union[str, Sequence[str], None] = None,
                 encryption_key: Optional[str] = None, *, on_error: str = "reject", **options: Any) -> None:
        self.app, self.secret_keys, self.encryption_key = app, secret_keys, encryption_key
        self.on_error, self.options = on_error, options

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items()
                   if k.startswith("HTTP_X_CLERK_") and isinstance(v, str)]
        try:
            environ[WSGI_KEY] = read(headers, self.secret_keys, self.encryption_key, **self.options)
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
                 encryption_key: Optional[str] = None, *, on_error: str = "reject", **options: Any) -> None:
        self.app, self.secret_keys, self.encryption_key = app, secret_keys, encryption_key
        self.on_error, self.options = on_error, options

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        try:
            result: Union[Auth, ReaderError] = read(headers, self.secret_keys, self.encryption_key, **self.options)
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

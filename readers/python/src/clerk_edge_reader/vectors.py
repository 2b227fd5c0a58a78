"""Runs a clerk-edge reader vector file: `python -m clerk_edge_reader.vectors FILE`."""
from __future__ import annotations

import json
import sys
from typing import Any

from ._reader import ReaderError, Request, read

SCHEMA = "clerk-edge/reader-vectors/v1"


def observe(headers: list[tuple[str, str]], opts: dict[str, Any], request: Any, has: list[Any]) -> dict[str, Any]:
    req = None
    if opts.get("edgeSignature") is True:
        r = request if isinstance(request, dict) else {}
        req = Request(r.get("method", ""), r.get("path", ""), r.get("host", ""))
    try:
        a = read(headers, opts.get("secretKeys", []), opts.get("encryptionKey", ""),
                 clerk_compatible=bool(opts.get("clerkCompatible", False)),
                 clock_skew=opts.get("clockSkewSeconds", 5), now=opts.get("now"),
                 request=req, edge_max_age=opts.get("edgeMaxAgeSeconds", 30))
    except ReaderError as e:
        return {"error": e.code}
    return {"ok": {
        "status": a.status, "reason": a.reason, "message": a.message,
        "isAuthenticated": a.is_authenticated, "userId": a.user_id, "sessionId": a.session_id,
        "sessionStatus": a.session_status, "orgId": a.org_id, "orgRole": a.org_role, "orgSlug": a.org_slug,
        "orgPermissions": a.org_permissions, "sessionClaims": a.session_claims, "requestData": a.request_data,
        "has": [{"params": h.get("params"), "result": a.has(h.get("params")) if isinstance(h.get("params"), dict) else False}
                for h in has],
    }}


def run(doc: dict[str, Any]) -> tuple[int, int]:
    if doc.get("schema") != SCHEMA:
        raise SystemExit(f"not a {SCHEMA} file")
    passed = failed = 0
    for c in doc.get("cases", []):
        opts = dict(doc.get("options", {}), **c.get("options", {}))
        expect = c.get("expect")
        has = (expect.get("ok") or {}).get("has", []) if isinstance(expect, dict) else []
        got = observe([(k, v) for k, v in c.get("headers", [])], opts, c.get("request"), has)
        if got == expect:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {c.get('name')}\n  expected {json.dumps(expect)}\n  got      {json.dumps(got)}", file=sys.stderr)
    return passed, failed


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m clerk_edge_reader.vectors FILE")
    with open(sys.argv[1], encoding="utf-8") as f:
        passed, failed = run(json.load(f))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

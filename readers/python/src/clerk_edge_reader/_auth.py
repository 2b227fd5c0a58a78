"""Session claims → auth properties (Clerk's v1 and v2 token formats) and a fail-closed has()."""
from __future__ import annotations

from typing import Any, Optional

# JavaScript's String.prototype.trim set (Clerk trims claim elements with it).
_JS_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _str(v: Any) -> Optional[str]:
    return v if isinstance(v, str) else None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _truthy(v: Any) -> bool:
    if v is None or v is False:
        return False
    if _is_number(v):
        return v != 0
    if isinstance(v, str):
        return v != ""
    return True


def _split_by_scope(claim: str) -> Optional[tuple[list[str], list[str]]]:
    org: list[str] = []
    user: list[str] = []
    if claim == "":
        return org, user
    for part in claim.split(","):
        part = part.strip(_JS_WS)
        if ":" not in part:
            return None
        scope, name = part.split(":", 1)
        if scope in ("o", "ou", "uo"):
            org.append(name)
        if scope in ("u", "ou", "uo"):
            user.append(name)
    return org, user


def _decode_v2_permissions(fea: Optional[str], per: Optional[str], fpm: Optional[str]) -> list[str]:
    if not per or not fpm:
        return []
    scoped = _split_by_scope(fea or "")
    if scoped is None:
        return []
    perms = [p.strip(_JS_WS) for p in per.split(",")]
    out: list[str] = []
    for feature, mask in zip(scoped[0], fpm.split(",")):
        mask = mask.strip(_JS_WS)
        if not mask or not (mask.isascii() and mask.isdigit()):
            continue
        bits = int(mask)
        out.extend(f"org:{feature}:{p}" for j, p in enumerate(perms) if (bits >> j) & 1)
    return out


def _with_org_prefix(value: str) -> str:
    while value.startswith("org:"):
        value = value[4:]
    return "org:" + value


def _entitled(claim: Any, asked: str) -> bool:
    if not isinstance(claim, str) or claim == "":
        return False
    scoped = _split_by_scope(claim)
    if scoped is None:
        return False
    scope, name = asked.split(":", 1) if ":" in asked else (None, asked)
    if name == "" or ":" in name:
        return False
    if scope is None:
        return name in scoped[0] or name in scoped[1]
    if scope in ("o", "org", "organization"):
        return name in scoped[0]
    if scope in ("u", "user"):
        return name in scoped[1]
    return False


class SessionAuth:
    """Signed-in properties derived from (edge-verified) session claims."""

    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims
        self.user_id = _str(claims.get("sub"))
        self.session_id = _str(claims.get("sid"))
        self.session_status = _str(claims.get("sts"))
        self.actor = claims.get("act")
        self.org_id: Optional[str] = None
        self.org_role: Optional[str] = None
        self.org_slug: Optional[str] = None
        self.org_permissions: Optional[list[str]] = None
        v = claims.get("v")
        if _is_number(v) and v == 2:
            o = claims.get("o")
            if _truthy(o):
                field = (lambda k: _str(o.get(k))) if isinstance(o, dict) else (lambda k: None)
                self.org_id = field("id")
                self.org_slug = field("slg")
                rol = field("rol")
                self.org_role = f"org:{rol}" if rol else None
                self.org_permissions = _decode_v2_permissions(_str(claims.get("fea")), field("per"), field("fpm"))
        else:
            self.org_id = _str(claims.get("org_id"))
            self.org_role = _str(claims.get("org_role"))
            self.org_slug = _str(claims.get("org_slug"))
            perms = claims.get("org_permissions")
            if isinstance(perms, list):
                self.org_permissions = [p for p in perms if isinstance(p, str)]

    def has(self, params: Any) -> bool:
        """Clerk's has() for role, permission, feature and plan: true iff something asked passes
        and nothing asked fails. Reverification is not supported here: asking for it fails."""
        if not self.user_id or not isinstance(params, dict):
            return False
        checks = [self._check_org(params), self._check_billing(params)]
        if "reverification" in params:
            checks.append(False)
        return True in checks and False not in checks

    def _check_org(self, p: dict[str, Any]) -> Optional[bool]:
        if "role" not in p and "permission" not in p:
            return None
        role, perm = p.get("role", ""), p.get("permission", "")
        if not isinstance(role, str) or not isinstance(perm, str) or not self.org_id:
            return False
        if "role" in p and (not self.org_role or _with_org_prefix(self.org_role) != _with_org_prefix(role)):
            return False
        if "permission" in p and (self.org_permissions is None or _with_org_prefix(perm) not in self.org_permissions):
            return False
        return True

    def _check_billing(self, p: dict[str, Any]) -> Optional[bool]:
        if "feature" not in p and "plan" not in p:
            return None
        for key, claim in (("feature", "fea"), ("plan", "pla")):
            if key in p and (not isinstance(p[key], str) or not _entitled(self.claims.get(claim), p[key])):
                return False
        return True

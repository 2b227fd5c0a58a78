"""Wire formats: HMAC-SHA1 auth signature, x-clerk-request-data (gcm v1 and Clerk's CBC), base64."""
from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import re
from typing import Any, Optional

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidTag

GCM_VERSION = 1
GCM_AAD = b"clerk-edge/request-data/v1"
HKDF_SALT = b"clerk-edge/request-data/v1/hkdf-salt"
HKDF_INFO = b"aes-256-gcm key"
MIN_PASSPHRASE_CHARS = 32

_URL = re.compile(r"\A[A-Za-z0-9_-]*\Z")
_STD = re.compile(r"\A[A-Za-z0-9+/]*\Z")
_HEX40 = re.compile(r"\A[0-9a-fA-F]{40}\Z")
_HEX64 = re.compile(r"\A[0-9a-fA-F]{64}\Z")


def b64url_loose(value: str) -> Optional[bytes]:
    """base64url, padding optional, leftover bits dropped (as Clerk decodes JWT segments)."""
    body = value.rstrip("=")
    if not _URL.match(body):
        return None
    if len(body) % 4 == 1:
        body = body[:-1]
    body += "=" * (-len(body) % 4)
    try:
        return binascii.a2b_base64(body.replace("-", "+").replace("_", "/").encode())
    except (binascii.Error, ValueError):
        return None


def b64_forgiving(value: str) -> Optional[bytes]:
    """WHATWG forgiving-base64 (atob): whitespace removed, up to two '=' on a multiple of four."""
    data = re.sub(r"[\t\n\f\r ]", "", value)
    if len(data) % 4 == 0 and data.endswith("="):
        data = data[:-2] if data.endswith("==") else data[:-1]
    if len(data) % 4 == 1 or not _STD.match(data):
        return None
    data += "=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data.encode())
    except (binascii.Error, ValueError):
        return None


def verify_signature(token: str, signature: str, secret_key: str) -> bool:
    """Constant-time check of the lowercase-hex HMAC-SHA1 of the token (hex case ignored)."""
    if not token or not _HEX40.match(signature):
        return False
    mac = hmac.new(secret_key.encode("utf-8"), token.encode("utf-8"), hashlib.sha1).digest()
    return hmac.compare_digest(mac, bytes.fromhex(signature))


def gcm_key(setting: str) -> Optional[bytes]:
    """CLERK_ENCRYPTION_KEY → AES key: 64 hex digits, or a >= 32-character passphrase via HKDF-SHA256."""
    v = setting.strip()
    if _HEX64.match(v):
        return bytes.fromhex(v)
    if len(v) < MIN_PASSPHRASE_CHARS:
        return None
    prk = hmac.new(HKDF_SALT, v.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(prk, HKDF_INFO + b"\x01", hashlib.sha256).digest()


def _decrypt_gcm(key_setting: str, value: str) -> Optional[bytes]:
    key = gcm_key(key_setting)
    raw = b64url_loose(value)
    if key is None or raw is None or len(raw) < 1 + 12 + 16 or raw[0] != GCM_VERSION:
        return None
    try:
        return AESGCM(key).decrypt(raw[1:13], raw[13:], GCM_AAD)
    except InvalidTag:
        return None


def _decrypt_clerk(passphrase: str, value: str) -> Optional[bytes]:
    raw = b64_forgiving(value)
    if raw is None or not raw.startswith(b"Salted__"):
        return None
    body = raw[8:]
    if len(body) < 8 + 16 or (len(body) - 8) % 16:
        return None
    salt, ct = body[:8], body[8:]
    material, prev = b"", b""
    while len(material) < 48:  # EVP_BytesToKey(MD5, 1 iteration)
        prev = hashlib.md5(prev + passphrase.encode("utf-8") + salt).digest()
        material += prev
    dec = Cipher(algorithms.AES(material[:32]), modes.CBC(material[32:48])).decryptor()
    unpad = padding.PKCS7(128).unpadder()
    try:
        return unpad.update(dec.update(ct) + dec.finalize()) + unpad.finalize()
    except ValueError:
        return None


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json(raw: bytes, lossy: bool = False) -> Any:
    """Strict JSON (no NaN/Infinity); raises ValueError."""
    text = raw.decode("utf-8", "replace" if lossy else "strict")
    return json.loads(text, parse_constant=_reject_constant)


def decrypt_request_data(value: str, key: str) -> Optional[dict[str, Any]]:
    """Either format (Clerk's always starts with base64 "Salted__"); a JSON object or None."""
    plain = _decrypt_clerk(key, value) if value.startswith("U2FsdGVkX1") else _decrypt_gcm(key, value)
    if plain is None:
        return None
    try:
        data = parse_json(plain)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


EDGE_LABEL = "clerk-edge-signature/v1"
_EDGE_T = re.compile(r"\A[0-9]{1,12}\Z")
_HEX64_SIG = _HEX64


def edge_canonical(t: int, status: str, token: str, request_data: str, method: str, path: str, host: str) -> str:
    return "\n".join([EDGE_LABEL, str(t), status, token, request_data, method.upper(), path, host.lower()])


def verify_edge_signature(value: Optional[str], keys: list[str], status: str, token: str, request_data: str,
                          method: str, path: str, host: str, now: Optional[float], max_age: float,
                          skew: float) -> Optional[str]:
    """x-clerk-edge-signature "v1,<t>,<hex HMAC-SHA256>": None when valid, else the error code."""
    if value is None:
        return "edge_signature_missing"
    parts = value.split(",")
    if len(parts) != 3 or parts[0] != "v1" or not _EDGE_T.match(parts[1]) or not _HEX64_SIG.match(parts[2]):
        return "edge_signature_invalid"
    t, sig = int(parts[1]), bytes.fromhex(parts[2])
    msg = edge_canonical(t, status, token, request_data, method, path, host).encode("utf-8", "surrogatepass")
    if not any(hmac.compare_digest(hmac.new(k.encode("utf-8"), msg, hashlib.sha256).digest(), sig) for k in keys):
        return "edge_signature_invalid"
    if now is None:
        return None
    if t > now + skew:
        return "edge_signature_invalid"
    if now > t + max_age + skew:
        return "edge_signature_expired"
    return None

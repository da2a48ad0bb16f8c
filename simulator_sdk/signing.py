"""The operator request signature: the one implementation the server that checks it and every client that makes it
share (``simulator.auth.signing`` imports it from here). Standard library only.

Recipe (README "Security" and docs/security.md say the same)::

    string_to_sign = METHOD + "\\n" + target + "\\n" + timestamp + "\\n" + nonce + "\\n" + hex(sha256(body))
    X-Operator-Signature: sha256=<hex HMAC-SHA256(secret, string_to_sign)>

``target`` is the request target exactly as sent on the request line: the path with its query string, percent-encoded
as it travels (``/v1/games?engine=dice&limit=5``). ``timestamp`` is the integer Unix time in
``X-Operator-Timestamp``; ``nonce`` is 16 to 64 characters of ``[A-Za-z0-9_-]`` in ``X-Operator-Nonce``, never
reused by a key; ``X-Operator-Key`` names the key. An empty body hashes as the empty string.

>>> sign(b"secret", "GET", "/v1/studios", "1700000000", "0123456789abcdef", b"")[:7]
'sha256='
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

KEY_HEADER = "X-Operator-Key"
TIMESTAMP_HEADER = "X-Operator-Timestamp"
NONCE_HEADER = "X-Operator-Nonce"
SIGNATURE_HEADER = "X-Operator-Signature"
HEADERS = (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)


def string_to_sign(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join((method.upper(), target, timestamp, nonce, hashlib.sha256(body).hexdigest()))


def sign(secret: bytes, method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, target, timestamp, nonce, body).encode("utf-8", "replace")
    return "sha256=" + hmac.digest(secret, message, "sha256").hex()


def new_nonce() -> str:
    return uuid.uuid4().hex


def signed_headers(
    key_id: str, secret: bytes, method: str, target: str, body: bytes, *, now: float, nonce: str | None = None
) -> dict[str, str]:
    """The four headers of a signed request."""
    timestamp = str(int(now))
    nonce = nonce or new_nonce()
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, method, target, timestamp, nonce, body),
    }

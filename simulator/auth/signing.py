"""The operator request signature as the server checks it. The recipe itself (``sign``, ``signed_headers``, the
header names) lives in the client SDK, ``simulator_sdk.signing``, so the server and every client share one
implementation; this module adds what only the checking side needs: the accepted nonce and timestamp forms and a
constant-time comparison.

>>> sign(b"secret", "GET", "/v1/studios", "1700000000", "0123456789abcdef", b"")[:7]
'sha256='
"""

from __future__ import annotations

import hmac
import re

from simulator_sdk.signing import (
    HEADERS,
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    new_nonce,
    sign,
    signed_headers,
    string_to_sign,
)

__all__ = [
    "HEADERS",
    "KEY_HEADER",
    "NONCE",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP",
    "TIMESTAMP_HEADER",
    "new_nonce",
    "sign",
    "signature_valid",
    "signed_headers",
    "string_to_sign",
]

NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature_valid(
    secret: bytes, method: str, target: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> bool:
    """Constant-time comparison of bytes: a header may hold any character, and ``str`` comparison of
    non-ASCII text is refused by ``compare_digest``."""
    expected = sign(secret, method, target, timestamp, nonce, body).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))

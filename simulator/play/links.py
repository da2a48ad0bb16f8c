"""Shareable round-details links. A link is ``/rounds/{round_id}/{tag}``: the tag is an HMAC-SHA256 of the round id
under a server key, so whoever holds the link may see that round (a player disputing it, support, the operator) and
nobody can reach another round by editing the id.

The key is derived from the admin token (HMAC of a fixed label), so links stay valid across restarts and are all
withdrawn at once by rotating the admin token. A server with authentication off has no admin token: it uses a
random key, and its links last until it stops. In deterministic mode (never in production) the key comes from the
root seed, like the session tokens and server seeds of that mode, so one seed replays the same links.

>>> links = RoundLinks(b"k" * 32, "http://127.0.0.1:8080")
>>> url = links.url("r-1")
>>> tag = url.rsplit("/", 1)[1]
>>> url.startswith("http://127.0.0.1:8080/rounds/r-1/"), links.valid("r-1", tag), links.valid("r-2", tag)
(True, True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import quote

TAG_BYTES = 16
"""128 bits: guessing a tag is hopeless, and the link stays short enough to paste in a support ticket."""

_LABEL = b"casino-sim round details v1"
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]+")  # what ``quote(..., safe="")`` leaves as it is: every round id made here


class RoundLinks:
    def __init__(self, key: bytes, base_url: str) -> None:
        self._key = key
        self._base = base_url.rstrip("/")

    @classmethod
    def for_server(cls, admin_token: str | None, base_url: str, *, seed: int | None = None) -> RoundLinks:
        """The key as the module docstring says: from ``seed`` when given (deterministic mode), else from the
        admin token, else random."""
        if seed is not None:
            return cls(hmac.new(str(seed).encode(), _LABEL, hashlib.sha256).digest(), base_url)
        if admin_token is None:
            return cls(secrets.token_bytes(32), base_url)
        return cls(hmac.new(admin_token.encode(), _LABEL, hashlib.sha256).digest(), base_url)

    def tag(self, round_id: str) -> str:
        return hmac.digest(self._key, round_id.encode(), "sha256")[:TAG_BYTES].hex()  # one-shot: every round pays it

    def path(self, round_id: str) -> str:
        quoted = round_id if _UNQUOTED.fullmatch(round_id) else quote(round_id, safe="")
        return f"/rounds/{quoted}/{self.tag(round_id)}"

    def url(self, round_id: str) -> str:
        return self._base + self.path(round_id)

    def valid(self, round_id: str, tag: str) -> bool:
        return hmac.compare_digest(self.tag(round_id).encode(), tag.encode("utf-8", "replace"))

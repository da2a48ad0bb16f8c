"""Secrets never reach a report: each exchange is redacted as it is recorded.

Two layers. By name: signature headers, the ``hash`` form field, the ``authToken`` query parameter and every
session-token field (``session_id``, ``session_token``, ``sid``, ``token``) lose their values wherever they
appear, in requests and replies. By value: the configured secret and every session token the suite knows
of are replaced wherever else they might turn up (a wallet echoing them in an error message), also in their
URL-encoded and JSON-escaped forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"x-casino-sim-signature", "x-sim-signature", "authorization", "cookie"})
SECRET_FIELDS = ("session_id", "session_token", "sid", "token", "hash", "authToken", "secret", "password")
_FIELDS = "|".join(SECRET_FIELDS)
_JSON_FIELD = re.compile(rf'("(?:{_FIELDS})"\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_FIELD = re.compile(rf"(^|[?&])((?:{_FIELDS})=)[^&#]*")


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, value: str) -> None:
        """Never show ``value`` (a secret or a session token) in any recorded text."""
        if len(value) < 4:  # shorter values would blank out ordinary text; the field rules still hide them
            return
        self._values |= {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}

    def text(self, text: str) -> str:
        text = _JSON_FIELD.sub(rf'\1"{REDACTED}"', text)
        text = _FORM_FIELD.sub(rf"\1\2{REDACTED}", text)
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: REDACTED if k.lower() in SECRET_HEADERS else self.text(v) for k, v in headers.items()}

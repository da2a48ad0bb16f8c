"""JSON for the hot paths (every round's request, wallet calls, stored outcome and reply), by orjson.

``dumps`` writes what ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` writes, as UTF-8 bytes, about
five times faster: non-string keys become strings, and integers beyond 64 bits, which orjson refuses, go through
``json``. ``loads`` reads what ``json.loads`` reads, with the same values and the same errors: what orjson refuses
(``NaN``, lone surrogates, a byte order mark, UTF-16...) and text with a run of 19 digits or more (orjson reads an
integer beyond 64 bits as a float) are left to ``json``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_DIGITS = re.compile(rb"[0-9]{19}")

_SLOW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer beyond 64 bits; anything json cannot write either raises again here
        return _SLOW(value).encode()


def loads(data: bytes) -> Any:
    """``json.loads(data)``; raises ``ValueError`` (or ``UnicodeDecodeError``, ``RecursionError``) as it does."""
    if _LONG_DIGITS.search(data) is None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)

"""JSON for the hot paths (every round's request, wallet calls, stored outcome and reply), by orjson.

``dumps`` writes what ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` writes, as UTF-8 bytes, about
five times faster: non-string keys become strings, and integers beyond 64 bits, which orjson refuses, go through
``json``. ``loads`` reads what ``json.loads`` reads, with the same values and the same errors: what orjson refuses
(``NaN``, lone surrogates, a byte order mark, UTF-16...) and text with a run of 19 digits or more (orjson reads an
integer beyond 64 bits as a float) are left to ``json``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19  # 19 digits in a row, once every digit reads as 0: a scan several times cheaper than a regex

_SLOW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer beyond 64 bits; anything json cannot write either raises again here
        return _SLOW(value).encode()


def loads(data: bytes) -> Any:
    """``json.loads(data)``; raises ``ValueError`` (or ``UnicodeDecodeError``, ``RecursionError``) as it does."""
    if _LONG_RUN not in data.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)

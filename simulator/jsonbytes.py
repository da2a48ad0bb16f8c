"""JSON text for the hot paths (every round's wallet requests, stored outcome and reply), written by orjson.

It writes what ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` writes, as UTF-8 bytes, about five
times faster: non-string keys become strings, and integers beyond 64 bits, which orjson refuses, go through ``json``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SLOW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer beyond 64 bits; anything json cannot write either raises again here
        return _SLOW(value).encode()

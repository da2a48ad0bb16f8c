"""JSON for the hot paths (every round's request, wallet calls, stored outcome and reply), by orjson.

``dumps`` writes what ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` writes, as UTF-8 bytes, about
five times faster: non-string keys become strings, and integers beyond 64 bits, which orjson refuses, go through
``json``. ``loads`` reads what ``json.loads`` reads, with the same values and the same errors: what orjson refuses
(``NaN``, lone surrogates, a byte order mark, UTF-16...) and text with a run of 19 digits or more (orjson reads an
integer beyond 64 bits as a float) are left to ``json``.

Two refusals come first, because the input is a stranger's: arrays and objects nested deeper than ``MAX_DEPTH``
(``json`` would recurse until ``RecursionError``, anywhere a value is later walked), and, with ``unique``, an object
that repeats a key (both parsers keep the last value silently, so ``{"amount": 1, "amount": 100000}`` would mean
whatever the reader's parser decides). Both raise ``ValueError`` subclasses, like any other malformed text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import orjson

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a body may have: far beyond any request of the API, far below any
recursion limit."""

_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19  # 19 digits in a row, once every digit reads as 0: a scan several times cheaper than a regex

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")

_SLOW = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_OPTIONS = orjson.OPT_NON_STR_KEYS


class TooDeep(ValueError):
    pass


class RepeatedKey(ValueError):
    pass


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:  # an integer beyond 64 bits; anything json cannot write either raises again here
        return _SLOW(value).encode()


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests brackets deeper than ``limit`` (or leaves them unbalanced beyond it). Counting
    brackets settles nearly every body; only one with more than ``limit`` of them is scanned: strings dropped,
    then one level of innermost pairs peeled per pass, in C."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise RepeatedKey(f"the key {repeated!r} appears twice in one object")
    return value


def _keys(value: Any) -> int:
    """Keys in ``value`` and everything in it (loops, not generators: this runs on every round's body)."""
    items: Iterable[Any]
    if type(value) is dict:
        count, items = len(value), value.values()
    elif type(value) is list:
        count, items = 0, value
    else:
        return 0
    for item in items:
        if type(item) is dict or type(item) is list:
            count += _keys(item)
    return count


def loads(data: bytes, *, unique: bool = False) -> Any:
    """``json.loads(data)``; raises ``ValueError`` (or ``UnicodeDecodeError``) as it does, ``TooDeep`` past
    ``MAX_DEPTH``, and with ``unique`` ``RepeatedKey`` for a repeated key. A repeated key is looked for only when
    the text holds more colons than the parsed value holds keys, so a plain body pays one count."""
    if too_deep(data):
        raise TooDeep(f"arrays and objects are nested deeper than {MAX_DEPTH} levels")
    if _LONG_RUN not in data.translate(_DIGITS_AS_ZERO):
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            if not unique or data.count(b":") == _keys(value):
                return value
    return json.loads(data, object_pairs_hook=_unique_pairs if unique else None)

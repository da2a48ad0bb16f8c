import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.jsonbytes import MAX_DEPTH, RepeatedKey, TooDeep, dumps, loads, too_deep

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
def test_it_writes_what_json_writes(value: Any) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))


def test_integers_beyond_64_bits_are_written_exactly() -> None:
    written = dumps({"balance": 2**70, "n": [-(2**65)]})
    assert written == b'{"balance":1180591620717411303424,"n":[-36893488147419103232]}'


def test_text_stays_utf8_and_keys_become_strings() -> None:
    assert dumps({1: "é", "a": (1, 2)}) == '{"1":"é","a":[1,2]}'.encode()


def test_what_json_cannot_write_is_still_an_error() -> None:
    with pytest.raises(TypeError):
        dumps({"x": object()})


def _read(data: bytes) -> tuple[str, Any]:
    try:
        return "ok", json.loads(data)
    except (ValueError, RecursionError) as exc:
        return "error", type(exc)


def _same(data: bytes) -> None:
    """``loads`` gives what ``json.loads`` gives: equal values of the same types all the way down, or the same error."""
    try:
        got: tuple[str, Any] = "ok", loads(data)
    except (ValueError, RecursionError) as exc:
        got = "error", type(exc)
    want = _read(data)
    assert got == want
    assert repr(got) == repr(want)  # 1 and 1.0, -0.0 and 0.0 compare equal; their reprs do not


@given(VALUES)
def test_it_reads_what_json_reads(value: Any) -> None:
    _same(json.dumps(value).encode())
    _same(json.dumps(value, ensure_ascii=False).encode())


JSONISH = st.text(alphabet='{}[]":,.-+eE0123456789 \\tnulrfasNIy\u00e9', max_size=40).map(str.encode)


@given(st.binary(max_size=40) | JSONISH)
def test_any_bytes_read_as_json_reads_them(data: bytes) -> None:
    _same(data)


@pytest.mark.parametrize(
    "data",
    [
        b"18446744073709551616",
        b'{"amount":-9223372036854775809}',
        b"123456789012345678901234567890",
        b"1e400",
        b"NaN",
        b'"\\ud800"',
        b"\xef\xbb\xbf{}",
        '{"a":1}'.encode("utf-16"),
        b'{"a":1,"a":2}',
        b"-0",
        b"[1.5e-324, 0.1, 1E2]",
        b'"\xff"',
    ],
)
def test_the_cases_orjson_reads_differently_read_as_json_reads_them(data: bytes) -> None:
    _same(data)


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"[]" + b"}" * depth


def test_nesting_up_to_the_limit_is_read_and_beyond_it_refused() -> None:
    assert loads(_nested(MAX_DEPTH - 1)) == json.loads(_nested(MAX_DEPTH - 1))
    with pytest.raises(TooDeep):
        loads(_nested(MAX_DEPTH))
    with pytest.raises(TooDeep):  # where json.loads would raise RecursionError
        loads(b"[" * 5000 + b"]" * 5000)
    with pytest.raises(TooDeep):
        loads(b"[" * 100_000)  # unbalanced, but the depth is what is refused, before any parser recurses


def test_brackets_inside_strings_and_many_shallow_ones_do_not_count() -> None:
    text = json.dumps({"s": "[" * 500 + '\\"{' * 100, "rows": [[i] for i in range(500)]}).encode()
    assert loads(text) == json.loads(text)
    assert not too_deep(text)
    assert too_deep(b"[" * 65 + b"]" * 65)
    assert not too_deep(b"[" * 64 + b"]" * 64)


def test_a_repeated_key_is_refused_only_when_asked_and_wherever_it_hides() -> None:
    assert loads(b'{"a": 1, "a": 2}') == {"a": 2}
    for text in (b'{"a": 1, "a": 2}', b'{"x": [{"b": 1, "c": {"d": 1, "d": 1}}]}', b'{"a": 1, "a": 1, "n": 1e400}'):
        with pytest.raises(RepeatedKey):
            loads(text, unique=True)
    assert loads(b'{"t": "12:00", "u": {"v": ":"}}', unique=True) == {"t": "12:00", "u": {"v": ":"}}

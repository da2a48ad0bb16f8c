import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.jsonbytes import dumps

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

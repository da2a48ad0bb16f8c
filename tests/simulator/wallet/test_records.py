"""The wallet's record helpers: the UTC day a bet or win counts toward."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from simulator.wallet.records import day_of


@given(st.floats(min_value=-62_135_596_800, max_value=253_402_300_799.999, allow_nan=False))
def test_day_of_is_the_utc_date_of_the_timestamp(timestamp: float) -> None:
    expected = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).date().isoformat()
    assert day_of(timestamp) == expected


def test_day_of_at_the_edges_of_a_day() -> None:
    assert [day_of(t) for t in (86_399.999, 86_400.0, -0.001, 0.0)] == [
        "1970-01-01", "1970-01-02", "1969-12-31", "1970-01-01",
    ]  # fmt: skip

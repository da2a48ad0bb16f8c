from __future__ import annotations

from decimal import Decimal

import pytest

from simulator.dialects.amounts import (
    AmountNotRepresentable,
    from_decimal,
    from_scaled,
    scale_supports,
    to_decimal,
    to_scaled,
)
from simulator.errors import WalletProtocolError, WalletRefused


@pytest.mark.parametrize(
    ("amount", "currency", "wire"),
    [
        pytest.param(150, "USD", 150_000, id="usd"),
        pytest.param(7, "JPY", 700_000, id="jpy-no-decimals"),
        pytest.param(1234, "KWD", 123_400, id="kwd-three-decimals"),
        pytest.param(0, "EUR", 0, id="zero"),
        pytest.param(2**53 - 1, "USD", (2**53 - 1) * 1000, id="huge-stays-exact"),
    ],
)
def test_scaled_round_trip(amount: int, currency: str, wire: int) -> None:
    assert to_scaled(amount, currency, 5) == wire
    assert from_scaled(wire, currency, 5) == amount


@pytest.mark.parametrize("currency", ["BTC", "USDT"])
def test_currencies_finer_than_the_scale_are_refused_not_rounded(currency: str) -> None:
    assert not scale_supports(currency, 5)
    with pytest.raises(AmountNotRepresentable) as caught:
        to_scaled(100, currency, 5)
    assert isinstance(caught.value, WalletRefused)
    assert caught.value.code == "AMOUNT_NOT_REPRESENTABLE"


@pytest.mark.parametrize(
    "wire",
    [
        pytest.param(150_001, id="finer-than-a-cent"),
        pytest.param("150000", id="string"),
        pytest.param(1.5, id="float"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="missing"),
    ],
)
def test_scaled_reply_that_does_not_convert_is_a_protocol_error(wire: object) -> None:
    with pytest.raises(WalletProtocolError):
        from_scaled(wire, "USD", 5)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        pytest.param(150, "USD", "1.50", id="usd"),
        pytest.param(5, "USD", "0.05", id="cents"),
        pytest.param(-250, "EUR", "-2.50", id="negative"),
        pytest.param(7, "JPY", "7", id="jpy"),
        pytest.param(1, "BTC", "0.00000001", id="satoshi"),
        pytest.param(1_000_001, "USDT", "1.000001", id="usdt"),
    ],
)
def test_decimal_round_trip(amount: int, currency: str, text: str) -> None:
    assert to_decimal(amount, currency) == text
    assert from_decimal(text, currency) == amount
    assert from_decimal(Decimal(text), currency) == amount


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        pytest.param("1.505", "USD", id="over-precise"),
        pytest.param("0.5", "JPY", id="fraction-of-yen"),
        pytest.param(1.5, "USD", id="float"),
        pytest.param("1e2", "USD", id="exponent-string"),
        pytest.param("1_000", "USD", id="underscores"),
        pytest.param(" 1.00", "USD", id="whitespace"),
        pytest.param("NaN", "USD", id="nan"),
        pytest.param(Decimal("Infinity"), "USD", id="infinity"),
        pytest.param(True, "USD", id="bool"),
        pytest.param("", "USD", id="empty"),
    ],
)
def test_decimal_that_does_not_convert_is_a_protocol_error(value: object, currency: str) -> None:
    with pytest.raises(WalletProtocolError):
        from_decimal(value, currency)


def test_trailing_zeros_are_exact() -> None:
    assert from_decimal("1.500", "USD") == 150
    assert from_decimal(Decimal("2.0"), "JPY") == 2


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("10.000000000000000000000000000001", id="30th-decimal-in-a-string"),
        pytest.param(Decimal("10.000000000000000000000000000001"), id="30th-decimal-in-a-number"),
        pytest.param(Decimal("1." + "0" * 70 + "1"), id="more-digits-than-any-amount"),
    ],
)
def test_a_digit_past_the_minor_unit_is_never_rounded_away(value: object) -> None:
    with pytest.raises(WalletProtocolError):
        from_decimal(value, "USD")


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        pytest.param("-1.50", "USD", -150, id="negative"),
        pytest.param(Decimal("1E+2"), "JPY", 100, id="exponent-form"),
        pytest.param(Decimal("12.3400000000000000000000000000"), "USD", 1234, id="trailing-zeros"),
        pytest.param("123456789012345678901234567890.12", "USD", 12345678901234567890123456789012, id="30-digits"),
    ],
)
def test_exact_decimal_amounts_convert_exactly(value: object, currency: str, minor: int) -> None:
    assert from_decimal(value, currency) == minor

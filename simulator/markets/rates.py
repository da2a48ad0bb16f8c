"""Exchange rates as a data file, for converting limits written in one currency into another.

``rates.json`` beside this module gives the value of one unit of each currency in the base currency, as exact
decimal strings; the ``rates_file`` setting replaces it. Conversion works on integer minor units and rounds
*down* to a whole minor unit: a cap converted this way is never more than the cap it came from.

>>> rates = load_rates()
>>> rates.convert(500, "GBP", "EUR")  # GBP 5.00 -> EUR 5.87 (1.27 / 1.08 = 5.8796...)
587
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from simulator.errors import ConfigurationError
from simulator.money import exponent


class Rates:
    def __init__(self, base: str, values: Mapping[str, Decimal]) -> None:
        self.base = base
        self.values = dict(values)

    def value(self, currency: str) -> Decimal:
        exponent(currency)
        try:
            return self.values[currency]
        except KeyError:
            raise ConfigurationError(f"the exchange rates have no rate for {currency}") from None

    def convert(self, amount: int, source: str, target: str) -> int:
        """``amount`` minor units of ``source`` in minor units of ``target``, rounded down."""
        if source == target:
            return amount
        major = Decimal(amount).scaleb(-exponent(source)) * self.value(source) / self.value(target)
        return int(major.scaleb(exponent(target)).to_integral_value(rounding=ROUND_FLOOR))


def _parse(text: str, where: str) -> Rates:
    try:
        data = json.loads(text)
        base = data["base"]
        values = {str(c): Decimal(str(v)) for c, v in data["rates"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise ConfigurationError(f"exchange rates {where}: {exc!r}") from None
    for currency, value in values.items():
        try:
            exponent(currency)
        except ValueError:
            raise ConfigurationError(f"exchange rates {where}: unknown currency {currency!r}") from None
        if not value.is_finite() or value <= 0:
            raise ConfigurationError(f"exchange rates {where}: the rate of {currency} must be positive")
    if values.get(base) != 1:
        raise ConfigurationError(f"exchange rates {where}: the base currency {base} must have the rate 1")
    return Rates(base, values)


def load_rates(path: Path | None = None) -> Rates:
    if path is None:
        return _parse(resources.files("simulator.markets").joinpath("rates.json").read_text("utf-8"), "rates.json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"exchange rates {path}: {exc.strerror}") from None
    return _parse(text, str(path))

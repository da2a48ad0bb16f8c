"""Exchange rates as a data file, and the two ways amounts cross currencies.

``rates.json`` beside this module gives the value of one unit of each currency in the base currency as exact decimal
strings; the ``rates_file`` setting replaces it (every currency the simulator offers needs a rate). Amounts stay
integers of minor units; the arithmetic between is exact (``Decimal``), and each use rounds once, by its own rule:

- ``convert`` rounds **down** to a whole minor unit: a cap or a limit converted this way never exceeds the one it
  came from (a jurisdiction's stake cap, a campaign's value).
- ``bet_amount`` rounds to the **nearest 1, 2 or 5 times a power of ten** minor units (ties upward, never below one
  unit): the game's bet limits, written in US cents in the catalogue, become readable amounts in every currency, and
  the stake ladder in each currency is the 1-2-5 amounts between them (``simulator.catalog.steps``).
- ``exchange`` rounds to the **nearest** minor unit, ties to the even one, computed as an exact fraction: a report's
  total converted for reading beside others, favouring neither side and symmetric for negative amounts (a GGR).

>>> rates = default_rates()
>>> rates.convert(500, "GBP", "EUR")  # GBP 5.00 at 1.27 / 1.08 = EUR 5.8796..., down to 5.87
587
>>> rates.bet_amount(10, "USD", "JPY"), rates.bet_amount(10, "USD", "EUR"), rates.bet_amount(10, "USD", "VND")
(10, 10, 2000)
>>> rates.exchange(500, "GBP", "EUR"), rates.exchange(-500, "GBP", "EUR")  # 587.96... to the nearest
(588, -588)
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path

from simulator.errors import ConfigurationError
from simulator.money import EXPONENTS, exponent

_MANTISSAS = (1, 2, 5, 10)


def nearest_125(value: Decimal) -> int:
    """The nearest of 1, 2 or 5 times a power of ten (ties to the larger), at least 1."""
    if value <= 1:
        return 1
    scale = Decimal(10) ** value.adjusted()
    candidates = [int(m * scale) for m in _MANTISSAS]
    return min(reversed(candidates), key=lambda c: abs(value - c))


class Rates:
    def __init__(self, base: str, values: Mapping[str, Decimal], *, source: str = "") -> None:
        """``source`` names where the table came from (a file name, never a path)."""
        self.base = base
        self.source = source
        self.values = dict(sorted(values.items()))
        self.fingerprint = hashlib.sha256(
            repr(sorted((c, str(v)) for c, v in self.values.items())).encode()
        ).hexdigest()

    def value(self, currency: str) -> Decimal:
        exponent(currency)
        try:
            return self.values[currency]
        except KeyError:
            raise ConfigurationError(f"the exchange rates have no rate for {currency}") from None

    def _major(self, amount: int, source: str, target: str) -> Decimal:
        """``amount`` minor units of ``source`` as minor units of ``target``, exactly."""
        major = Decimal(amount).scaleb(-exponent(source)) * self.value(source) / self.value(target)
        return major.scaleb(exponent(target))

    def convert(self, amount: int, source: str, target: str) -> int:
        """Rounded down: never more than ``amount`` was worth."""
        if source == target:
            return amount
        return int(self._major(amount, source, target).to_integral_value(rounding=ROUND_FLOOR))

    def exchange(self, amount: int, source: str, target: str) -> int:
        """Rounded to the nearest minor unit, ties to even (``round`` of an exact ``Fraction``)."""
        if source == target:
            return amount
        scale = Fraction(10) ** (exponent(target) - exponent(source))
        return round(amount * scale * Fraction(self.value(source)) / Fraction(self.value(target)))

    def bet_amount(self, amount: int, source: str, target: str) -> int:
        """Rounded to the nearest 1-2-5 amount of minor units: a bet limit or a stake in ``target``."""
        return nearest_125(self._major(amount, source, target))


def _parse(text: str, where: str, source: str) -> Rates:
    try:
        data = json.loads(text)
        base = data["base"]
        values = {str(c): Decimal(str(v)) for c, v in data["rates"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise ConfigurationError(f"exchange rates {where}: {exc!r}") from None
    for currency, value in values.items():
        if currency not in EXPONENTS:
            raise ConfigurationError(f"exchange rates {where}: unknown currency {currency!r}")
        if not value.is_finite() or value <= 0:
            raise ConfigurationError(f"exchange rates {where}: the rate of {currency} must be positive")
    missing = sorted(set(EXPONENTS) - set(values))
    if missing:
        raise ConfigurationError(f"exchange rates {where}: no rate for {', '.join(missing)}")
    if values.get(base) != 1:
        raise ConfigurationError(f"exchange rates {where}: the base currency {base} must have the rate 1")
    return Rates(base, values, source=source)


@functools.cache
def default_rates() -> Rates:
    """The built-in table (``rates.json``)."""
    return _parse(
        resources.files("simulator").joinpath("rates.json").read_text("utf-8"), "rates.json", "built-in rates.json"
    )


def load_rates(path: Path | None = None) -> Rates:
    """The table of the ``rates_file`` setting, or the built-in one."""
    if path is None:
        return default_rates()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"exchange rates {path}: {exc.strerror}") from None
    return _parse(text, str(path), path.name)


def scale_cents(currency: str, usd_cents: int, rates: Rates | None = None) -> int:
    """A bet limit written in US cents as a readable amount of ``currency`` (``Rates.bet_amount``)."""
    return (rates or default_rates()).bet_amount(usd_cents, "USD", currency)

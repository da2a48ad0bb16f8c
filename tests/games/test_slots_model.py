"""Loading slot models: the shipped files, and every invariant the math relies on being refused when broken."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from games.slots import MODELS
from games.slots.model import load_model, parse_model


def shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("games.slots").joinpath("sheets", f"{name}.json").read_text())
    return data


@pytest.mark.parametrize("name", MODELS)
def test_shipped_model_loads(name: str) -> None:
    model = load_model(name)
    assert model.name == name
    assert set(model.variants) == {"965", "940", "920"}
    assert model.free_spins.retrigger
    for variant in model.variants.values():
        for strip in (*variant.base.strips, *variant.free.strips):
            scatter_at = [i for i, s in enumerate(strip) if s == model.scatter]
            gaps = [(b - a) % len(strip) for a, b in zip(scatter_at, scatter_at[1:] + scatter_at[:1], strict=True)]
            assert all(gap >= model.rows for gap in gaps if gap), "a reel never shows two scatters at once"


def broken(change: str) -> dict[str, Any]:
    data = copy.deepcopy(shipped("classic20"))
    base = data["variants"]["965"]["base"]
    if change == "wild-on-reel-1":
        base[0] = "W " + base[0]
    elif change == "unknown-symbol":
        base[2] = "ZZ " + base[2]
    elif change == "four-strips":
        del base[4]
    elif change == "trigger-without-pay":
        data["scatter_pays"] = {"4": 5, "5": 20}
    elif change == "no-retrigger":
        data["free_spins"]["retrigger"] = {}
    elif change == "multiplier-zero":
        data["free_spins"]["multipliers"] = [0, 2]
    elif change == "line-count":
        data["lines"] = data["lines"][:19]
    elif change == "line-out-of-window":
        data["lines"][0] = [1, 1, 3, 1, 1]
    elif change == "no-three-pay":
        data["paytable"]["N"] = {"4": 10, "5": 25}
    elif change == "wild-pays":
        data["paytable"]["W"] = {"3": 10, "4": 50, "5": 100}
    elif change == "fractional-pay":
        data["paytable"]["N"]["3"] = 2.5
    elif change == "pays-kind":
        data["pays"] = "clusters"
    elif change == "buy-without-price":
        data["bonus_buy"] = {"price": 0, "spins": 10}
    return data


REFUSALS = {
    "wild-on-reel-1": "the wild may not appear on reel 1",
    "unknown-symbol": "ZZ",
    "four-strips": "4 strips, expected 5",
    "trigger-without-pay": "3 scatters award free spins but pay nothing",
    "no-retrigger": "able to retrigger",
    "multiplier-zero": "multipliers must be at least 1",
    "line-count": "19 lines but bet_units is 20",
    "line-out-of-window": "bad payline",
    "no-three-pay": "N pays but not for three of a kind",
    "wild-pays": "W has no line pays",
    "fractional-pay": "pays are non-negative integers",
    "pays-kind": "pays must be 'lines' or 'ways'",
    "buy-without-price": "positive price",
}
BROKEN = [pytest.param(change, message, id=change) for change, message in REFUSALS.items()]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_broken_model_is_refused(change: str, message: str) -> None:
    with pytest.raises(ValueError, match="slot model 'classic20'") as error:
        parse_model(broken(change))
    assert message in str(error.value)

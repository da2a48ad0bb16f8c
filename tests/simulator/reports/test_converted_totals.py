"""``convert_to``: the per-currency totals converted with the rates table into one currency, and the answer says so.
The converted figures are recomputed here from the per-currency totals and the rates file itself, in decimal
arithmetic at a precision far beyond any amount (not the fractions the report uses), rounded half to even."""

from __future__ import annotations

import asyncio
import json
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from simulator import cli
from simulator.money import EXPONENTS
from simulator.state import SETTINGS
from tests.simulator.settlement.conftest import World

RATES = json.loads(resources.files("simulator").joinpath("rates.json").read_text("utf-8"))


def by_hand(amount: int, source: str, target: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 80
        major = Decimal(amount).scaleb(-EXPONENTS[source]) * Decimal(RATES["rates"][source])
        value = (major / Decimal(RATES["rates"][target])).scaleb(EXPONENTS[target])
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def expected(totals: list[dict[str, Any]], target: str) -> dict[str, int]:
    """Each currency's kind amounts and reversed stakes converted, then added; the rest derived as for one currency."""
    out = {"bets": 0, "wins": 0, "rollbacks": 0, "stake_reversed": 0, "bonus_payouts": 0, "rounds": 0}
    roles = {"bet": "bets", "win": "wins", "rollback": "rollbacks"}
    for t in totals:
        for kind, counted in t["kinds"].items():
            out[roles.get(kind, "bonus_payouts")] += by_hand(counted["amount"], t["currency"], target)
        out["stake_reversed"] += by_hand(t["stake_reversed"], t["currency"], target)
        out["rounds"] += t["rounds"]
    out["ggr"] = out["bets"] - out["stake_reversed"] - out["wins"]
    out["ngr"] = out["ggr"] - out["bonus_payouts"]
    return out


async def _played(world: World) -> None:
    players = [await world.player(1_000_000), await world.player(1_000_000, currency="EUR")]
    players.append(await world.player(50_000_000, currency="JPY"))
    sessions = [await world.session(p) for p in players]
    world.plan.on("bet", "fail_after", times=2)  # two rollbacks, whose amounts convert too
    for i in range(18):
        await world.sim.play(sessions[i % 3], 100 + 17 * i)
        world.clock.advance(600)
    await world.settle()


@pytest.mark.parametrize("target", ["GBP", "JPY"])  # JPY has no minor unit
async def test_converted_totals_equal_the_per_currency_totals_converted_by_hand(world_on: World, target: str) -> None:
    world = world_on
    await _played(world)
    plain = (await world.sim.request("GET", "/v1/reports/money?group_by=currency")).body
    assert plain["converted"] is None  # never added unless asked
    assert {t["currency"] for t in plain["totals"]} == {"USD", "EUR", "JPY"}
    reply = await world.sim.request("GET", f"/v1/reports/money?group_by=currency&convert_to={target}")
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["totals"] == plain["totals"] and body["rows"] == plain["rows"]  # per currency, unchanged
    converted = body["converted"]
    assert converted["to"] == target
    assert converted["rates_source"] == "built-in rates.json" and converted["base"] == RATES["base"]
    assert converted["rates"] == {c: str(Decimal(RATES["rates"][c])) for c in sorted({"USD", "EUR", "JPY", target})}
    figures = {k: v for k, v in converted["totals"].items() if k in expected(plain["totals"], target)}
    assert figures == expected(plain["totals"], target)
    assert converted["totals"]["rollbacks"] > 0 and converted["totals"]["kinds"]["rollback"]["count"] == 2


@pytest.mark.parametrize("target", ["XXX", "eur", ""])
async def test_an_unknown_currency_is_a_400(world_on: World, target: str) -> None:
    reply = await world_on.sim.request("GET", f"/v1/reports/money?convert_to={target}")
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "UNKNOWN_CURRENCY"


async def test_the_command_line_converts_too_and_refuses_an_unknown_currency(
    world_on: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = world_on
    await _played(world)
    api = (await world.sim.request("GET", "/v1/reports/money?group_by=day,game&convert_to=EUR&limit=5000")).body
    url = world.sim.app[SETTINGS].effective_database_url
    common = ("report", "--database-url", url, "--group-by", "day,game")
    out = tmp_path / "r.json"
    assert await asyncio.to_thread(cli.main, [*common, "--convert-to", "EUR", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["money"]["converted"] == api["converted"]
    page = tmp_path / "r.html"
    assert await asyncio.to_thread(cli.main, [*common, "--convert-to", "EUR", "--format", "html", "-o", str(page)]) == 0
    assert "All converted to EUR" in page.read_text()
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, [*common, "--convert-to", "XYZ"]) == 2
    assert "unknown currency 'XYZ'" in capsys.readouterr().err
    assert await asyncio.to_thread(cli.main, [*common, "--convert-to", "EUR", "--format", "csv"]) == 2
    assert "--convert-to" in capsys.readouterr().err

"""The balance the docs ask of an operator's players is enough for every check, in a zero-decimal currency too,
and is the most any check asks: players holding exactly that many yen run every check the players allow."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import aiohttp
import pytest

from simulator.conformance.checks.common import MINIMUM_BALANCE
from simulator.conformance.context import Context
from simulator.conformance.model import Status
from simulator.conformance.players import Player
from simulator.conformance.runner import run
from simulator.money import to_decimal
from tests.fakes.wallets import wallet_under_test
from tests.simulator.conformance.conftest import DIALECTS, explain, ids, run_suite

DOCS = Path(__file__).resolve().parents[3] / "docs" / "conformance.md"
NEEDS = "this check needs"  # what a check skipped for want of funds says


async def _sandbox_player(base: str, admin_token: str, currency: str, balance: int) -> Player:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base}/sandbox/players",
            json={"currency": currency, "balance": balance},
            headers={"Authorization": f"Bearer {admin_token}"},
        ) as response,
    ):
        assert response.status == 201, await response.text()
        created = await response.json()
    return Player(created["player_id"], created["token"], currency)


async def test_players_holding_the_documented_minimum_in_yen_run_every_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    funds = Context.funds

    async def spy(self: Context, player: Player, minimum: int, label: str = "balance before") -> int:
        asked.append(minimum)
        return await funds(self, player, minimum, label)

    monkeypatch.setattr(Context, "funds", spy)
    async with wallet_under_test(tmp_path, "native") as wallet:
        token = wallet.options.admin_token
        assert token is not None
        players = tuple([await _sandbox_player(wallet.base_url, token, "JPY", MINIMUM_BALANCE) for _ in range(2)])
        options = dataclasses.replace(wallet.options, players=players, currency="JPY", admin_token=None)
        result = await run(options, clock=wallet.clock, advance_clock=wallet.clock.advance)
    assert ids(result, Status.FAIL) == set(), explain(result)
    short = [f"{r.id}: {r.reason}" for r in result.results if r.status is Status.SKIP and NEEDS in r.reason]
    assert short == []
    assert max(asked) == MINIMUM_BALANCE  # the figure is what the checks ask, not a guess


async def test_the_reference_wallet_passes_every_check_with_players_in_yen(tmp_path: Path) -> None:
    result = await run_suite(tmp_path, "md5_form", currency="JPY")
    assert ids(result, Status.FAIL) == set(), explain(result)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_the_large_amounts_stay_within_each_encoding_in_yen(tmp_path: Path, dialect: str) -> None:
    """rsa_json writes yen times 100000: the large amount is bounded so that its wire value stays an int64."""
    result = await run_suite(tmp_path, dialect, currency="JPY", only=("format.binary-inexact-amounts",))
    (inexact,) = result.results
    assert inexact.status is Status.PASS, explain(result)
    wins = [e.step for e in inexact.expectations if e.step.startswith("its win of ")]
    assert len(wins) == 1 and wins[0].endswith(" JPY")


def test_the_docs_ask_for_the_minimum_in_minor_units() -> None:
    text = " ".join(DOCS.read_text().split())
    figure = f"{MINIMUM_BALANCE:,}"
    assert f"at least {figure} minor units of their currency" in text
    assert f"{to_decimal(MINIMUM_BALANCE, 'USD')} USD" in text and f"{figure} JPY" in text
    assert not re.search(r"at least 100\.00 of their currency", text)

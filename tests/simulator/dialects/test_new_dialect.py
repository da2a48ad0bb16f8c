"""A new dialect is one package plus one registration: ``tally`` (tests/simulator/dialects/tally/, defined only
here) is registered, and with nothing else changed the catalogue gives it studios, the settings accept its
endpoint, the simulator calls it, the embedded reference wallet serves it and the conformance suite can tamper
with it; a round played on one of its studios lands in the wallet's ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from simulator.clock import SystemClock
from simulator.conformance.wire import Keys, make_wire
from simulator.dialects import registry
from simulator.dialects.call import WalletCall
from simulator.settings import Settings
from simulator.state import ENDPOINTS
from tests.harness import Sim, running_sim
from tests.simulator.dialects.tally.room import ROOM
from tests.simulator.play.test_every_studio import launch_on_studio, play_round


@pytest.fixture
def tally() -> Iterator[None]:
    registry.register(ROOM)  # the one line a new dialect adds (in the registry's own list, for a real one)
    try:
        yield
    finally:
        registry.unregister(ROOM.name)


async def launch_on_tally(sim: Sim, balance: int) -> tuple[dict[str, object], dict[str, object], str]:
    studios = [s for s in (await sim.request("GET", "/v1/studios")).body["studios"] if s["dialect"] == "tally"]
    assert studios, "the catalogue gave the new dialect no studio"
    game, _, player, launched = await launch_on_studio(sim, studios[0]["studio_id"], balance)
    assert launched.status == 201, launched.body
    assert launched.body["balance"] == balance
    return game, player, str(launched.body["session_token"])


async def test_a_round_through_a_registered_dialect_lands_in_the_ledger(tally: None, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", port=0, wallets={"tally": {"key_id": "tally-operator"}})
    async with running_sim(settings) as sim:
        endpoint = sim.app[ENDPOINTS]["tally"]
        assert (endpoint.url, endpoint.key_id) == (f"{sim.settings.effective_wallet_url}/tally", "tally-operator")
        start = 1_000_000
        game, player, token = await launch_on_tally(sim, start)
        result = await play_round(sim, token, game)
        stake, win = result["amount"], result["win"]
        assert await sim.balance(str(player["player_id"])) == start - stake + win

        round_ = (await sim.request("GET", f"/v1/rounds/{result['round_id']}")).body
        assert round_["status"] == "closed"
        sent = {t["transaction_id"]: t for t in round_["transactions"]}
        assert all(t["status"] == "acked" for t in sent.values())
        ledger = (await sim.request("GET", f"/wallet/ledger?player_id={player['player_id']}")).body["entries"]
        moved = {e["transaction_id"]: e for e in ledger[1:]}
        assert set(moved) == set(sent)
        assert all((moved[t]["kind"], moved[t]["amount"]) == (sent[t]["kind"], sent[t]["amount"]) for t in sent)


async def test_the_wallet_checks_the_new_dialect_and_conformance_can_break_it(tally: None, sim: Sim) -> None:
    """The wallet side is mounted and checks the MAC: a request the suite signs wrongly is refused, the same one
    signed properly is answered."""
    _, player, _ = await launch_on_tally(sim, 500)
    endpoint = sim.app[ENDPOINTS]["tally"]
    wire = make_wire("tally", endpoint.url, Keys(endpoint.key_id, endpoint.secret), SystemClock())
    call = WalletCall("balance", str(player["player_id"]), str(player["token"]), "USD")
    request = wire.build(call)
    for candidate, expected in ((wire.wrongly_signed(request), "INVALID_SIGNATURE"), (request, "OK")):
        async with sim.http.post(candidate.url, data=candidate.body, headers=candidate.headers) as reply:
            body = await reply.json()
        assert body["status"] == expected, body
    assert body["balance"] == 500
    assert wire.reply_problems(call, 200, b'{"status": "OK", "balance": 500, "currency": "USD"}') == []


def test_settings_know_only_registered_dialects(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown wallet dialect 'tally'"):
        Settings(data_dir=tmp_path, wallets={"tally": {}})

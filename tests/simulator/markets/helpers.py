"""What the market tests share: a reference slot launched under a jurisdiction, and reconciliation in process."""

from __future__ import annotations

from typing import Any

from simulator.settlement.reconcile import Report, parse_ledger_file, provider_record, reconcile
from tests.harness import Reply, Sim

SLOT = "slot-classic20-965"


async def launch(sim: Sim, currency: str, engine: str = SLOT, balance: int = 1_000_000, **fields: Any) -> Reply:
    player = await sim.create_player(balance, currency)
    body = {
        "player_id": player["player_id"],
        "game_id": await sim.game_for(engine),
        "currency": currency,
        "token": player["token"],
    } | fields
    return await sim.request("POST", "/v1/sessions", body)


async def session(sim: Sim, currency: str, engine: str = SLOT, **fields: Any) -> str:
    reply = await launch(sim, currency, engine, **fields)
    assert reply.status == 201, reply.body
    return str(reply.body["session_token"])


async def play(sim: Sim, token: str, amount: int, **fields: Any) -> Reply:
    return await sim.request("POST", f"/play/{token}/rounds", {"amount": amount} | fields)


def code(reply: Reply) -> str | None:
    return reply.body["error"]["code"] if reply.status >= 400 else None


async def reconciled(sim: Sim) -> Report:
    """The simulator's transaction log against the embedded reference wallet's ledger."""
    log = await sim.request("GET", "/v1/transactions?limit=1000")
    assert log.status == 200, log.body
    async with sim.http.get(sim.url + "/wallet/ledger") as response:
        assert response.status == 200
        ledger = parse_ledger_file(await response.text(), "json")
    return reconcile([provider_record(t) for t in log.body["transactions"]], ledger)

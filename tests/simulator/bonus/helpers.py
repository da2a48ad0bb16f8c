"""What the bonus tests share: a campaign on a studio's game, free rounds played to the end, the sides compared."""

from __future__ import annotations

from typing import Any

from simulator.clock import ManualClock
from simulator.settlement.reconcile import ProviderRecord, Report, reconcile, wallet_record
from simulator.state import CATALOG, CLOCK, STORE, WORKER
from tests.harness import Sim
from tests.simulator.play.test_every_studio import launchable

JACKPOT_ENGINE = "slot-jungle25-940"


async def campaign_for(
    sim: Sim, game: dict[str, Any], player: dict[str, Any], *, rounds: int, payout: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "games": [game["game_id"]],
        "rounds": rounds,
        "bet_values": {"USD": game["bet_steps"]["USD"][1]},
        "payout": payout,
        "expires_at": 4_000_000_000,
        "players": [{"player_id": player["player_id"], "currency": "USD"}],
    } | fields
    reply = await sim.request("POST", "/v1/campaigns", body)
    assert reply.status == 201, reply.body
    campaign: dict[str, Any] = reply.body
    return campaign


async def slot_of(sim: Sim, dialect: str) -> tuple[dict[str, Any], str]:
    """A slot game, playable in USD, of a studio speaking ``dialect``, and a country it may be launched in."""
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    for studio in studios:
        if studio["dialect"] != dialect:
            continue
        reply = await sim.request("GET", f"/v1/games?studio={studio['studio_id']}&currency=USD&limit=500")
        for game in reply.body["games"]:
            if game["category"] == "slots" and (country := launchable(game)) is not None:
                return game, country
    raise AssertionError(f"no studio speaking {dialect} has a slot game")


async def launch_slot(sim: Sim, dialect: str, cash: int) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A new player holding ``cash`` USD launched on a slot of a studio speaking ``dialect``: the game, the player
    and the session token."""
    game, country = await slot_of(sim, dialect)
    player = await sim.create_player(cash)
    session = await sim.launch(player, game["game_id"], country=country)
    return game, player, str(session["session_token"])


async def settle(sim: Sim, passes: int = 200, step: float = 5.0) -> None:
    """Run the settlement worker, moving the manual clock ``step`` seconds a pass, until nothing is pending (the app
    runs without its background loop)."""
    clock = sim.app[CLOCK]
    assert isinstance(clock, ManualClock)
    for _ in range(passes):
        await sim.app[WORKER].run_once()
        if (await sim.app[STORE].outbox.summary()).pending == 0:
            return
        clock.advance(step)
    raise AssertionError(f"still pending after {passes} passes: {await sim.app[STORE].outbox.summary()}")


async def ledger(sim: Sim, player_id: str) -> list[dict[str, Any]]:
    reply = await sim.request("GET", f"/wallet/ledger?player_id={player_id}&limit=1000")
    assert reply.status == 200, reply.body
    entries: list[dict[str, Any]] = reply.body["entries"]
    return entries


async def reconciled(sim: Sim) -> Report:
    provider = [ProviderRecord.of(t) for t in await sim.app[STORE].outbox.transactions(limit=100_000)]
    reply = await sim.request("GET", "/wallet/ledger?limit=10000")
    wallet = [wallet_record(row, "ledger") for row in reply.body["entries"]]
    return reconcile(provider, wallet)


async def jackpot_game(sim: Sim, *, trigger_odds: int) -> tuple[str, dict[str, Any]]:
    """The engine's reference title, its trigger made likely enough for a test to see it fire."""
    game_id = await sim.game_for(JACKPOT_ENGINE)
    catalog = sim.app[CATALOG]
    game = catalog.game(game_id)
    assert game.jackpot is not None and "jackpot" in game.features
    terms = game.jackpot.model_copy(update={"trigger_odds": trigger_odds})
    catalog.games[game_id] = game.model_copy(update={"jackpot": terms})
    return game_id, {"seed": terms.seed["USD"], "bp": terms.contribution_bp, "id": terms.jackpot_id}


def promo_payout(studio_id: str, player: dict[str, Any], amount: int, reference: str) -> dict[str, Any]:
    """The body of ``POST /v1/promotions/payouts`` paying ``player`` (USD) a tournament prize of ``amount``."""
    return {
        "reference": reference,
        "promotion": "tournament",
        "studio_id": studio_id,
        "payouts": [{"player_id": player["player_id"], "currency": "USD", "amount": amount, "token": player["token"]}],
    }

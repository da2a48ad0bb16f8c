"""Progressive jackpots in play: every round of a jackpot game feeds its pool once the wallet took the bet, the
trigger comes from the round's stream after the engine's draws (so the game's outcome is unchanged), a win is paid
once as a cash win of its own and the pool restarts at its seed; other games never touch the pools."""

from __future__ import annotations

from typing import Any

import pytest

from games.registry import get_engine
from simulator.bonus.jackpots import jackpot_win_ids
from simulator.catalog.jackpots import JACKPOTS
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.fairness.source import round_source
from simulator.state import CATALOG, STORE
from tests.harness import Sim
from tests.simulator.bonus.helpers import JACKPOT_ENGINE, jackpot_game, ledger, reconciled, settle, slot_of


async def _pool(sim: Sim, jackpot_id: str, currency: str = "USD") -> Any:
    pools = {(p.jackpot_id, p.currency): p for p in await sim.app[STORE].jackpots.all()}
    return pools.get((jackpot_id, currency))


async def test_rounds_feed_the_pool_and_a_triggered_round_pays_it_once_as_cash(sim: Sim) -> None:
    game_id, terms = await jackpot_game(sim, trigger_odds=4)
    player = await sim.create_player(1_000_000)
    session = await sim.launch(player, game_id)
    token = str(session["session_token"])
    stake = 1_000
    contributed = 0
    game_wins = 0
    won: list[dict[str, Any]] = []
    for _ in range(40):
        reply = await sim.play(token, stake)
        assert reply.status == 200, reply.body
        entry = reply.body["jackpot"]
        assert entry["jackpot_id"] == terms["id"]
        assert entry["contribution"] == stake * terms["bp"] // 10_000
        contributed += entry["contribution"]
        game_wins += reply.body["win"]
        if entry["triggered"]:
            won.append(reply.body)
            pool = await _pool(sim, terms["id"])
            assert pool.value == terms["seed"]  # restarted at its seed
    assert won, "a trigger of 1 in 4 fired in 40 rounds"
    await settle(sim)
    pool = await _pool(sim, terms["id"])
    assert pool.contributed == contributed and pool.wins == len(won)
    assert pool.paid == sum(body["jackpot"]["win"] for body in won)
    assert pool.value + pool.paid == terms["seed"] * (pool.wins + 1) + contributed  # nothing made or lost
    entries = await ledger(sim, player["player_id"])
    ids = {jackpot_win_ids(body["round_id"])[0]: body["jackpot"]["win"] for body in won}
    jackpot_wins = {e["transaction_id"]: e["amount"] for e in entries if e["transaction_id"] in ids}
    assert jackpot_wins == ids  # each paid once
    assert sum(e["amount"] for e in entries if e["kind"] == "win") == game_wins + sum(ids.values())
    assert await sim.balance(player["player_id"]) == 1_000_000 - 40 * stake + game_wins + sum(ids.values())
    first = won[0]
    transaction_id, _ = jackpot_win_ids(first["round_id"])
    t = await sim.app[STORE].outbox.get(transaction_id)
    assert t is not None and t.status == "acked" and t.amount == first["jackpot"]["win"]
    assert t.bonus is not None and '"type":"jackpot"' in t.bonus
    assert (await reconciled(sim)).differences == 0


async def test_the_trigger_is_drawn_after_the_engine_so_the_outcome_is_the_engines_own(sim: Sim) -> None:
    game_id, _ = await jackpot_game(sim, trigger_odds=3)
    player = await sim.create_player(1_000_000)
    session = await sim.launch(player, game_id)
    token = str(session["session_token"])
    game = sim.app[CATALOG].game(game_id)
    assert game.jackpot is not None
    engine = get_engine(game.engine_id)
    assert not engine.multi_step
    stored = await sim.app[STORE].sessions.current(token)
    assert stored is not None
    for _ in range(12):
        reply = await sim.play(token, 500)
        assert reply.status == 200, reply.body
        nonce = reply.body["fairness"]["nonce"]
        stream = round_source(game.rng_mode, game.rng_mapping, stored.server_seed, stored.client_seed, nonce)
        replayed = engine.play(500, {}, stream)
        assert replayed.win == reply.body["win"]
        assert reply.body["jackpot"]["triggered"] == (stream.index(game.jackpot.trigger_odds) == 0)


async def test_a_game_without_a_jackpot_records_no_entry_and_makes_no_pool(sim: Sim) -> None:
    game_id = await sim.game_for("slot-classic20-940")
    assert "slot-classic20-940" not in JACKPOTS
    assert sim.app[CATALOG].game(game_id).jackpot is None
    player = await sim.create_player(100_000)
    session = await sim.launch(player, game_id)
    reply = await sim.play(str(session["session_token"]), 1_000)
    assert reply.status == 200 and "jackpot" not in reply.body
    assert await sim.app[STORE].jackpots.all() == []


async def test_a_refused_bet_feeds_and_wins_nothing(sim: Sim) -> None:
    game_id, terms = await jackpot_game(sim, trigger_odds=2)
    player = await sim.create_player(100)  # cannot cover the stake
    session = await sim.launch(player, game_id)
    reply = await sim.play(str(session["session_token"]), 1_000)
    assert 400 <= reply.status < 500, reply.body
    assert await _pool(sim, terms["id"]) is None


async def _etag(sim: Sim) -> str:
    async with sim.http.get(sim.url + "/v1/jackpots") as reply:
        assert reply.status == 200
        return reply.headers["ETag"]


async def test_the_lobby_feed_moves_as_players_play_and_answers_304_while_nothing_moved(sim: Sim) -> None:
    game_id, terms = await jackpot_game(sim, trigger_odds=1_000_000)
    unsigned = await sim.request("GET", "/v1/jackpots", auth=False)
    assert unsigned.status == 401
    first = await sim.request("GET", "/v1/jackpots")
    assert first.status == 200, first.body
    by_id = {j["jackpot_id"]: j for j in first.body["jackpots"]}
    assert set(by_id) == {t.jackpot_id for t in JACKPOTS.values()}
    assert game_id in by_id[terms["id"]]["games"]
    usd = {p["currency"]: p for p in by_id[terms["id"]]["pools"]}["USD"]
    assert (usd["value"], usd["seed"], usd["wins"]) == (terms["seed"], terms["seed"], 0)
    tag = await _etag(sim)
    async with sim.http.get(sim.url + "/v1/jackpots", headers={"If-None-Match": tag}) as same:
        assert same.status == 304 and same.headers["ETag"] == tag
    player = await sim.create_player(100_000)
    session = await sim.launch(player, game_id)
    assert (await sim.play(str(session["session_token"]), 2_000)).status == 200
    moved = await sim.request("GET", "/v1/jackpots", headers={"If-None-Match": tag})
    assert moved.status == 200 and await _etag(sim) != tag
    usd = {p["currency"]: p for p in {j["jackpot_id"]: j for j in moved.body["jackpots"]}[terms["id"]]["pools"]}["USD"]
    assert usd["value"] == terms["seed"] + 2_000 * terms["bp"] // 10_000


@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
async def test_a_jackpot_win_is_paid_once_as_cash_in_every_dialect(sim: Sim, dialect: str) -> None:
    if dialect == "rsa_json" and not rsa_keys.available():
        pytest.skip("rsa_json needs the cryptography package")
    game, country = await slot_of(sim, dialect)
    catalog = sim.app[CATALOG]
    record = catalog.game(game["game_id"])
    terms = JACKPOTS[JACKPOT_ENGINE].model_copy(update={"trigger_odds": 2, "seed": {"USD": 7_000}})
    catalog.games[record.game_id] = record.model_copy(update={"jackpot": terms})
    player = await sim.create_player(1_000_000)
    session = await sim.launch(player, record.game_id, country=country)
    stake = game["bet_steps"]["USD"][1]
    won = []
    for _ in range(12):
        reply = await sim.play(str(session["session_token"]), stake)
        assert reply.status == 200, reply.body
        if reply.body["jackpot"]["triggered"]:
            won.append(reply.body)
    assert won
    await settle(sim)
    ids = {jackpot_win_ids(body["round_id"])[0]: body["jackpot"]["win"] for body in won}
    paid = {
        e["transaction_id"]: e["amount"] for e in await ledger(sim, player["player_id"]) if e["transaction_id"] in ids
    }
    assert paid == ids
    t = await sim.app[STORE].outbox.get(next(iter(ids)))
    assert t is not None and t.status == "acked"
    assert (await reconciled(sim)).differences == 0

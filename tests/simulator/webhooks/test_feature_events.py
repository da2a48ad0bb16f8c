"""The events other features publish, each written in the transaction of the change it reports and delivered like
round events: ``campaign.finished`` when a player's share of a campaign closes, ``promo.paid`` when a promotional win
is acknowledged, ``jackpot.won`` when an acknowledged bet's trigger takes a pool, ``session.closed`` when a session
time limit, a loss limit or a reality-check quit closes a session, or the worker closes a session that expired.
A simulator with no endpoint writes none of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from simulator.bonus.jackpots import jackpot_win_ids
from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.faults.timing import VirtualSleep
from simulator.settings import OperatorKeySettings, Settings, WebhookEndpointSettings
from simulator.state import CATALOG, STORE, WORKER
from tests.databases import ENGINES, database_url_for
from tests.harness import Sim, running_sim
from tests.simulator.bonus.helpers import campaign_for, jackpot_game, launch_slot, promo_payout, settle, slot_of
from tests.simulator.markets.helpers import code, play, session
from tests.simulator.webhooks.conftest import HOOK_SECRETS, Receiver, documented_fields


@pytest.fixture(params=ENGINES)
async def hooked_sim(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Sim, Receiver, ManualClock]]:
    clock = ManualClock(1_767_225_600.0)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    receiver = Receiver(clock, dict(HOOK_SECRETS))
    await receiver.start(sock)  # listening before the simulator binds: the port stays the receiver's
    keys = [OperatorKeySettings(key_id=k, secret=SecretStr(v)) for k, v in HOOK_SECRETS.items()]
    endpoint = WebhookEndpointSettings(url=f"http://127.0.0.1:{port}/hooks", keys=keys)
    try:
        async with database_url_for(request.param, tmp_path) as url:
            # deterministic: the server seeds, so every round of these tests (the loss-limit one plays long shots)
            # is the same on every run
            settings = Settings(
                data_dir=tmp_path / "data", port=0, database_url=url, webhooks={"ops": endpoint}, deterministic=True
            )
            async with running_sim(settings, clock=clock, sleep=VirtualSleep(clock), settlement_worker=False) as sim:
                yield sim, receiver, clock
    finally:
        await receiver.stop()


async def delivered(sim: Sim, receiver: Receiver, clock: ManualClock, event_type: str) -> list[dict[str, Any]]:
    """Run the worker until no delivery is pending; the events of ``event_type`` the receiver processed."""
    for _ in range(30):
        await sim.app[WORKER].run_once()
        if not (await sim.app[STORE].events.counts()).get("pending"):
            break
        clock.advance(5)
    else:
        raise AssertionError(f"deliveries still pending: {await sim.app[STORE].events.counts()}")
    assert {verdict for _, verdict in receiver.answers} <= {"ok", "duplicate"}  # every signature valid
    events = [e for e in receiver.processed.values() if e["type"] == event_type]
    for event in events:  # docs/webhooks.md lists exactly the fields sent
        assert set(event["data"]) == documented_fields(event_type), event_type
    return events


async def test_a_closed_campaign_share_is_announced_once_with_its_total(
    hooked_sim: tuple[Sim, Receiver, ManualClock],
) -> None:
    sim, receiver, clock = hooked_sim
    game, player, token = await launch_slot(sim, "native", 50_000)
    campaign = await campaign_for(sim, game, player, rounds=5, payout="total")
    wins = 0
    for _ in range(5):
        reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": campaign["campaign_id"]})
        assert reply.status == 200, reply.body
        wins += reply.body["win"]
    await settle(sim)
    [event] = await delivered(sim, receiver, clock, "campaign.finished")
    share = (await sim.request("GET", f"/v1/campaigns/{campaign['campaign_id']}")).body["players"][0]
    assert event["data"] == {
        "campaign_id": campaign["campaign_id"],
        "player_id": player["player_id"],
        "currency": "USD",
        "payout": "total",
        "rounds": 5,
        "rounds_played": 5,
        "total_win": wins,
        "payout_transaction_id": share["payout_transaction_id"],
        "reason": "played_out",
    }
    assert (share["payout_transaction_id"] is None) == (wins == 0)


async def test_a_cancelled_campaign_announces_each_share_it_closes(
    hooked_sim: tuple[Sim, Receiver, ManualClock],
) -> None:
    sim, receiver, clock = hooked_sim
    game, player, _ = await launch_slot(sim, "native", 50_000)
    campaign = await campaign_for(sim, game, player, rounds=5, payout="per_round")
    reply = await sim.request("POST", f"/v1/campaigns/{campaign['campaign_id']}/cancel")
    assert reply.status == 200, reply.body
    [event] = await delivered(sim, receiver, clock, "campaign.finished")
    assert event["data"]["reason"] == "cancelled" and event["data"]["rounds_played"] == 0
    assert event["data"]["total_win"] == 0 and event["data"]["payout_transaction_id"] is None


async def test_an_acknowledged_promotional_win_is_announced_once(
    hooked_sim: tuple[Sim, Receiver, ManualClock],
) -> None:
    sim, receiver, clock = hooked_sim
    game, _ = await slot_of(sim, "native")
    player = await sim.create_player(1_000)
    body = promo_payout(game["studio_id"], player, 2_500, "weekly-7")
    reply = await sim.request("POST", "/v1/promotions/payouts", body)
    assert reply.status == 201, reply.body
    assert (await sim.request("POST", "/v1/promotions/payouts", body)).status == 200  # the same again pays nothing
    [event] = await delivered(sim, receiver, clock, "promo.paid")
    assert event["data"] == {
        "reference": "weekly-7",
        "promotion": "tournament",
        "player_id": player["player_id"],
        "studio_id": game["studio_id"],
        "game_id": None,
        "currency": "USD",
        "amount": 2_500,
        "transaction_id": reply.body["payouts"][0]["transaction_id"],
    }
    assert [e["type"] for e in receiver.processed.values()] == ["promo.paid"]  # no round event: a promo has no round


async def test_a_jackpot_win_is_announced_once_in_the_transaction_that_takes_the_pool(
    hooked_sim: tuple[Sim, Receiver, ManualClock],
) -> None:
    sim, receiver, clock = hooked_sim
    game_id, terms = await jackpot_game(sim, trigger_odds=1)  # every round triggers
    player = await sim.create_player(100_000)
    token = str((await sim.launch(player, game_id))["session_token"])
    reply = await sim.play(token, 1_000)
    assert reply.status == 200 and reply.body["jackpot"]["triggered"], reply.body
    game = sim.app[CATALOG].game(game_id)
    game_terms = game.jackpot
    assert game_terms is not None
    sim.app[CATALOG].games[game_id] = game.model_copy(
        update={"jackpot": game_terms.model_copy(update={"trigger_odds": 1_000_000})}
    )
    assert (await sim.play(token, 1_000)).status == 200  # fed, not won: no event
    await settle(sim)
    [event] = await delivered(sim, receiver, clock, "jackpot.won")
    transaction_id, _ = jackpot_win_ids(reply.body["round_id"])
    win = await sim.app[STORE].outbox.get(transaction_id)
    assert win is not None and win.status == "acked"
    assert event["data"] == {
        "jackpot_id": terms["id"],
        "amount": reply.body["jackpot"]["win"],
        "currency": "USD",
        "player_id": player["player_id"],
        "round_id": reply.body["round_id"],
        "game_id": game_id,
        "studio_id": win.studio_id,
        "transaction_id": transaction_id,
    }
    assert win.amount == event["data"]["amount"] >= terms["seed"]
    assert [v for i, v in receiver.answers if i == event["id"]] == ["ok"]  # delivered once, its signature valid


@pytest.mark.parametrize("how", ["time_limit", "loss_limit", "player_quit"])
async def test_a_session_closed_by_a_limit_or_a_quit_is_announced_once(
    hooked_sim: tuple[Sim, Receiver, ManualClock], how: str
) -> None:
    sim, receiver, clock = hooked_sim
    limits = {
        "time_limit": {"session_time_limit": 60},
        "loss_limit": {"loss_limit": 300, "stake_limit": 100},
        "player_quit": {"reality_check_interval": 600},
    }[how]
    token = await session(sim, "EUR", "dice", responsible_gaming=limits)
    if how == "time_limit":
        assert (await play(sim, token, 100)).status == 200
        clock.advance(60)
        assert code(await play(sim, token, 100)) == "SESSION_CLOSED"
    elif how == "loss_limit":
        stake, long_shot = 100, {"target": "99.00", "direction": "over"}  # a bet that almost always loses
        for _ in range(200):
            reply = await play(sim, token, stake, params=long_shot)
            if code(reply) == "SESSION_CLOSED":
                break
            if code(reply) == "LOSS_LIMIT_REACHED":  # less than a stake left: play what remains
                stake = reply.body["remaining"]
        else:
            raise AssertionError(f"the loss limit never closed the session: {reply.status} {reply.body}")
    else:
        assert (await play(sim, token, 100)).status == 200
        clock.advance(600)
        assert code(await play(sim, token, 100)) == "REALITY_CHECK_DUE"
        assert (await sim.request("POST", f"/play/{token}/reality-check", {"decision": "quit"})).status == 200
    assert code(await play(sim, token, 100)) == "SESSION_CLOSED"  # refused again: still one close
    market = (await sim.request("GET", f"/play/{token}/session")).body["market"]
    [event] = await delivered(sim, receiver, clock, "session.closed")
    data = event["data"]
    assert data["reason"] == how == market["closed_reason"]
    assert (data["rounds"], data["staked"], data["won"]) == (market["rounds"], market["staked"], market["won"])
    assert data["currency"] == "EUR" and data["player_id"]
    clock.advance(3_600)  # past the session's expiry too: the sweep leaves a closed session alone
    assert [e["data"]["reason"] for e in await delivered(sim, receiver, clock, "session.closed")] == [how]


async def test_a_session_that_expires_is_closed_by_the_worker_and_announced_once(
    hooked_sim: tuple[Sim, Receiver, ManualClock],
) -> None:
    sim, receiver, clock = hooked_sim
    launched_at = clock.now()
    game, player, token = await launch_slot(sim, "native", 50_000)
    assert (await sim.play(token, game["bet_steps"]["USD"][0])).status == 200
    await delivered(sim, receiver, clock, "round.closed")
    clock.advance(launched_at + 3_600 - 1 - clock.now())  # a second before the session's expiry (session_ttl)
    await sim.app[WORKER].run_once()
    assert not (await sim.app[STORE].events.counts()).get("pending")  # nothing to announce yet
    clock.advance(1)
    [event] = await delivered(sim, receiver, clock, "session.closed")
    assert event["data"] == {
        "player_id": player["player_id"],
        "operator_token": player["token"],
        "game_id": game["game_id"],
        "studio_id": game["studio_id"],
        "currency": "USD",
        "reason": "expired",
        "rounds": None,  # counted for regulated sessions only
        "staked": None,
        "won": None,
        "started_at": launched_at,
    }
    reply = await sim.play(token, game["bet_steps"]["USD"][0])
    assert (reply.status, code(reply)) == (410, "SESSION_EXPIRED")  # the answer a round on an expired session had
    clock.advance(3_600)
    assert len(await delivered(sim, receiver, clock, "session.closed")) == 1  # closed once


async def test_no_endpoint_no_event_rows(tmp_path: Path) -> None:
    clock = ManualClock(1_767_225_600.0)
    settings = Settings(data_dir=tmp_path / "data", port=0)
    async with running_sim(settings, clock=clock, settlement_worker=False) as sim:
        token = await session(sim, "EUR", "dice", responsible_gaming={"session_time_limit": 60})
        assert (await play(sim, token, 100)).status == 200
        clock.advance(60)
        assert code(await play(sim, token, 100)) == "SESSION_CLOSED"
        await sim.app[WORKER].run_once()
        assert await sim.app[STORE].events.counts() == {}

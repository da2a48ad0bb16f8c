"""An operator that integrated Hub88 from its public documentation (``operators/hub88_operator.py``, which
imports nothing of ours) runs unchanged against the simulator: it lists and launches games through the Games
API under ``/hub88``, answers the seamless-wallet calls of a studio set to speak ``hub88``, and its ledger
reconciles with the simulator's transaction log after rounds, injected timeouts, retries and rollbacks. Bad
input in Hub88's own terms gets Hub88's documented answer and changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import STORE, WORKER
from tests.compat.keys import Pair, new_pair
from tests.compat.operators.hub88_operator import SIGNATURE, Account, Hub88Operator, sign, verify
from tests.compat.stored import campaigns
from tests.databases import ENGINES, database_url_for
from tests.harness import Reply, Sim, running_sim

STUDIO = "studio-001"  # a studio the default catalogue deals to rsa_json; the settings move it to hub88
OPERATOR_ID = 7
OTHER_ID = 8
UNITS = 1000  # 1/100000 units per USD cent


@dataclass
class World:
    sim: Sim
    operator: Hub88Operator
    clock: ManualClock
    hub88: Pair
    http: aiohttp.ClientSession
    other: Hub88Operator  # another operator configured on the same server

    @property
    def api(self) -> str:
        return self.sim.url + "/hub88"

    async def settle(self) -> None:
        for _ in range(100):
            if (await self.sim.app[STORE].outbox.summary()).pending == 0:
                return
            self.clock.advance(2.0)
            await self.sim.app[WORKER].run_once()
        raise AssertionError("settlement still pending")

    async def launch(self, user: str) -> tuple[dict[str, Any], str]:
        """The first listed slot the operator may launch in Estonia: the game and its launch URL."""
        status, games = await self.operator.game_list(self.http, self.api)
        assert status == 200, games
        for game in games:
            if game["category"] != "slots" or not game["enabled"] or "EE" in game["blocked_countries"]:
                continue
            status, reply = await self.operator.game_url(self.http, self.api, user, game["game_code"], country="EE")
            if status == 200:
                return game, reply["url"]
        raise AssertionError("no slot of the hub88 studio could be launched")

    async def play(self, url: str) -> Reply:
        async with self.http.get(url + "/session") as response:
            session = await response.json()
        async with self.http.post(url + "/rounds", json={"amount": session["min_bet"], "params": {}}) as response:
            return Reply(response.status, await response.json())

    async def log(self) -> list[dict[str, Any]]:
        reply = await self.sim.request("GET", "/v1/transactions?limit=1000")
        assert reply.status == 200, reply.body
        return list(reply.body["transactions"])

    async def add_fault(self, rule: dict[str, Any]) -> None:
        reply = await self.sim.request("POST", "/admin/faults", rule)
        assert reply.status == 201, reply.body


@asynccontextmanager
async def opened_world(tmp_path: Path, database_url: str | None = None) -> AsyncIterator[World]:
    hub88 = new_pair(tmp_path / "keys", "hub88")  # ours: we sign wallet calls, the operator verifies
    operator_keys = new_pair(tmp_path / "keys", "operator")  # theirs: they sign Games API calls, we verify
    other_keys = new_pair(tmp_path / "keys", "other")  # a second operator of the same server
    operator = Hub88Operator(hub88.public_pem, operator_keys.key, OPERATOR_ID)
    operator.accounts["hub88-player-1"] = Account("USD", 1000 * 100 * UNITS)
    await operator.start()
    clock = ManualClock()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        port=0,
        catalog_change_interval=0,
        wallet_timeout=0.5,
        retry_base_delay=1.0,
        retry_max_delay=4.0,
        wallets={
            "hub88": {
                "url": operator.url,
                "private_key_path": hub88.private_path,
                "public_key_path": hub88.public_path,
            }
        },
        hub88_operators={
            str(OPERATOR_ID): {"public_key_path": operator_keys.public_path},
            str(OTHER_ID): {"public_key_path": other_keys.public_path},
        },
        studio_dialects={STUDIO: "hub88"},
    )
    other = Hub88Operator(hub88.public_pem, other_keys.key, OTHER_ID)  # calls the API only
    try:
        async with running_sim(settings, clock=clock, settlement_worker=False) as sim, aiohttp.ClientSession() as http:
            yield World(sim, operator, clock, hub88, http, other)
    finally:
        await operator.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(tmp_path) as opened:
        yield opened


@pytest.fixture(params=ENGINES)
async def world_on_each_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    async with database_url_for(request.param, tmp_path) as url, opened_world(tmp_path, url) as opened:
        yield opened


def reconcile(log: list[dict[str, Any]], operator: Hub88Operator) -> list[str]:
    """Every transaction the simulator logged as acknowledged is in the operator's ledger with the same kind,
    user, round, amount and reference, and the ledger holds nothing else; a rollback the operator answered
    'does not exist' moved no money and may be absent."""
    problems = []
    acked = {t["transaction_id"]: t for t in log if t["status"] == "acked"}
    for tx_id, t in acked.items():
        entry = operator.ledger.get(tx_id)
        if entry is None:
            if t["kind"] == "rollback" and t["last_error"] == "TRANSACTION_NOT_FOUND":
                continue
            problems.append(f"missing {t['kind']} {tx_id}")
            continue
        expected_amount = t["amount"] * UNITS
        if t["kind"] == "rollback":  # what the rollback gave back: the bet's stake, when the operator held it
            expected_amount = operator.ledger[t["reference_transaction_id"]].amount
        seen = (entry.kind, entry.user, entry.round, entry.amount, entry.reference)
        want = (t["kind"], t["player_id"], t["round_id"], expected_amount, t["reference_transaction_id"])
        if seen != want:
            problems.append(f"mismatched {tx_id}: ledger {seen}, log {want}")
    logged = {t["transaction_id"]: t for t in log}
    for entry in operator.ledger.values():  # a bet of unknown fate ("failed") is settled by its rollback
        if entry.transaction_uuid not in logged or logged[entry.transaction_uuid]["status"] == "refused":
            problems.append(f"extra {entry.kind} {entry.transaction_uuid}")
    return problems


async def test_the_operator_lists_launches_and_plays_and_its_ledger_reconciles(world: World) -> None:
    game, url = await world.launch("hub88-player-1")
    assert game["product"] and game["url_thumb"].startswith("http")
    status, games = await world.operator.game_list(world.http, world.api)
    assert status == 200 and games  # only the studio set to speak hub88 is offered through Hub88
    assert all(g["game_code"].startswith(STUDIO + "-") for g in games)
    start = world.operator.accounts["hub88-player-1"].balance
    rounds = [await world.play(url) for _ in range(5)]
    assert all(r.status == 200 for r in rounds), rounds
    await world.settle()
    paths = [path for path, _, _ in world.operator.calls]
    assert paths[0] == "/user/balance" and paths.count("/transaction/bet") == 5
    assert paths.count("/transaction/win") == 5
    moved = sum((r.body["win"] - r.body["amount"]) * UNITS for r in rounds)
    assert world.operator.accounts["hub88-player-1"].balance == start + moved
    assert rounds[-1].body["balance"] * UNITS == start + moved  # the player's client shows the operator's balance
    assert reconcile(await world.log(), world.operator) == []


async def test_timeouts_are_retried_or_rolled_back_as_hub88_documents(world: World) -> None:
    _, url = await world.launch("hub88-player-1")
    start = world.operator.accounts["hub88-player-1"].balance
    # the operator takes the first bet, but its answer is lost: the bet's fate is unknown, so it is rolled back
    await world.add_fault(
        {
            "match": {"side": "outbound", "dialect": "hub88", "operation": "bet"},
            "action": {"type": "timeout"},
            "schedule": {"first": 1},
        }
    )
    lost = await world.play(url)
    assert lost.status == 504, lost.body
    await world.settle()
    rollbacks = [b for p, b, r in world.operator.calls if p == "/transaction/rollback" and r["status"] == "RS_OK"]
    assert len(rollbacks) == 1
    assert world.operator.accounts["hub88-player-1"].balance == start
    # the next round's win is taken, its answer lost: it is retried with the same transaction_uuid until answered
    await world.add_fault(
        {
            "match": {"side": "outbound", "dialect": "hub88", "operation": "win"},
            "action": {"type": "timeout"},
            "schedule": {"first": 1},
        }
    )
    played = await world.play(url)
    assert played.status == 200, played.body
    await world.settle()
    wins = [b for p, b, _ in world.operator.calls if p == "/transaction/win"]
    assert len(wins) == 2 and wins[0] == wins[1]  # the same request, byte for byte in content
    assert sum(1 for e in world.operator.ledger.values() if e.kind == "win") == 1
    assert (
        world.operator.accounts["hub88-player-1"].balance
        == start + (played.body["win"] - played.body["amount"]) * UNITS
    )
    assert reconcile(await world.log(), world.operator) == []


async def test_a_refused_bet_is_rolled_back_unless_hub88_calls_the_refusal_final(world: World) -> None:
    _, url = await world.launch("hub88-player-1")
    account = world.operator.accounts["hub88-player-1"]
    account.balance = 0  # RS_ERROR_NOT_ENOUGH_MONEY: final, no rollback
    poor = await world.play(url)
    assert (poor.status, poor.body["error"]["code"]) == (402, "INSUFFICIENT_FUNDS")
    account.balance = 100 * 100 * UNITS
    account.disabled = True  # RS_ERROR_USER_DISABLED: Hub88 rolls such a bet back all the same
    blocked = await world.play(url)
    assert (blocked.status, blocked.body["error"]["code"]) == (403, "PLAYER_BLOCKED")
    await world.settle()
    rollbacks = [(b, r) for p, b, r in world.operator.calls if p == "/transaction/rollback" and b is not None]
    assert len(rollbacks) == 1
    refused_bets = [b for p, b, r in world.operator.calls if p == "/transaction/bet" and b is not None]
    assert rollbacks[0][0]["reference_transaction_uuid"] == refused_bets[1]["transaction_uuid"]
    assert rollbacks[0][1]["status"] == "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"  # never taken: nothing to give back
    assert account.balance == 100 * 100 * UNITS
    assert reconcile(await world.log(), world.operator) == []


async def test_signatures_round_trip_both_ways_with_keys_made_here(world: World, tmp_path: Path) -> None:
    # ours, verified by the operator with the public key it registered
    await world.launch("hub88-player-1")
    path, body, reply = world.operator.calls[0]
    assert (path, reply["status"]) == ("/user/balance", "RS_OK") and body is not None
    # theirs, verified by us: a body signed by another key is refused with Hub88's 401, and nothing is launched
    stranger = new_pair(tmp_path / "stranger", "stranger")
    raw = json.dumps({"operator_id": OPERATOR_ID}).encode()
    for signature in (sign(stranger.key, raw), "", "not base64 !"):
        async with world.http.post(
            world.api + "/operator/generic/v2/game/list", data=raw, headers={SIGNATURE: signature}
        ) as response:
            assert response.status == 401
            assert isinstance((await response.json())["error"], str)
    # and the operator refuses a wallet call signed with any key but ours
    call = json.dumps({"user": "hub88-player-1", "token": "x" * 12, "request_uuid": "r-1", "game_code": "g"}).encode()
    async with world.http.post(
        world.operator.url + "/user/balance", data=call, headers={SIGNATURE: sign(stranger.key, call)}
    ) as response:
        assert (await response.json())["status"] == "RS_ERROR_INVALID_SIGNATURE"
    assert verify(world.hub88.key.public_key(), call, sign(world.hub88.key, call))


async def test_bad_launch_input_gets_hub88s_documented_status_and_changes_nothing(world: World) -> None:
    unknown_game = await world.operator.game_url(world.http, world.api, "hub88-player-1", "no-such-game", country="EE")
    assert unknown_game[0] == 404 and isinstance(unknown_game[1]["error"], str)
    native = next(
        s for s in (await world.sim.request("GET", "/v1/studios")).body["studios"] if s["dialect"] == "native"
    )
    native_game = next(
        g for g in (await world.sim.request("GET", f"/v1/games?studio={native['studio_id']}")).body["games"]
    )
    not_hub88 = await world.operator.game_url(
        world.http, world.api, "hub88-player-1", native_game["game_id"], country="EE"
    )
    assert not_hub88[0] == 404  # a studio that does not speak hub88 is not offered through Hub88
    raw = json.dumps({"operator_id": 999}).encode()
    async with world.http.post(
        world.api + "/operator/generic/v2/game/list",
        data=raw,
        headers={SIGNATURE: sign(world.operator.private_key, raw)},
    ) as response:
        assert response.status == 404  # an operator_id nobody configured
    async with world.http.post(world.api + "/operator/generic/v2/game/url", data=b"{") as response:
        assert response.status == 400 and isinstance((await response.json())["error"], str)
    assert world.operator.calls == []  # no session was opened: a launch asks the wallet for the balance first


async def test_the_reference_wallet_answers_hub88_in_its_own_terms(tmp_path: Path) -> None:
    """The embedded reference wallet, called as Hub88 calls an operator (signed here with a key made here):
    unknown user, wrong signature, a transaction_uuid reused with other content each get Hub88's status, and
    none of them moves money."""
    hub88 = new_pair(tmp_path / "keys", "hub88")
    settings = Settings(
        data_dir=tmp_path / "data",
        port=0,
        catalog_change_interval=0,
        wallets={"hub88": {"private_key_path": hub88.private_path, "public_key_path": hub88.public_path}},
    )
    async with running_sim(settings, settlement_worker=False) as sim, aiohttp.ClientSession() as http:
        player = await sim.create_player(10_000)

        async def call(path: str, body: dict[str, Any], key: Any = hub88.key) -> dict[str, Any]:
            raw = json.dumps(body).encode()
            async with http.post(sim.url + "/wallet/hub88" + path, data=raw, headers={SIGNATURE: sign(key, raw)}) as r:
                assert r.status == 200  # Hub88's wallet answers are always 200; the outcome is the status
                reply: dict[str, Any] = await r.json()
                return reply

        who = {"user": player["player_id"], "token": player["token"], "game_code": "g-1"}
        bet = who | {
            "request_uuid": "7b0f6f0e-0000-4000-8000-000000000001",
            "transaction_uuid": "7b0f6f0e-0000-4000-8000-0000000000b1",
            "supplier_transaction_id": "s-1",
            "round": "round-1",
            "round_closed": False,
            "currency": "USD",
            "amount": 250 * UNITS,
            "is_free": False,
        }
        taken = await call("/transaction/bet", bet)
        assert (taken["status"], taken["balance"]) == ("RS_OK", (10_000 - 250) * UNITS)
        assert taken["request_uuid"] == bet["request_uuid"] and taken["user"] == player["player_id"]
        assert (await call("/transaction/bet", bet)) == taken  # the same request again: the same answer
        other = bet | {"request_uuid": "7b0f6f0e-0000-4000-8000-000000000002", "amount": 300 * UNITS}
        assert (await call("/transaction/bet", other))["status"] == "RS_ERROR_DUPLICATE_TRANSACTION"
        stranger = new_pair(tmp_path / "stranger", "stranger")
        fresh = bet | {"request_uuid": "7b0f6f0e-0000-4000-8000-000000000003", "transaction_uuid": "7b0f-2"}
        assert (await call("/transaction/bet", fresh, stranger.key))["status"] == "RS_ERROR_INVALID_SIGNATURE"
        nobody = fresh | {"user": "nobody-at-all", "request_uuid": "7b0f6f0e-0000-4000-8000-000000000004"}
        assert (await call("/transaction/bet", nobody))["status"] == "RS_ERROR_INVALID_TOKEN"
        assert (await call("/user/balance", nobody))["status"] == "RS_ERROR_INVALID_TOKEN"
        late = await call(
            "/transaction/win",
            fresh | {"request_uuid": "7b0f6f0e-0000-4000-8000-000000000005", "reference_transaction_uuid": "none"},
        )
        assert late["status"] == "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"
        balance = await call("/user/balance", who | {"request_uuid": "7b0f6f0e-0000-4000-8000-000000000006"})
        assert (balance["status"], balance["balance"], balance["currency"]) == ("RS_OK", (10_000 - 250) * UNITS, "USD")
        assert await sim.balance(player["player_id"]) == 10_000 - 250


async def free_round(world: World, url: str, reward_uuid: str) -> Reply:
    async with world.http.post(url + "/free-rounds", json={"campaign_id": reward_uuid, "params": {}}) as response:
        return Reply(response.status, await response.json())


async def reward_terms(world: World, user: str, bet_count: int = 3, **extra: Any) -> dict[str, Any]:
    """A reward on the first slot the operator can launch: its prepaid, and its smallest stake as bet_value."""
    game, url = await world.launch(user)
    async with world.http.get(url + "/session") as response:
        session = await response.json()
    status, prepaids = await world.operator.prepaids(world.http, world.api, game_code=game["game_code"])
    assert status == 200, prepaids
    prepaid = next(p for p in prepaids if p["currency"] == "USD")
    assert (prepaid["bet_value"], prepaid["bet_count"], prepaid["bonus_buy"]) == (None, None, False)
    return {
        "user": user,
        "prepaid_uuid": prepaid["prepaid_uuid"],
        "game_code": game["game_code"],
        "currency": "USD",
        "bet_value": session["min_bet"] * UNITS,
        "bet_count": bet_count,
    } | extra


async def test_a_reward_created_through_the_freebets_api_is_played_as_free_bets_and_reconciles(world: World) -> None:
    terms = await reward_terms(world, "hub88-player-1", end_time="2100-01-01T00:00:00", operator_reference="promo-1")
    status, reward = await world.operator.create_reward(world.http, world.api, **terms)
    assert status == 200, reward
    assert (reward["status"], reward["bet_count"], reward["bet_value"]) == ("FRS_ACTIVE", 3, terms["bet_value"])
    assert (reward["user"], reward["game_code"], reward["end_time"]) == (
        "hub88-player-1",
        terms["game_code"],
        "2100-01-01T00:00:00",
    )
    again = await world.operator.create_reward(world.http, world.api, **terms)  # the same reference: the same reward
    assert again == (200, reward)
    start = world.operator.accounts["hub88-player-1"].balance
    _, url = await world.launch("hub88-player-1")
    async with world.http.get(url + "/session") as response:
        offers = (await response.json())["free_rounds"]
    assert [(o["campaign_id"], o["rounds_left"]) for o in offers] == [(reward["reward_uuid"], 3)]
    rounds = [await free_round(world, url, reward["reward_uuid"]) for _ in range(3)]
    assert all(r.status == 200 for r in rounds), rounds
    refused = await free_round(world, url, reward["reward_uuid"])
    assert refused.status == 409, refused.body  # three free bets, no fourth
    await world.settle()
    free = [(p, b) for p, b, r in world.operator.calls if p.startswith("/transaction/") and b is not None]
    bets = [b for p, b in free if p == "/transaction/bet"]
    wins = [b for p, b in free if p == "/transaction/win"]
    assert len(bets) == 3 and len(wins) == 3
    for call in bets + wins:
        assert (call["is_free"], call["reward_uuid"]) == (True, reward["reward_uuid"])
    assert {b["amount"] for b in bets} == {0}  # the reward pays the stake
    assert {b["meta"]["bonus"]["bet_value"] * UNITS for b in bets} == {terms["bet_value"]}  # the stake it was played at
    won = sum(r.body["win"] for r in rounds) * UNITS
    assert world.operator.accounts["hub88-player-1"].balance == start + won
    status, listed = await world.operator.rewards_list(world.http, world.api, user="hub88-player-1")
    assert status == 200 and [(r["reward_uuid"], r["status"]) for r in listed] == [
        (reward["reward_uuid"], "FRS_FINISHED")
    ]
    assert (await world.operator.cancel_reward(world.http, world.api, reward["reward_uuid"]))[0] == 400
    assert reconcile(await world.log(), world.operator) == []


async def test_a_cancelled_reward_plays_no_more_free_bets(world: World) -> None:
    terms = await reward_terms(world, "hub88-player-1", bet_count=5)
    status, reward = await world.operator.create_reward(world.http, world.api, **terms)
    assert status == 200, reward
    _, url = await world.launch("hub88-player-1")
    assert (await free_round(world, url, reward["reward_uuid"])).status == 200
    status, cancelled = await world.operator.cancel_reward(world.http, world.api, reward["reward_uuid"])
    assert (status, cancelled["status"]) == (200, "FRS_CANCELLED")
    assert (await world.operator.cancel_reward(world.http, world.api, reward["reward_uuid"])) == (200, cancelled)
    assert (await free_round(world, url, reward["reward_uuid"])).status == 409
    await world.settle()
    status, listed = await world.operator.rewards_list(world.http, world.api, status="FRS_CANCELLED")
    assert status == 200 and [r["reward_uuid"] for r in listed] == [reward["reward_uuid"]]
    assert sum(1 for p, b, _ in world.operator.calls if p == "/transaction/bet" and b and b["is_free"]) == 1
    assert reconcile(await world.log(), world.operator) == []


async def test_bad_freebet_input_gets_hub88s_documented_status_and_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    terms = await reward_terms(world, "hub88-player-1", operator_reference="promo-9")
    status, reward = await world.operator.create_reward(world.http, world.api, **terms)
    assert status == 200, reward
    before = (await world.sim.request("GET", "/v1/campaigns")).body

    async def refused(expected: int, **changes: Any) -> None:
        status, body = await world.operator.create_reward(world.http, world.api, **(terms | changes))
        assert status == expected and isinstance(body["error"], str), (changes, status, body)

    await refused(404, game_code="no-such-game")
    await refused(404, prepaid_uuid="0e6bde62-4713-4b85-b510-59f0d729d8f7")
    await refused(400, bet_value=terms["bet_value"] + 1)  # not a whole cent
    await refused(400, bet_value=terms["bet_value"] * 1_000_000)  # not one of the game's bet steps
    await refused(400, bet_count=0)
    await refused(400, end_time="2000-01-01T00:00:00")
    await refused(400, end_time="2100-02-30T00:00:00")  # no such day
    await refused(400, bet_count=4)  # the same reference with other content
    await refused(400, user="someone-else")  # the same reference for another user
    await refused(400, campaign_uuid="7b5c8a93-4d3a-4bfb-8554-f923d46aa485")  # Hub88 campaigns are not emulated
    stranger = new_pair(tmp_path / "stranger", "stranger")
    raw = json.dumps({"operator_id": OPERATOR_ID} | terms | {"operator_reference": "promo-10"}).encode()
    async with world.http.post(
        world.api + "/operator/generic/v2/freebet/rewards/create",
        data=raw,
        headers={SIGNATURE: sign(stranger.key, raw)},
    ) as response:
        assert response.status == 401
    assert await world.operator.cancel_reward(world.http, world.api, "7b5c8a93-0000-4bfb-8554-f923d46aa485") == (
        404,
        {"error": "reward '7b5c8a93-0000-4bfb-8554-f923d46aa485' does not exist"},
    )
    status, listed = await world.operator.rewards_list(world.http, world.api, user="nobody-at-all")
    assert (status, listed) == (200, [])
    assert (await world.sim.request("GET", "/v1/campaigns")).body == before
    status, listed = await world.operator.rewards_list(world.http, world.api, reward_uuid=reward["reward_uuid"])
    assert status == 200 and listed == [reward]  # operator_reference "promo-9" listed too
    world.clock.advance(60)  # a repeat without start_time or end_time: the reward keeps the times of its creation
    assert await world.operator.create_reward(world.http, world.api, **terms) == (200, reward)


async def test_one_operator_reference_sent_at_once_creates_one_reward(world_on_each_engine: World) -> None:
    """Concurrent creates under one operator_reference: the same content answers the one reward every time; for
    several users, one wins and the others are refused. Exactly one campaign exists either way."""
    world = world_on_each_engine
    terms = await reward_terms(world, "hub88-player-1", operator_reference="race-1")
    replies = await asyncio.gather(*(world.operator.create_reward(world.http, world.api, **terms) for _ in range(6)))
    assert {status for status, _ in replies} == {200}, replies
    assert all(reward == replies[0][1] for _, reward in replies)
    assert await campaigns(world.sim) == [(replies[0][1]["reward_uuid"], ["hub88-player-1"])]

    users = [f"racer-{n}" for n in range(6)]
    contested = terms | {"operator_reference": "race-2"}
    replies = await asyncio.gather(
        *(world.operator.create_reward(world.http, world.api, **(contested | {"user": u})) for u in users)
    )
    won = [reward for status, reward in replies if status == 200]
    assert len(won) == 1 and sorted(status for status, _ in replies) == [200] + [400] * 5, replies
    after = await campaigns(world.sim)
    assert len(after) == 2 and (won[0]["reward_uuid"], [won[0]["user"]]) in after


async def test_an_operator_sees_and_cancels_only_its_own_rewards(world_on_each_engine: World) -> None:
    world = world_on_each_engine
    terms = await reward_terms(world, "hub88-player-1", operator_reference="promo-1")
    status, mine = await world.operator.create_reward(world.http, world.api, **terms)
    assert status == 200, mine
    other = world.other
    assert await other.rewards_list(world.http, world.api) == (200, [])
    assert await other.rewards_list(world.http, world.api, reward_uuid=mine["reward_uuid"]) == (200, [])
    assert await other.rewards_list(world.http, world.api, user="hub88-player-1") == (200, [])
    assert (await other.cancel_reward(world.http, world.api, mine["reward_uuid"]))[0] == 404
    status, theirs = await other.create_reward(world.http, world.api, **terms)  # its own "promo-1": another reward
    assert status == 200 and theirs["reward_uuid"] != mine["reward_uuid"], theirs
    assert await other.rewards_list(world.http, world.api) == (200, [theirs])
    assert await world.operator.rewards_list(world.http, world.api) == (200, [mine])
    # a campaign made on our own API is no operator's reward
    made = await world.sim.request(
        "POST",
        "/v1/campaigns",
        {
            "games": [terms["game_code"]],
            "rounds": 2,
            "bet_values": {"USD": terms["bet_value"] // UNITS},
            "expires_at": world.clock.now() + 3600,
            "players": [{"player_id": "hub88-player-1", "currency": "USD"}],
        },
    )
    assert made.status == 201, made.body
    assert await world.operator.rewards_list(world.http, world.api, user="hub88-player-1") == (200, [mine])
    # a player added to the reward on /v1 is not its user
    path = f"/v1/campaigns/{mine['reward_uuid']}/players"
    added = await world.sim.request("POST", path, {"players": [{"player_id": "aaa-first", "currency": "USD"}]})
    assert added.status == 200, added.body
    assert await world.operator.rewards_list(world.http, world.api) == (200, [mine])
    assert await world.operator.rewards_list(world.http, world.api, user="aaa-first") == (200, [])
    assert (await world.operator.cancel_reward(world.http, world.api, made.body["campaign_id"]))[0] == 404
    status, cancelled = await world.operator.cancel_reward(world.http, world.api, mine["reward_uuid"])
    assert (status, cancelled["status"], cancelled["operator_reference"]) == (200, "FRS_CANCELLED", "promo-1")
    assert (await other.rewards_list(world.http, world.api))[1][0]["status"] == "FRS_ACTIVE"

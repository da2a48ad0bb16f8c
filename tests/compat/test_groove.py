"""A casino that integrated Groove from its public documentation (``operators/groove_operator.py``, which
imports nothing of ours) runs unchanged against the simulator: it launches games through Groove's Start Game
under ``/groove``, answers the Transaction API calls of a studio set to speak ``groove``, and its ledger
reconciles with the simulator's transaction log after rounds, injected timeouts, resends and rollbacks. Bad
input in Groove's own terms gets Groove's documented code and changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import STORE, WORKER
from tests.compat.operators.groove_operator import SIGNATURE, Account, GrooveCasino, sign
from tests.compat.stored import campaigns
from tests.databases import ENGINES, database_url_for
from tests.harness import Reply, Sim, running_sim

STUDIO = "studio-002"  # dealt to md5_form by the default catalogue; the settings move it to groove
OPERATOR = "11"
OTHER_OPERATOR = "12"  # another casino of the same server
KEY = b"groove-security-key-made-for-this-test"
BACK_OFFICE = ("frb@casino.example", "back-office-password-made-here")
CENT = Decimal("0.01")


@dataclass
class World:
    sim: Sim
    casino: GrooveCasino
    clock: ManualClock
    http: aiohttp.ClientSession

    async def settle(self) -> None:
        for _ in range(100):
            if (await self.sim.app[STORE].outbox.summary()).pending == 0:
                return
            self.clock.advance(2.0)
            await self.sim.app[WORKER].run_once()
        raise AssertionError("settlement still pending")

    async def games(self) -> list[dict[str, Any]]:
        """Groove's game list is not emulated; the casino's lobby is fed from our catalogue feed instead."""
        reply = await self.sim.request("GET", f"/v1/games?studio={STUDIO}&category=slots&limit=100")
        assert reply.status == 200, reply.body
        return list(reply.body["games"])

    async def launch(self, accountid: str) -> str:
        for game in await self.games():
            if "EE" in game["blocked_countries"]:
                continue
            status, where = await self.casino.start_game(
                self.http, self.sim.url + "/groove", accountid, game["game_id"], country="EE"
            )
            if status == 302:
                return where
        raise AssertionError("no slot of the groove studio could be launched")

    async def play(self, url: str) -> Reply:
        async with self.http.get(url + "/session") as response:
            session = await response.json()
        async with self.http.post(url + "/rounds", json={"amount": session["min_bet"], "params": {}}) as response:
            return Reply(response.status, await response.json())

    async def add_fault(self, operation: str) -> None:
        rule = {
            "match": {"side": "outbound", "dialect": "groove", "operation": operation},
            "action": {"type": "timeout"},
            "schedule": {"first": 1},
        }
        reply = await self.sim.request("POST", "/admin/faults", rule)
        assert reply.status == 201, reply.body

    async def log(self) -> list[dict[str, Any]]:
        reply = await self.sim.request("GET", "/v1/transactions?limit=1000")
        assert reply.status == 200, reply.body
        return list(reply.body["transactions"])


@asynccontextmanager
async def opened_world(tmp_path: Path, database_url: str | None = None) -> AsyncIterator[World]:
    casino = GrooveCasino(KEY, OPERATOR, BACK_OFFICE)
    casino.accounts["player1"] = Account("USD", Decimal("1000.00"))
    await casino.start()
    clock = ManualClock()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        port=0,
        catalog_change_interval=0,
        wallet_timeout=0.5,
        retry_base_delay=1.0,
        retry_max_delay=4.0,
        wallets={"groove": {"url": casino.url, "secret": KEY.decode()}},
        groove_operator_ids=[OPERATOR, OTHER_OPERATOR],
        groove_frb_users=dict([BACK_OFFICE]),
        studio_dialects={STUDIO: "groove"},
    )
    try:
        async with running_sim(settings, clock=clock, settlement_worker=False) as sim, aiohttp.ClientSession() as http:
            yield World(sim, casino, clock, http)
    finally:
        await casino.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(tmp_path) as opened:
        yield opened


@pytest.fixture(params=ENGINES)
async def world_on_each_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    async with database_url_for(request.param, tmp_path) as url, opened_world(tmp_path, url) as opened:
        yield opened


def reconcile(log: list[dict[str, Any]], casino: GrooveCasino) -> list[str]:
    """Acknowledged bets, wins and rollbacks of the log are the casino's wagers, results and rollbacks (a
    rollback under its wager's transactionid; one answered 102 moved nothing and may be absent), and the
    casino holds nothing else."""
    kinds = {"bet": "wager", "win": "result", "rollback": "rollback"}
    problems, expected = [], set()
    for t in log:
        if t["status"] != "acked":
            continue
        key = (kinds[t["kind"]], t["reference_transaction_id"] if t["kind"] == "rollback" else t["transaction_id"])
        entry = casino.ledger.get(key)
        if entry is None:
            if not (t["kind"] == "rollback" and t["last_error"] == "TRANSACTION_NOT_FOUND"):
                problems.append(f"missing {key}")
            continue
        expected.add(key)
        amount = Decimal(t["amount"]) * CENT
        if (entry.accountid, entry.roundid, entry.amount) != (t["player_id"], t["round_id"], amount):
            problems.append(f"mismatched {key}: {entry.accountid, entry.roundid, entry.amount} vs log {t}")
    failed = {t["transaction_id"] for t in log if t["status"] == "failed"}  # unknown fate: its rollback decides
    problems += [f"extra {k}" for k in casino.ledger if k not in expected and k[1] not in failed]
    return problems


async def test_the_casino_launches_plays_and_its_ledger_reconciles(world: World) -> None:
    url = await world.launch("player1")
    assert url.startswith(world.sim.url + "/play/")
    requests = [p["request"] for p, _ in world.casino.calls]
    assert requests == ["getaccount", "getbalance"]  # a session starts as Groove's does
    start = world.casino.accounts["player1"].balance
    rounds = [await world.play(url) for _ in range(5)]
    assert all(r.status == 200 for r in rounds), rounds
    await world.settle()
    calls = [p for p, _ in world.casino.calls]
    assert [p["request"] for p in calls].count("wager") == 5 and [p["request"] for p in calls].count("result") == 5
    assert all(p["gamestatus"] == "completed" for p in calls if p["request"] == "result")
    assert all(p["gamesessionid"].startswith(OPERATOR + "_") and p["apiversion"] == "1.2" for p in calls)
    moved = sum(Decimal(r.body["win"] - r.body["amount"]) * CENT for r in rounds)
    assert world.casino.accounts["player1"].balance == start + moved
    assert Decimal(rounds[-1].body["balance"]) * CENT == start + moved
    assert reconcile(await world.log(), world.casino) == []


async def test_timeouts_are_resent_or_rolled_back_as_groove_documents(world: World) -> None:
    url = await world.launch("player1")
    start = world.casino.accounts["player1"].balance
    await world.add_fault("bet")  # the casino takes the wager, its answer is lost: the wager is rolled back
    lost = await world.play(url)
    assert lost.status == 504, lost.body
    await world.settle()
    rollbacks = [(p, r) for p, r in world.casino.calls if p["request"] == "rollback"]
    assert len(rollbacks) == 1 and rollbacks[0][1]["code"] == 200
    wager = next(p for p, _ in world.casino.calls if p["request"] == "wager")
    assert rollbacks[0][0]["transactionid"] == wager["transactionid"]  # a rollback names its wager
    assert world.casino.accounts["player1"].balance == start
    await world.add_fault("win")  # the result is taken, its answer lost: resent until answered
    played = await world.play(url)
    assert played.status == 200, played.body
    await world.settle()
    results = [p for p, _ in world.casino.calls if p["request"] == "result"]
    assert len(results) == 2 and results[0] == results[1]
    assert [r["status"] for p, r in world.casino.calls if p["request"] == "result"][-1] == "Success - duplicate request"
    assert (
        world.casino.accounts["player1"].balance == start + Decimal(played.body["win"] - played.body["amount"]) * CENT
    )
    assert reconcile(await world.log(), world.casino) == []


async def test_a_refused_wager_is_final(world: World) -> None:
    url = await world.launch("player1")
    world.casino.accounts["player1"].balance = Decimal("0.00")
    poor = await world.play(url)
    assert (poor.status, poor.body["error"]["code"]) == (402, "INSUFFICIENT_FUNDS")
    world.casino.accounts["player1"].balance = Decimal("5.00")
    world.casino.accounts["player1"].blocked = True
    blocked = await world.play(url)
    assert (blocked.status, blocked.body["error"]["code"]) == (403, "PLAYER_BLOCKED")
    await world.settle()
    assert [p["request"] for p, _ in world.casino.calls].count("rollback") == 0
    assert reconcile(await world.log(), world.casino) == []


async def test_the_signature_recipe_round_trips_with_a_key_made_here(world: World, tmp_path: Path) -> None:
    await world.launch("player1")
    assert all(r["code"] == 200 for _, r in world.casino.calls)  # ours, verified by the casino's own recipe
    params = {
        "request": "getbalance",
        "accountid": "player1",
        "gamesessionid": "x",
        "device": "desktop",
        "gameid": "g",
        "apiversion": "1.2",
    }
    async with world.http.get(
        world.casino.url + "?" + urlencode(params), headers={SIGNATURE: sign(params, b"another key")}
    ) as response:
        assert (await response.json())["code"] == 1003
    # the casino's copy of the recipe, and our reference wallet verifying it (and refusing another key)
    settings = Settings(
        data_dir=tmp_path / "ref", port=0, catalog_change_interval=0, wallets={"groove": {"secret": KEY.decode()}}
    )
    async with running_sim(settings, settlement_worker=False) as sim:
        player = await sim.create_player(10_000, player_id="grooveref1")
        params = {
            "request": "getbalance",
            "accountid": "grooveref1",
            "gamesessionid": player["token"],
            "device": "desktop",
            "gameid": "g",
            "apiversion": "1.2",
        }
        for key, code in ((KEY, 200), (b"another key", 1003)):
            async with world.http.get(
                sim.url + "/wallet/groove?" + urlencode(params), headers={SIGNATURE: sign(params, key)}
            ) as response:
                assert response.status == 200
                assert (await response.json())["code"] == code


async def test_bad_input_gets_groove_codes_and_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        port=0,
        catalog_change_interval=0,
        wallets={"groove": {"secret": KEY.decode()}},
        groove_operator_ids=[OPERATOR],
        studio_dialects={STUDIO: "groove"},
    )
    async with running_sim(settings, settlement_worker=False) as sim, aiohttp.ClientSession() as http:
        player = await sim.create_player(10_000, player_id="groovebad1")

        async def call(**params: str) -> dict[str, Any]:
            base = {
                "accountid": "groovebad1",
                "gamesessionid": player["token"],
                "device": "desktop",
                "gameid": "g-1",
                "apiversion": "1.2",
            }
            query = base | params
            async with http.get(
                sim.url + "/wallet/groove?" + urlencode(query), headers={SIGNATURE: sign(query, KEY)}
            ) as response:
                assert response.status == 200
                reply: dict[str, Any] = await response.json()
                return reply

        wager = {"request": "wager", "betamount": "2.50", "roundid": "r-1", "transactionid": "t-1"}
        taken = await call(**wager)
        assert (taken["code"], taken["balance"], taken["status"]) == (200, 97.5, "Success")
        again = await call(**wager)
        assert (again["code"], again["status"]) == (200, "Success - duplicate request")
        assert (await call(**(wager | {"betamount": "3.00"})))["code"] == 400  # same id, other content
        assert (await call(**(wager | {"accountid": "nobody", "transactionid": "t-2"})))["code"] == 1000
        assert (await call(**(wager | {"gamesessionid": "not-a-session", "transactionid": "t-3"})))["code"] == 1000
        assert (await call(**(wager | {"betamount": "1.005", "transactionid": "t-4"})))["code"] == 110
        # a rollback of a wager never seen: the reference wallet's unknown_rollback policy (accept) takes it and
        # remembers it, so the wager cannot land later; nothing moves
        assert (await call(request="rollback", roundid="r-9", transactionid="t-404"))["code"] == 200
        late = await call(request="wager", betamount="1.00", roundid="r-9", transactionid="t-404")
        assert late["code"] == 409  # the transaction id was used by its rollback
        unsigned = {"request": "getbalance", "accountid": "groovebad1", "gamesessionid": player["token"]}
        async with http.get(sim.url + "/wallet/groove?" + urlencode(unsigned)) as response:
            assert (await response.json())["code"] == 1003
        assert await sim.balance("groovebad1") == 10_000 - 250
        # Start Game: an unknown game, an operator nobody configured, a session id of another operator
        launch = {
            "nogsgameid": "no-such-game",
            "nogsmode": "real",
            "nogscurrency": "USD",
            "nogsoperatorid": OPERATOR,
            "accountid": "groovebad1",
            "sessionid": f"{OPERATOR}_{player['token']}",
            "country": "EE",
        }
        games = (await sim.request("GET", f"/v1/games?studio={STUDIO}&limit=1")).body["games"]
        real = {"nogsgameid": games[0]["game_id"]}
        cases: tuple[tuple[dict[str, str], int], ...] = (
            ({}, 404),
            ({"nogsoperatorid": "99"}, 403),
            (real | {"sessionid": "12_abc"}, 400),
        )
        for change, status in cases:
            async with http.get(sim.url + "/groove/game/", params=launch | change, allow_redirects=False) as r:
                assert r.status == status, await r.text()
        assert await sim.balance("groovebad1") == 10_000 - 250


async def grant_terms(world: World, accountid: str, rounds: int = 3, **extra: Any) -> dict[str, Any]:
    """A template-and-grant request for the first slot the casino can launch, its bet amount in EUR cents."""
    await world.launch(accountid)  # the slot world.launch opens: the first one not blocked in Estonia
    game = next(g for g in await world.games() if "EE" not in g["blocked_countries"])
    studios = (await world.sim.request("GET", "/v1/studios")).body["studios"]
    studio = next(s for s in studios if s["studio_id"] == STUDIO)
    return {
        "providerName": studio["name"],
        "operatorId": int(OPERATOR),
        "transactionId": "frb-tx-1",
        "numberOfRounds": rounds,
        "availableFromDate": "2020-01-01 00:00:00",
        "availableDuration": 30,
        "expirationDate": "2100-01-01 00:00:00",
        "balanceTypeId": 1,
        "messageFirstLine": "Free rounds",
        "messageSecondLine": "for you",
        "offerName": "welcome-frb",
        "games": [{"gameId": game["game_id"], "betAmount": [100]}],
        "players": [{"playerId": accountid, "playerCurrency": "USD", "playerCountry": "EST"}],
    } | extra


async def test_a_free_round_bonus_granted_through_the_frb_api_is_played_and_reconciles(world: World) -> None:
    terms = await grant_terms(world, "player1")
    status, grant = await world.casino.grant_frb(world.http, world.sim.url + "/groove", terms)
    assert (status, grant["code"], grant["status"]) == (200, 200, "Success"), grant
    frbid = grant["templateId"]
    assert grant["succeeded_frb_awarded"][0]["playerId"] == "player1" and grant["failed_frb_awarded"] == []
    assert await world.casino.grant_frb(world.http, world.sim.url + "/groove", terms) == (200, grant)  # idempotent
    status, bonus = await world.casino.frb(world.http, world.sim.url + "/groove", frbid, "player1")
    assert (status, bonus["status"], bonus["left_rounds"], bonus["total_rounds"]) == (200, "active", 3, 3)
    stake = bonus["games"][0]["bet_amount"][0]
    start = world.casino.accounts["player1"].balance
    url = await world.launch("player1")
    async with world.http.get(url + "/session") as response:
        session = await response.json()
    assert [(o["campaign_id"], o["bet_value"]) for o in session["free_rounds"]] == [(frbid, stake)]
    assert stake in session["bet_steps"]  # 1.00 EUR in USD, moved to the game's closest bet step
    rounds = []
    for _ in range(3):
        async with world.http.post(url + "/free-rounds", json={"campaign_id": frbid, "params": {}}) as response:
            rounds.append(Reply(response.status, await response.json()))
    assert all(r.status == 200 for r in rounds), rounds
    await world.settle()
    wagers = [p for p, r in world.casino.calls if p["request"] == "wager"]
    results = [p for p, r in world.casino.calls if p["request"] == "result"]
    assert len(wagers) == 3 and len(results) == 3
    assert all(p["frbid"] == frbid for p in wagers + results)
    assert {p["betamount"] for p in wagers} == {"0.00"}  # the bonus pays the stake
    won = sum(Decimal(r.body["win"]) * CENT for r in rounds)
    assert world.casino.accounts["player1"].balance == start + won
    status, done = await world.casino.frb(world.http, world.sim.url + "/groove", frbid, "player1", cancel=True)
    assert (status, done["status"], done["left_rounds"]) == (200, "completed", 0)  # its actual status, not cancelled
    assert reconcile(await world.log(), world.casino) == []


async def test_a_cancelled_free_round_bonus_plays_no_more_rounds(world: World) -> None:
    terms = await grant_terms(world, "player1", rounds=5, transactionId="frb-tx-2")
    _, grant = await world.casino.grant_frb(world.http, world.sim.url + "/groove", terms)
    frbid = grant["templateId"]
    url = await world.launch("player1")
    async with world.http.post(url + "/free-rounds", json={"campaign_id": frbid, "params": {}}) as response:
        assert response.status == 200
    status, cancelled = await world.casino.frb(world.http, world.sim.url + "/groove", frbid, "player1", cancel=True)
    assert (status, cancelled["status"], cancelled["left_rounds"]) == (200, "canceled", 0)
    again = await world.casino.frb(world.http, world.sim.url + "/groove", frbid, "player1", cancel=True)
    assert again == (200, cancelled)
    async with world.http.post(url + "/free-rounds", json={"campaign_id": frbid, "params": {}}) as response:
        assert response.status == 409
    await world.settle()
    assert reconcile(await world.log(), world.casino) == []


async def test_bad_frb_input_gets_groove_answers_and_changes_nothing(world: World) -> None:
    groove = world.sim.url + "/groove"
    terms = await grant_terms(world, "player1")
    status, grant = await world.casino.grant_frb(world.http, groove, terms)
    assert status == 200, grant
    before = (await world.sim.request("GET", "/v1/campaigns")).body

    async def refused(expected: int, **changes: Any) -> None:
        status, body = await world.casino.grant_frb(world.http, groove, terms | changes)
        assert (status, body["code"], body["templateId"]) == (expected, expected, None), (changes, body)

    game = terms["games"][0]
    await refused(404, games=[game | {"gameId": "no-such-game"}])
    await refused(404, providerName="Another Studio")
    await refused(403, operatorId=99)
    await refused(400, players=[{"playerId": "not valid!", "playerCurrency": "USD"}])
    await refused(400, players=[{"playerId": "player1", "playerCurrency": "XYZ"}])
    await refused(400, expirationDate="2000-01-01 00:00:00")
    await refused(400, expirationDate="2100-02-30 00:00:00")  # no such day
    await refused(400, numberOfRounds=4)  # the same transactionId with other content
    await refused(400, players=[{"playerId": "player2", "playerCurrency": "USD"}])  # ... for another player
    async with world.http.post(
        groove + "/frb/create/1.0/template-and-grant", json=terms | {"transactionId": "frb-tx-9"}
    ) as response:
        assert response.status == 401  # no back-office credential
    stranger = GrooveCasino(KEY, OPERATOR, ("frb@casino.example", "a wrong password"))
    assert (await stranger.grant_frb(world.http, groove, terms | {"transactionId": "frb-tx-9"}))[0] == 401
    assert (await world.casino.frb(world.http, groove, "no-such-template", "player1"))[0] == 404
    assert (await world.casino.frb(world.http, groove, grant["templateId"], "player2", cancel=True))[0] == 404
    assert (await stranger.frb(world.http, groove, grant["templateId"], "player1", cancel=True))[0] == 401
    assert (await world.sim.request("GET", "/v1/campaigns")).body == before
    status, bonus = await world.casino.frb(world.http, groove, grant["templateId"], "player1")
    assert (status, bonus["status"], bonus["left_rounds"]) == (200, "active", 3)


async def test_one_transaction_id_sent_at_once_grants_once(world_on_each_engine: World) -> None:
    """Concurrent grants under one transactionId: the same content answers the one grant every time; for several
    players, one wins and the others get the mismatch. Exactly one campaign exists either way."""
    world = world_on_each_engine
    groove = world.sim.url + "/groove"
    terms = await grant_terms(world, "player1", transactionId="race-1")
    replies = await asyncio.gather(*(world.casino.grant_frb(world.http, groove, terms) for _ in range(6)))
    assert {status for status, _ in replies} == {200} and all(r == replies[0] for r in replies), replies
    assert await campaigns(world.sim) == [(replies[0][1]["templateId"], ["player1"])]

    players = [f"racer{n}" for n in range(6)]
    contested = [
        terms | {"transactionId": "race-2", "players": [{"playerId": p, "playerCurrency": "USD"}]} for p in players
    ]
    replies = await asyncio.gather(*(world.casino.grant_frb(world.http, groove, body) for body in contested))
    won = [grant for status, grant in replies if status == 200]
    assert len(won) == 1 and sorted(status for status, _ in replies) == [200] + [400] * 5, replies
    assert {g["exceptionResponses"] for status, g in replies if status == 400} == {"Transaction parameter mismatch"}
    after = await campaigns(world.sim)
    assert len(after) == 2 and (won[0]["templateId"], [won[0]["succeeded_frb_awarded"][0]["playerId"]]) in after


async def test_a_casino_reads_and_cancels_only_its_own_grants(world: World) -> None:
    groove = world.sim.url + "/groove"
    terms = await grant_terms(world, "player1")
    status, mine = await world.casino.grant_frb(world.http, groove, terms)
    assert status == 200, mine
    other = GrooveCasino(KEY, OTHER_OPERATOR, BACK_OFFICE)  # the same back office, another operator id
    for cancel in (False, True):
        status, body = await other.frb(world.http, groove, mine["templateId"], "player1", cancel=cancel)
        assert (status, body["status"]) == (404, None), body
    status, theirs = await other.grant_frb(world.http, groove, terms | {"operatorId": int(OTHER_OPERATOR)})
    assert status == 200 and theirs["templateId"] != mine["templateId"], theirs  # its own "frb-tx-1"
    status, cancelled = await other.frb(world.http, groove, theirs["templateId"], "player1", cancel=True)
    assert (status, cancelled["status"], cancelled["operator_id"]) == (200, "canceled", int(OTHER_OPERATOR))
    status, bonus = await world.casino.frb(world.http, groove, mine["templateId"], "player1")
    assert (status, bonus["status"], bonus["left_rounds"]) == (200, "active", 3)

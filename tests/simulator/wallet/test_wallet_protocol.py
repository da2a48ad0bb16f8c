"""The reference wallet's rules, exercised over signed HTTP exactly as a provider would call it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest

from tests.harness import Sim, wallet_call


def op(player: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base = {
        "request_id": str(uuid.uuid4()),
        "transaction_id": str(uuid.uuid4()),
        "round_id": "round-1",
        "player_id": player["player_id"],
        "session_id": player["token"],
        "game_id": "game-1",
        "studio_id": "studio-1",
        "currency": player["currency"],
        "amount": 100,
        "round_closed": False,
    }
    return base | fields


async def test_bet_debits_exactly_and_echoes_request_id(sim: Sim) -> None:
    player = await sim.create_player(1000)
    body = op(player, amount=250)
    reply = await wallet_call(sim, "bet", body)
    assert reply.status == 200
    assert reply.body == {
        "balance": 750,
        "bonus_balance": 0,
        "currency": "USD",
        "transaction_id": body["transaction_id"],
        "request_id": body["request_id"],
    }
    assert await sim.balance(player["player_id"]) == 750


async def test_balance_has_no_side_effect(sim: Sim) -> None:
    player = await sim.create_player(1000)
    fields = {k: op(player)[k] for k in ("request_id", "player_id", "session_id", "currency")}
    for _ in range(3):
        reply = await wallet_call(sim, "balance", fields)
        assert reply.status == 200 and reply.body["balance"] == 1000


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"key_id": "someone-else"}, id="unknown-key"),
        pytest.param({"timestamp": int(time.time()) - 3600}, id="stale-timestamp"),
        pytest.param({"timestamp": int(time.time()) + 3600}, id="future-timestamp"),
    ],
)
async def test_bad_or_stale_signature_is_refused_and_balance_untouched(sim: Sim, tamper: dict[str, Any]) -> None:
    player = await sim.create_player(1000)
    reply = await wallet_call(sim, "bet", op(player), **tamper)
    assert reply.status == 401
    assert reply.body["error"]["code"] == "INVALID_SIGNATURE"
    assert await sim.balance(player["player_id"]) == 1000


async def test_tampered_body_and_missing_signature_are_refused(sim: Sim) -> None:
    player = await sim.create_player(1000)
    body = json.dumps(op(player)).encode()
    from simulator.state import CREDENTIALS
    from tests.harness import signed_headers

    headers = signed_headers(sim.app[CREDENTIALS].wallet_secret, body, timestamp=int(time.time()))
    tampered = body.replace(b'"amount": 100', b'"amount": 1')
    reply = await sim.request("POST", "/wallet/bet", data=tampered, headers=headers)
    assert reply.status == 401 and reply.body["error"]["code"] == "INVALID_SIGNATURE"
    reply = await sim.request("POST", "/wallet/bet", data=body, headers={"Content-Type": "application/json"})
    assert reply.status == 401 and reply.body["error"]["code"] == "INVALID_SIGNATURE"
    assert await sim.balance(player["player_id"]) == 1000


async def test_repeat_returns_original_result_and_applies_once(sim: Sim) -> None:
    player = await sim.create_player(1000)
    body = op(player, amount=300)
    first = await wallet_call(sim, "bet", body)
    await wallet_call(sim, "bet", op(player, amount=100, round_id="round-2"))  # balance moves on meanwhile
    again = await wallet_call(sim, "bet", body | {"request_id": "retry-1"})
    assert again.status == 200
    assert again.body["balance"] == first.body["balance"] == 700
    assert again.body["request_id"] == "retry-1"
    assert await sim.balance(player["player_id"]) == 600


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"amount": 301}, id="amount"),
        pytest.param({"round_id": "other-round"}, id="round"),
        pytest.param({"game_id": "other-game"}, id="game"),
    ],
)
async def test_same_id_with_other_content_is_a_mismatch(sim: Sim, change: dict[str, Any]) -> None:
    player = await sim.create_player(1000)
    body = op(player, amount=300)
    assert (await wallet_call(sim, "bet", body)).status == 200
    reply = await wallet_call(sim, "bet", body | change)
    assert reply.status == 409 and reply.body["error"]["code"] == "TRANSACTION_MISMATCH"
    assert await sim.balance(player["player_id"]) == 700


async def test_insufficient_funds_carries_balance_and_changes_nothing(sim: Sim) -> None:
    player = await sim.create_player(99)
    reply = await wallet_call(sim, "bet", op(player, amount=100))
    assert reply.status == 402
    assert reply.body["error"]["code"] == "INSUFFICIENT_FUNDS"
    assert reply.body["balance"] == 99
    equal = await wallet_call(sim, "bet", op(player, amount=99))
    assert equal.status == 200 and equal.body["balance"] == 0


async def test_rollback_restores_once_and_late_bet_is_refused(sim: Sim) -> None:
    player = await sim.create_player(1000)
    bet = op(player, amount=400)
    assert (await wallet_call(sim, "bet", bet)).body["balance"] == 600
    rollback = op(player, amount=400, reference_transaction_id=bet["transaction_id"])
    assert (await wallet_call(sim, "rollback", rollback)).body["balance"] == 1000
    again = await wallet_call(sim, "rollback", rollback)
    assert again.status == 200 and again.body["balance"] == 1000
    other = await wallet_call(sim, "rollback", op(player, reference_transaction_id=bet["transaction_id"]))
    assert other.status == 200 and other.body["balance"] == 1000
    assert await sim.balance(player["player_id"]) == 1000


async def test_rollback_before_its_bet_leaves_a_tombstone(sim: Sim) -> None:
    player = await sim.create_player(1000)
    bet = op(player, amount=400)
    early = await wallet_call(sim, "rollback", op(player, reference_transaction_id=bet["transaction_id"]))
    assert early.status == 200 and early.body["balance"] == 1000
    late = await wallet_call(sim, "bet", bet)
    assert late.status == 409 and late.body["error"]["code"] == "TRANSACTION_ROLLED_BACK"
    assert await sim.balance(player["player_id"]) == 1000


async def test_win_closes_round_and_nothing_more_is_accepted(sim: Sim) -> None:
    player = await sim.create_player(1000)
    bet = op(player, amount=100)
    await wallet_call(sim, "bet", bet)
    win = op(player, amount=250, round_closed=True, reference_transaction_id=bet["transaction_id"])
    assert (await wallet_call(sim, "win", win)).body["balance"] == 1150
    late_bet = await wallet_call(sim, "bet", op(player, amount=100))
    assert late_bet.status == 409 and late_bet.body["error"]["code"] == "ROUND_CLOSED"
    rollback = await wallet_call(sim, "rollback", op(player, reference_transaction_id=bet["transaction_id"]))
    assert rollback.status == 409 and rollback.body["error"]["code"] == "ROUND_CLOSED"
    assert await sim.balance(player["player_id"]) == 1150


async def test_win_for_unknown_bet_is_refused(sim: Sim) -> None:
    player = await sim.create_player(1000)
    reply = await wallet_call(sim, "win", op(player, amount=50, reference_transaction_id="no-such-bet"))
    assert reply.status == 404 and reply.body["error"]["code"] == "TRANSACTION_NOT_FOUND"
    assert await sim.balance(player["player_id"]) == 1000


async def test_unknown_and_foreign_session_tokens_are_refused(sim: Sim) -> None:
    player = await sim.create_player(1000)
    other = await sim.create_player(1000)
    for token in ("not-a-token", other["token"]):
        reply = await wallet_call(sim, "bet", op(player, session_id=token))
        assert reply.status == 401 and reply.body["error"]["code"] == "INVALID_SESSION"
    assert await sim.balance(player["player_id"]) == 1000


async def test_wrong_currency_and_blocked_player_are_refused(sim: Sim) -> None:
    player = await sim.create_player(1000)
    reply = await wallet_call(sim, "bet", op(player, currency="EUR"))
    assert reply.body["error"]["code"] == "CURRENCY_MISMATCH"
    blocked = await sim.create_player(1000, blocked=True)
    reply = await wallet_call(sim, "bet", op(blocked))
    assert reply.status == 403 and reply.body["error"]["code"] == "PLAYER_BLOCKED"
    assert await sim.balance(blocked["player_id"]) == 1000


async def test_fifty_concurrent_bets_never_overdraw(sim: Sim) -> None:
    player = await sim.create_player(1000)
    bets = [op(player, amount=100, round_id=f"r{i}") for i in range(50)]
    replies = await asyncio.gather(*(wallet_call(sim, "bet", b) for b in bets))
    accepted = [r for r in replies if r.status == 200]
    refused = [r for r in replies if r.status == 402]
    assert len(accepted) == 10 and len(refused) == 40
    assert await sim.balance(player["player_id"]) == 0


async def test_concurrent_duplicates_apply_once(sim: Sim) -> None:
    player = await sim.create_player(1000)
    bet = op(player, amount=100)
    await wallet_call(sim, "bet", bet)
    win = op(player, amount=500, round_closed=True, reference_transaction_id=bet["transaction_id"])
    replies = await asyncio.gather(*(wallet_call(sim, "win", win) for _ in range(20)))
    assert {r.status for r in replies} == {200}
    assert {r.body["balance"] for r in replies} == {1400}
    assert await sim.balance(player["player_id"]) == 1400


async def test_expired_session_refuses_bets_but_accepts_wins_and_rollbacks(settings: Any) -> None:
    from simulator.clock import ManualClock
    from tests.harness import running_sim

    clock = ManualClock()
    async with running_sim(settings, clock=clock) as sim:
        player = await sim.create_player(1000, token_ttl=60)
        first = op(player, amount=100, round_id="a")
        second = op(player, amount=200, round_id="b")
        assert (await wallet_call(sim, "bet", first)).status == 200
        assert (await wallet_call(sim, "bet", second)).status == 200
        clock.advance(61)
        refused = await wallet_call(sim, "bet", op(player, amount=100, round_id="c"))
        assert refused.status == 401 and refused.body["error"]["code"] == "SESSION_EXPIRED"
        win = op(player, amount=300, round_id="a", round_closed=True, reference_transaction_id=first["transaction_id"])
        assert (await wallet_call(sim, "win", win)).body["balance"] == 1000
        rollback = op(player, round_id="b", reference_transaction_id=second["transaction_id"])
        assert (await wallet_call(sim, "rollback", rollback)).body["balance"] == 1200
        assert await sim.balance(player["player_id"]) == 1200

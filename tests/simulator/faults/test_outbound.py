"""Outbound faults against the real reference wallet: what the simulator sees, and what the wallet applied."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from simulator.dialects.call import WalletRequest
from simulator.errors import WalletError, WalletProtocolError, WalletRefused, WalletTimeout, WalletUnavailable
from simulator.faults.outbound import REQUEST_FAULTS, _spoil_credentials
from simulator.faults.rules import FaultRule, each_request
from simulator.faults.ruleset import FaultSet
from tests.simulator.faults.conftest import SECRET, WalletWorld, op


def rule(action: dict[str, Any], operation: str = "bet", **schedule: Any) -> dict[str, Any]:
    return {"id": "r", "match": {"side": "outbound", "operation": operation}, "action": action, "schedule": schedule}


async def test_without_rules_calls_are_journaled_and_counted(wallet: WalletWorld) -> None:
    player = await wallet.player()
    reply = await wallet.client.call(op(player, "bet", "t1"))
    assert reply.balance == 9_900
    [entry] = wallet.journal.query()
    assert entry["side"] == "outbound" and entry["operation"] == "bet" and entry["response"]["status"] == 200
    assert entry["request"]["headers"]["X-Casino-Sim-Signature"] == "[redacted]"
    assert (
        wallet.metrics.value("casino_sim_wallet_calls_total", studio="studio-001", operation="bet", outcome="ok") == 1
    )
    assert SECRET not in json.dumps(wallet.journal.query())


async def test_delay_is_recorded_not_waited(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "delay", "seconds": 1.5}))
    assert (await wallet.client.call(op(player, "bet", "t1"))).balance == 9_900
    assert wallet.sleep.calls == [1.5]
    assert wallet.journal.query()[0]["elapsed"] == 1.5
    assert wallet.metrics.value("casino_sim_faults_injected_total", rule="r", side="outbound", action="delay") == 1


async def test_a_delay_past_the_timeout_is_applied_by_the_wallet_but_times_out(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "delay", "seconds": 9}))
    with pytest.raises(WalletTimeout):
        await wallet.client.call(op(player, "bet", "t1"))
    assert wallet.sleep.calls == [5.0]
    assert await wallet.balance(player["player_id"]) == 9_900


@pytest.mark.parametrize(
    ("action", "error", "applied"),
    [
        pytest.param({"type": "status", "status": 500}, WalletError, False, id="500-not-delivered"),
        pytest.param({"type": "status", "status": 503, "deliver": True}, WalletError, True, id="503-after-applying"),
        pytest.param({"type": "status", "status": 502, "body": "<html>"}, WalletError, False, id="html-502"),
        pytest.param({"type": "lose"}, WalletTimeout, False, id="lose"),
        pytest.param({"type": "timeout"}, WalletTimeout, True, id="reply-treated-as-timeout"),
        pytest.param({"type": "timeout", "deliver": False}, WalletTimeout, False, id="timeout-not-sent"),
        pytest.param({"type": "reset"}, WalletUnavailable, False, id="reset-before-sending"),
        pytest.param({"type": "reset", "deliver": True}, WalletUnavailable, True, id="reset-after-applying"),
        pytest.param({"type": "bad_signature"}, WalletRefused, False, id="bad-signature"),
        pytest.param({"type": "clock_skew", "seconds": -900}, WalletRefused, False, id="stale-timestamp"),
        pytest.param({"type": "malformed_body"}, WalletRefused, False, id="negative-amount"),
        pytest.param({"type": "malformed_body", "how": "truncate"}, WalletRefused, False, id="truncated-body"),
        pytest.param({"type": "malformed_body", "how": "garbage"}, WalletRefused, False, id="garbage-body"),
    ],
)
async def test_failures_map_to_wallet_errors(
    wallet: WalletWorld, action: dict[str, Any], error: type[Exception], applied: bool
) -> None:
    player = await wallet.player()
    wallet.use(rule(action))
    with pytest.raises(error) as caught:
        await wallet.client.call(op(player, "bet", "t1"))
    if error is WalletError:
        assert not isinstance(caught.value, WalletRefused)
    assert await wallet.balance(player["player_id"]) == (9_900 if applied else 10_000)


async def test_refusals_carry_the_wallets_code(wallet: WalletWorld) -> None:
    player = await wallet.player()
    for action, code in (
        ({"type": "bad_signature"}, "INVALID_SIGNATURE"),
        ({"type": "clock_skew", "seconds": -900}, "INVALID_SIGNATURE"),
        ({"type": "malformed_body", "field": "currency", "value": "EUR"}, "CURRENCY_MISMATCH"),
    ):
        wallet.use(rule(action))
        with pytest.raises(WalletRefused) as caught:
            await wallet.client.call(op(player, "bet", f"t-{code}-{action['type']}"))
        assert caught.value.code == code


async def test_a_small_skew_is_inside_the_window(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "clock_skew", "seconds": -30}))
    assert (await wallet.client.call(op(player, "bet", "t1"))).balance == 9_900
    stamp = wallet.journal.query()[0]["request"]["headers"]["X-Casino-Sim-Timestamp"]
    assert int(stamp) == int(wallet.clock.now()) - 30


async def test_a_reset_is_retried_once_with_the_same_ids(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "reset", "deliver": True}, first=1, per="transaction"))
    assert (await wallet.client.call(op(player, "bet", "t1"))).balance == 9_900
    entries = wallet.journal.query()
    assert [e["faults"] for e in entries] == [["r:reset"], []]
    sent = [json.loads(e["request"]["body"]) for e in entries]
    assert sent[0]["transaction_id"] == sent[1]["transaction_id"] and sent[0]["request_id"] != sent[1]["request_id"]
    assert [e["kind"] for e in await wallet.ledger()] == ["bet"]


async def test_duplicates_apply_once(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "duplicate", "copies": 4}))
    assert (await wallet.client.call(op(player, "bet", "t1"))).balance == 9_900
    wallet.use(rule({"type": "duplicate", "copies": 3, "spacing": 0.2}, operation="win"))
    call = op(player, "win", "t2", 250, reference_transaction_id="t1", round_closed=True)
    assert (await wallet.client.call(call)).balance == 10_150
    assert wallet.sleep.calls == [0.2, 0.2]
    assert [e["kind"] for e in await wallet.ledger()] == ["bet", "win"]
    assert len(wallet.journal.query(operation="bet")) == 4
    assert {e["response"]["status"] for e in wallet.journal.query()} == {200}


async def test_rollback_before_bet(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "reorder"}))
    with pytest.raises(WalletTimeout):
        await wallet.client.call(op(player, "bet", "t1"))
    assert wallet.hook.held == 1
    await wallet.client.call(op(player, "rollback", "t2", reference_transaction_id="t1", round_closed=True))
    assert wallet.hook.held == 0
    released = wallet.journal.query()[-1]
    assert released["operation"] == "bet" and "released out of order" in released["notes"]
    assert json.loads(released["response"]["body"])["error"]["code"] == "TRANSACTION_ROLLED_BACK"
    assert await wallet.balance(player["player_id"]) == 10_000


async def test_win_before_bet(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "reorder", "reply": "ack"}))
    assert (await wallet.client.call(op(player, "bet", "t1"))).balance == 0
    with pytest.raises(WalletRefused) as caught:
        await wallet.client.call(op(player, "win", "t2", 300, reference_transaction_id="t1", round_closed=True))
    assert caught.value.code == "TRANSACTION_NOT_FOUND"
    assert [e["kind"] for e in await wallet.ledger()] == ["bet"]
    assert await wallet.balance(player["player_id"]) == 9_900
    assert wallet.hook.fabricated == {"t1": "acked"}


async def test_a_made_up_acceptance_is_checked_against_the_wallet(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "reorder", "reply": "ack"}))
    await wallet.client.call(op(player, "bet", "t1"))
    assert wallet.hook.fabricated == {"t1": "pending"}
    await wallet.client.call(op(player, "rollback", "t2", reference_transaction_id="t1", round_closed=True))
    assert wallet.hook.fabricated == {"t1": "refused"}  # the rollback's tombstone refuses the late bet
    assert await wallet.balance(player["player_id"]) == 10_000


async def test_flush_delivers_what_is_still_held(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "reorder", "reply": "ack"}))
    await wallet.client.call(op(player, "bet", "t1"))
    await wallet.hook.flush()
    assert wallet.hook.held == 0
    assert await wallet.balance(player["player_id"]) == 9_900


async def test_per_request_faults_apply_only_inside_their_context(wallet: WalletWorld) -> None:
    player = await wallet.player()
    chosen = FaultSet([FaultRule.model_validate(rule({"type": "lose"}))], clock=wallet.clock, rng=wallet.faults.rng)
    token = REQUEST_FAULTS.set(chosen)
    try:
        with pytest.raises(WalletTimeout):
            await wallet.client.call(op(player, "bet", "t1"))
    finally:
        REQUEST_FAULTS.reset(token)
    assert (await wallet.client.call(op(player, "bet", "t2"))).balance == 9_900


async def test_unreadable_reply_is_a_protocol_error(wallet: WalletWorld) -> None:
    player = await wallet.player()
    wallet.use(rule({"type": "status", "status": 400, "body": "not json"}))
    with pytest.raises(WalletProtocolError):
        await wallet.client.call(op(player, "bet", "t1"))
    assert (
        wallet.metrics.value(
            "casino_sim_wallet_calls_total", studio="studio-001", operation="bet", outcome="protocol_error"
        )
        == 1
    )


@pytest.mark.parametrize(
    ("request_", "where"),
    [
        pytest.param(
            WalletRequest("http://w/bet", {"X-Sim-Signature": "abc1"}, b"{}"), "header", id="signature-header"
        ),
        pytest.param(
            WalletRequest("http://w/bet", {"Content-Type": "application/x-www-form-urlencoded"}, b"userId=p&hash=abc1"),
            "body",
            id="md5-form-hash",
        ),
        pytest.param(WalletRequest("http://w/debit?authToken=abc1", {}, b"{}"), "url", id="token-query"),
    ],
)
def test_bad_signature_finds_what_authenticates_each_dialect(request_: WalletRequest, where: str) -> None:
    chain = dataclasses.replace(request_, then=request_)  # a dialect's second request is spoiled too
    spoiled = each_request(chain, lambda r: _spoil_credentials(r, None))
    for after in (spoiled, spoiled.then):
        assert after is not None
        changed = {
            "header": after.headers != request_.headers,
            "body": after.body != request_.body,
            "url": after.url != request_.url,
        }
        assert [k for k, v in changed.items() if v] == [where]

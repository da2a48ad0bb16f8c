"""The invariants on hand-made evidence: each one passes on a clean log and fails on the fault it exists to catch."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.faults.invariants import (
    Evidence,
    balances_match,
    expected_balances,
    no_double_debit,
    p99,
    refunds_follow_debits,
    rounds_settled,
)
from simulator.store.provider import Round, Transaction


def tx(
    tid: str, kind: str, amount: int, status: str = "acked", ref: str | None = None, round_id: str = "r1"
) -> Transaction:
    return Transaction(
        seq=0,
        transaction_id=tid,
        round_id=round_id,
        kind=kind,
        player_id="p",
        session_token="s",
        wallet_session="w",
        game_id="g",
        studio_id="s1",
        currency="USD",
        amount=amount,
        round_closed=kind != "bet",
        reference_transaction_id=ref,
        status=status,
        attempts=1,
        next_attempt_at=0.0,
        last_error=None,
        balance_after=None,
        created_at=0.0,
        updated_at=0.0,
    )


def entry(tid: str, kind: str, amount: int, round_id: str = "r1") -> dict[str, Any]:
    return {"transaction_id": tid, "kind": kind, "amount": amount, "round_id": round_id, "player_id": "p"}


def rnd(status: str, took: float = 1.0, round_id: str = "r1") -> Round:
    return Round(
        round_id=round_id,
        session_token="s",
        player_id="p",
        game_id="g",
        studio_id="s1",
        engine_id="dice",
        currency="USD",
        stake=100,
        win=0,
        status=status,
        params={},
        outcome={},
        server_seed_hash="h",
        client_seed="c",
        nonce=1,
        version=0,
        created_at=10.0,
        updated_at=10.0 + took,
    )


LOGS = [
    pytest.param([tx("b", "bet", 100), tx("w", "win", 250, ref="b")], 1150, [], id="bet-and-win"),
    pytest.param(
        [tx("b", "bet", 100, "failed"), tx("x", "rollback", 100, ref="b")], 1000, [], id="unknown-bet-refunded"
    ),
    pytest.param([tx("b", "bet", 100, "refused")], 1000, [], id="refused-bet"),
    pytest.param([tx("b", "bet", 100), tx("w", "win", 250, "pending", ref="b")], 900, [], id="win-still-owed"),
    pytest.param(
        [tx("b", "bet", 100, "failed"), tx("x", "rollback", 100, "pending", ref="b")], 1000, ["b"], id="limbo"
    ),
]


@pytest.mark.parametrize(("log", "balance", "limbo"), LOGS)
def test_expected_balances(log: list[Transaction], balance: int, limbo: list[str]) -> None:
    expected, unknown = expected_balances(log, {"p": 1000})
    assert expected == {"p": balance}
    assert [u.split()[1] for u in unknown] == limbo


def evidence(
    log: list[Transaction], ledger: list[dict[str, Any]] | None, balance: int, rounds: tuple[Round, ...] = ()
) -> Evidence:
    return Evidence(log, list(rounds), ledger, {"p": 1000}, {"p": balance})


def test_balances_match_and_catch_a_difference() -> None:
    log = [tx("b", "bet", 100), tx("w", "win", 250, ref="b")]
    assert balances_match(evidence(log, None, 1150)).ok is True
    failed = balances_match(evidence(log, None, 1050))
    assert failed.ok is False and "wallet 1050 != log 1150" in failed.detail


def test_money_in_limbo_fails() -> None:
    log = [tx("b", "bet", 100, "failed"), tx("x", "rollback", 100, "abandoned", ref="b")]
    assert balances_match(evidence(log, None, 1000)).ok is False


def test_double_debits_are_caught() -> None:
    log = [tx("b", "bet", 100)]
    assert no_double_debit(evidence(log, [entry("b", "bet", 100)], 900)).ok is True
    twice = no_double_debit(evidence(log, [entry("b", "bet", 100), entry("b", "bet", 100)], 800))
    assert twice.ok is False and "applied 2 times" in twice.detail
    over = no_double_debit(evidence(log, [entry("b", "bet", 100), entry("b2", "bet", 100)], 800))
    assert over.ok is False and "debited 200 > bet 100" in over.detail
    assert no_double_debit(evidence(log, None, 900)).ok is None


def test_refunds_must_follow_their_debit() -> None:
    log = [tx("b", "bet", 100, "failed"), tx("x", "rollback", 100, ref="b")]
    bet, refund = entry("b", "bet", 100), entry("x", "rollback", 100) | {"reference_transaction_id": "b"}
    assert refunds_follow_debits(evidence(log, [bet, refund], 1000)).ok is True
    assert refunds_follow_debits(evidence(log, [refund | {"amount": 0}, bet], 900)).ok is True
    early = refunds_follow_debits(evidence(log, [refund, bet], 1000))
    assert early.ok is False and "which had taken 0" in early.detail


def test_rounds_must_end_in_time() -> None:
    assert rounds_settled(evidence([], None, 0, (rnd("closed"), rnd("void", round_id="r2"))), 5, allow_manual=False).ok
    assert rounds_settled(evidence([], None, 0, (rnd("settling"),)), 5, allow_manual=False).ok is False
    assert rounds_settled(evidence([], None, 0, (rnd("closed", took=9),)), 5, allow_manual=False).ok is False
    assert rounds_settled(evidence([], None, 0, (rnd("closed", took=9),)), None, allow_manual=False).ok
    manual = evidence([], None, 0, (rnd("manual"),))
    assert rounds_settled(manual, 5, allow_manual=False).ok is False
    assert rounds_settled(manual, 5, allow_manual=True).ok


def test_p99() -> None:
    assert p99([]) == 0.0
    assert p99([float(i) for i in range(1, 101)]) == 99.0
    assert p99([1.0] * 98 + [7.0, 8.0]) == 7.0

"""The campaign invariants on hand-made evidence: each passes on a clean run and fails on what it exists to catch."""

from __future__ import annotations

import dataclasses
from typing import Any

from simulator.bonus import context
from simulator.faults.invariants import Evidence, balances_match, no_campaign_paid_twice, no_free_round_lost
from tests.simulator.faults.test_invariants import tx


def share(**fields: Any) -> dict[str, Any]:
    return {
        "player_id": "p",
        "rounds_left": 0,
        "rounds_in_flight": 0,
        "rounds_played": 3,
        "total_win": 700,
        "status": "closed",
        "payout_transaction_id": "total-1",
    } | fields


def campaign(**fields: Any) -> dict[str, Any]:
    return {"campaign_id": "c1", "rounds": 3, "status": "active", "players": [share()]} | fields


def win(tid: str, amount: int, campaign_id: str | None = "c1") -> dict[str, Any]:
    return {"transaction_id": tid, "kind": "win", "amount": amount, "player_id": "p", "campaign_id": campaign_id}


def evidence(ledger: list[dict[str, Any]], campaigns: list[dict[str, Any]]) -> Evidence:
    return Evidence([], [], ledger, {"p": 0}, {"p": 0}, campaigns=campaigns)


def test_a_total_paid_once_passes_and_twice_fails() -> None:
    assert no_campaign_paid_twice(evidence([win("total-1", 700)], [campaign()])).ok is True
    twice = evidence([win("total-1", 700), win("total-1", 700)], [campaign()])
    check = no_campaign_paid_twice(twice)
    assert check.ok is False and "paid 1400" in check.detail
    assert no_campaign_paid_twice(evidence([], [campaign()])).ok is False  # never paid at all
    other = evidence([win("total-1", 700, campaign_id=None)], [campaign()])  # paid without naming the campaign
    assert no_campaign_paid_twice(other).ok is False


def test_a_lost_or_stuck_free_round_fails() -> None:
    assert no_free_round_lost(evidence([], [campaign()])).ok is True
    lost = campaign(players=[share(rounds_played=2)])
    assert no_free_round_lost(evidence([], [lost])).ok is False
    stuck = campaign(players=[share(rounds_played=2, rounds_in_flight=1)])
    assert no_free_round_lost(evidence([], [stuck])).ok is False
    unclosed = campaign(players=[share(status="active")])
    assert no_free_round_lost(evidence([], [unclosed])).ok is False


def test_balances_count_free_round_wins_as_bonus_money_and_promos_as_cash() -> None:
    free = dataclasses.replace(tx("w1", "win", 500), bonus=context.free_round("c1", 100))
    promo = dataclasses.replace(tx("w2", "win", 300, round_id="r2"), bonus=context.promo("ref", "tournament"))
    ok = Evidence([free, promo], [], [], {"p": 1_000}, {"p": 1_300})
    assert balances_match(ok).ok is True
    cashed = Evidence([free, promo], [], [], {"p": 1_000}, {"p": 1_800})  # a wallet that paid the free win as cash
    assert balances_match(cashed).ok is False

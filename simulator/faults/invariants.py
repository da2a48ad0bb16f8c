"""What must hold after a scenario, whatever the faults did. Pure functions over what the run collected.

- ``balances_match``: every player's wallet balance is its start minus the bets the wallet acknowledged, plus the wins
  it acknowledged, plus refunds of acknowledged bets. A bet whose fate was unknown counts for nothing once its rollback
  is acknowledged (it was either never applied, or applied and refunded); while that rollback is unacknowledged the
  money is in limbo, which fails the check.
- ``no_double_debit``: the wallet applied no transaction twice, and never debited a round more than the provider bet.
- ``refunds_follow_debits``: the wallet never refunded a bet it had not taken (money from nowhere, even if the late bet
  arriving afterwards evens the balance out).
- ``ledger_reconciles``: the provider's transaction log and the wallet's ledger agree entry for entry
  (``simulator.settlement.reconcile``, the comparison behind ``casino-sim reconcile``).
- ``rounds_settled``: every round ended (closed, rolled back, or void when the bet was refused) within the stated time.

With free-round campaigns in the run (``free_rounds`` traffic), two more:

- ``no_campaign_paid_twice``: each player's campaign winnings reached the wallet exactly once: the wallet's wins naming
  the campaign add up to what the provider counted the player's rounds winning, and a ``total`` campaign's sum is one
  entry;
- ``no_free_round_lost``: every round granted is played or still there to play (none stuck in flight, none consumed by
  a bet the wallet refused or that was rolled back), and a share with nothing left to play is closed.

Balances count cash only: wins carrying a free round or a campaign total go to the bonus balance, as the reference
wallet credits them (docs/bonus.md); promotional wins are cash.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.bonus import context
from simulator.faults.scenario import Range, Scenario
from simulator.settlement.reconcile import LedgerFileError, ProviderRecord, reconcile, wallet_record
from simulator.store.provider import Round, Transaction

FINAL = frozenset({"closed", "rolled_back", "void"})
SHOWN = 5  # offenders listed in a failure's detail


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool | None  # None: could not be checked (e.g. the wallet has no ledger export)
    detail: str

    @property
    def label(self) -> str:
        return {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]


@dataclass
class Evidence:
    transactions: Sequence[Transaction]
    rounds: Sequence[Round]
    ledger: Sequence[Mapping[str, Any]] | None
    starts: Mapping[str, int]
    balances: Mapping[str, int]
    responses: Mapping[str, int] = field(default_factory=dict)
    faults: Mapping[str, int] = field(default_factory=dict)
    wallet_latencies: Sequence[float] = ()
    feeds: Sequence[Any] = ()
    campaigns: Sequence[Mapping[str, Any]] = ()  # as GET /v1/campaigns/{id} answers, with their players


def _listing(items: Sequence[str]) -> str:
    more = f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def expected_balances(
    transactions: Sequence[Transaction], starts: Mapping[str, int]
) -> tuple[dict[str, int], list[str]]:
    """Balances the provider's log implies, and the transactions whose effect is still unknown."""
    by_id = {t.transaction_id: t for t in transactions}
    expected = dict(starts)
    limbo = []
    refunded = {t.reference_transaction_id for t in transactions if t.kind == "rollback" and t.status == "acked"}
    for t in transactions:
        if t.player_id not in expected:
            continue
        if t.kind == "bet":
            if t.status == "acked":
                expected[t.player_id] -= t.amount
            elif t.status in ("failed", "pending") and t.transaction_id not in refunded:
                limbo.append(f"bet {t.transaction_id} ({t.status}, rollback not acknowledged)")
        elif t.kind == "win" and t.status == "acked" and _cash(t):
            expected[t.player_id] += t.amount
        elif t.kind == "rollback" and t.status == "acked":
            bet = by_id.get(t.reference_transaction_id or "")
            if bet is not None and bet.status == "acked":
                expected[t.player_id] += bet.amount
    return expected, limbo


def _cash(t: Transaction) -> bool:
    bonus = context.decode(t.bonus)
    return bonus is None or bonus.get("type") in context.CASH_TYPES


def no_campaign_paid_twice(evidence: Evidence) -> Check:
    if evidence.ledger is None:
        return Check("no_campaign_paid_twice", None, "the wallet has no ledger export")
    paid: dict[tuple[str, str], int] = defaultdict(int)
    totals: Counter[tuple[str, str]] = Counter()
    for e in evidence.ledger:
        if e["kind"] == "win" and e.get("campaign_id") and int(e["amount"]):
            key = (str(e["campaign_id"]), str(e["player_id"]))
            paid[key] += int(e["amount"])
    payout_ids = {
        str(p["payout_transaction_id"]): (str(c["campaign_id"]), str(p["player_id"]))
        for c in evidence.campaigns
        for p in c["players"]
        if p["payout_transaction_id"]
    }
    for e in evidence.ledger:
        if str(e["transaction_id"]) in payout_ids:
            totals[payout_ids[str(e["transaction_id"])]] += 1
    wrong = []
    for c in evidence.campaigns:
        for p in c["players"]:
            key = (str(c["campaign_id"]), str(p["player_id"]))
            if paid.get(key, 0) != int(p["total_win"]):
                wrong.append(f"{key[1]} on {key[0]}: wallet paid {paid.get(key, 0)}, rounds won {p['total_win']}")
            if totals[key] > 1:
                wrong.append(f"{key[1]} on {key[0]}: the campaign total is {totals[key]} entries")
    if wrong:
        return Check("no_campaign_paid_twice", False, _listing(wrong))
    shares = sum(len(c["players"]) for c in evidence.campaigns)
    return Check("no_campaign_paid_twice", True, f"{shares} players' campaign winnings each paid once, in full")


def no_free_round_lost(evidence: Evidence) -> Check:
    wrong = []
    for c in evidence.campaigns:
        for p in c["players"]:
            who = f"{p['player_id']} on {c['campaign_id']}"
            counted = p["rounds_played"] + p["rounds_left"] + p["rounds_in_flight"]
            if c["status"] == "active" and counted != c["rounds"]:
                wrong.append(f"{who}: {counted} of {c['rounds']} rounds accounted for")
            if p["rounds_in_flight"]:
                wrong.append(f"{who}: {p['rounds_in_flight']} rounds still in flight")
            if p["rounds_left"] == 0 and p["status"] != "closed":
                wrong.append(f"{who}: nothing left to play, yet the share is {p['status']}")
    if wrong:
        return Check("no_free_round_lost", False, _listing(wrong))
    played = sum(p["rounds_played"] for c in evidence.campaigns for p in c["players"])
    return Check("no_free_round_lost", True, f"{played} free rounds played, every granted round accounted for")


def balances_match(evidence: Evidence) -> Check:
    expected, limbo = expected_balances(evidence.transactions, evidence.starts)
    wrong = [
        f"{pid}: wallet {evidence.balances.get(pid)} != log {want}"
        for pid, want in sorted(expected.items())
        if evidence.balances.get(pid) != want
    ]
    if wrong or limbo:
        return Check("balances_match", False, _listing(wrong + limbo))
    return Check("balances_match", True, f"{len(expected)} players at start - acked bets + acked wins + refunds")


def no_double_debit(evidence: Evidence) -> Check:
    if evidence.ledger is None:
        return Check("no_double_debit", None, "the wallet has no ledger export; only balances were compared")
    counts = Counter(str(e["transaction_id"]) for e in evidence.ledger)
    twice = [f"{tx} applied {n} times" for tx, n in counts.items() if n > 1]
    provider_bets: dict[str, int] = defaultdict(int)
    for t in evidence.transactions:
        if t.kind == "bet":
            provider_bets[t.round_id] += t.amount
    debited: dict[str, int] = defaultdict(int)
    for e in evidence.ledger:
        if e["kind"] == "bet":
            debited[str(e["round_id"])] += int(e["amount"])
    over = [
        f"round {r} debited {d} > bet {provider_bets.get(r, 0)}"
        for r, d in debited.items()
        if d > provider_bets.get(r, 0)
    ]
    if twice or over:
        return Check("no_double_debit", False, _listing(twice + over))
    bets = sum(1 for e in evidence.ledger if e["kind"] == "bet")
    return Check("no_double_debit", True, f"{bets} debits, each applied once and within its round's stake")


def refunds_follow_debits(evidence: Evidence) -> Check:
    if evidence.ledger is None:
        return Check("refunds_follow_debits", None, "the wallet has no ledger export")
    taken: dict[str, int] = {}
    wrong = []
    for e in evidence.ledger:  # in ledger order
        if e["kind"] == "bet":
            taken[str(e["transaction_id"])] = int(e["amount"])
        elif e["kind"] == "rollback" and int(e["amount"]) > 0:
            ref = str(e.get("reference_transaction_id"))
            had = taken.get(ref, 0)
            if int(e["amount"]) > had:
                wrong.append(
                    f"rollback {e['transaction_id']} refunded {e['amount']} of bet {ref}, which had taken {had}"
                )
    if wrong:
        return Check("refunds_follow_debits", False, _listing(wrong))
    refunds = sum(1 for e in evidence.ledger if e["kind"] == "rollback" and int(e["amount"]) > 0)
    return Check("refunds_follow_debits", True, f"{refunds} refunds, each of a stake the wallet had taken")


def ledger_reconciles(evidence: Evidence) -> Check:
    """The settlement package's reconciliation (``casino-sim reconcile``), over what the run collected."""
    if evidence.ledger is None:
        return Check("ledger_reconciles", None, "the wallet has no ledger export")
    provider = [ProviderRecord.of(t) for t in evidence.transactions]
    try:
        wallet = [wallet_record(e, f"ledger entry {i}") for i, e in enumerate(evidence.ledger)]
    except LedgerFileError as exc:
        return Check("ledger_reconciles", False, f"the wallet's ledger export is unreadable: {exc}")
    report = reconcile(provider, wallet)
    if report.differences:
        differences = [
            f"{d.kind} {d.transaction_id}: {d.detail}" for d in report.missing + report.extra + report.mismatched
        ]
        return Check("ledger_reconciles", False, _listing(differences))
    return Check(
        "ledger_reconciles",
        True,
        f"{report.matched} of {report.provider_transactions} provider transactions matched, no differences",
    )


def rounds_settled(evidence: Evidence, within: float | None, *, allow_manual: bool) -> Check:
    final = FINAL | {"manual"} if allow_manual else FINAL
    open_ = [f"{r.round_id} {r.status}" for r in evidence.rounds if r.status not in final]
    late = [
        f"{r.round_id} took {r.updated_at - r.created_at:.1f}s"
        for r in evidence.rounds
        if r.status in final and within is not None and r.updated_at - r.created_at > within
    ]
    if open_ or late:
        return Check("rounds_settled", False, _listing(open_ + late))
    limit = f" within {within:g}s" if within is not None else ""
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(Counter(r.status for r in evidence.rounds).items()))
    return Check("rounds_settled", True, f"every round ended{limit}: {statuses or 'no rounds'}")


def _bounded(name: str, observed: Mapping[str, int | float], wanted: Mapping[str, Range]) -> list[Check]:
    return [
        Check(
            f"{name}[{key}]",
            bound.holds(observed.get(key, 0)),
            f"{observed.get(key, 0)} (want {bound})",
        )
        for key, bound in sorted(wanted.items())
    ]


def p99(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[math.ceil(0.99 * len(ordered)) - 1]  # nearest rank


def check_all(scenario: Scenario, evidence: Evidence) -> list[Check]:
    expect = scenario.expect
    checks = [
        ledger_reconciles(evidence),
        no_double_debit(evidence),
        refunds_follow_debits(evidence),
        balances_match(evidence),
        rounds_settled(evidence, expect.settled_within, allow_manual=expect.allow_manual),
    ]
    if evidence.campaigns:
        checks += [no_campaign_paid_twice(evidence), no_free_round_lost(evidence)]
    checks += _bounded("rounds", Counter(r.status for r in evidence.rounds), expect.rounds)
    checks += _bounded("responses", evidence.responses, expect.responses)
    checks += _bounded("faults", evidence.faults, expect.faults)
    if expect.wallet_p99 is not None:
        value = p99(evidence.wallet_latencies)
        checks.append(Check("wallet_p99", expect.wallet_p99.holds(value), f"{value:.3f}s (want {expect.wallet_p99})"))
    if expect.feed_complete:
        incomplete = [i for i, read in enumerate(evidence.feeds) if not read.complete]
        missing = sum(read.missing_retry_after for read in evidence.feeds)
        retries = sum(read.retries for read in evidence.feeds)
        ok = bool(evidence.feeds) and not incomplete and not missing
        detail = f"{len(evidence.feeds)} reads, {retries} retries, {missing} refusals without Retry-After"
        checks.append(Check("feed_complete", ok, detail + (f", incomplete reads {incomplete}" if incomplete else "")))
    return checks

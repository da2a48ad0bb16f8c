"""Reconciliation: compare the provider's transaction log with a wallet's ledger, transaction by transaction.

Pure: records in, a ``Report`` out. ``casino-sim reconcile`` (``simulator.commands.reconcile``) fetches the
records.

What each provider status says the wallet must hold:

- ``acked``: the wallet applied it, so its ledger has the same transaction (kind, player, round, currency,
  amount, referenced bet); absent is **missing**, different is **mismatched**. A rollback's amount in a ledger
  is what it gave back: the bet's stake when the wallet holds that bet, else 0. A rollback the wallet answered
  ``TRANSACTION_NOT_FOUND``/``TRANSACTION_ROLLED_BACK`` gave nothing back and may be absent, and so may a win
  of 0 (it moves no money, and dialects such as md5_form close a lost round with an end-round call alone);
- ``refused``: the wallet said no, so its ledger must not hold it; present is **extra**;
- ``pending``, ``failed`` (a bet whose outcome is unknown; its rollback decides), ``abandoned``: not known, so
  not a difference; their rounds are listed among the **open rounds**, each unsettled transaction marked with
  whether the wallet holds it, which is what a person settling it by hand needs.

Any other ledger entry of kind bet, win or rollback that the provider never logged is **extra**, unless it
belongs to a transaction the provider logged after its log was read (``late``). Entries of other kinds
(deposits, bonus credits) are the wallet's own business and ignored. A transaction id twice in a ledger is
**mismatched**: the wallet applied it twice.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

from simulator.jsonbytes import loads
from simulator.lifecycle import FINAL_ROUND_STATUSES

if TYPE_CHECKING:
    from simulator.store.provider import Transaction

KINDS = frozenset({"bet", "win", "rollback"})
UNKNOWN_FATE = frozenset({"pending", "failed", "abandoned"})
NOTHING_TO_ROLL_BACK = frozenset({"TRANSACTION_NOT_FOUND", "TRANSACTION_ROLLED_BACK"})
REQUIRED_COLUMNS = ("transaction_id", "kind", "player_id", "round_id", "amount", "currency")
DifferenceKind = Literal["missing", "extra", "mismatched"]


class LedgerFileError(ValueError):
    """A wallet ledger file that does not follow the documented format; the message says where."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A bet, win or rollback as one side holds it: what the provider and the wallet must agree on."""

    transaction_id: str
    kind: str
    player_id: str
    round_id: str
    currency: str
    amount: int
    reference_transaction_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderRecord(Record):
    """The provider's record, with what it knows of the wallet's answer."""

    status: str
    last_error: str | None = None

    @staticmethod
    def of(t: Transaction) -> ProviderRecord:
        """A transaction as the provider's store holds it."""
        return ProviderRecord(**{f.name: getattr(t, f.name) for f in fields(ProviderRecord)})


@dataclass(frozen=True, slots=True, kw_only=True)
class WalletRecord(Record):
    """An entry of the wallet's ledger."""


@dataclass(frozen=True, slots=True)
class RoundState:
    round_id: str
    player_id: str
    status: str


@dataclass(frozen=True, slots=True)
class Difference:
    kind: DifferenceKind
    transaction_id: str
    round_id: str
    player_id: str
    detail: str


@dataclass(frozen=True, slots=True)
class Unsettled:
    transaction_id: str
    kind: str
    status: str
    in_wallet: bool


@dataclass(frozen=True, slots=True)
class OpenRound:
    round_id: str
    player_id: str
    status: str
    unsettled: tuple[Unsettled, ...]


@dataclass(frozen=True)
class Report:
    provider_transactions: int
    wallet_entries: int
    matched: int
    missing: list[Difference] = field(default_factory=list)
    extra: list[Difference] = field(default_factory=list)
    mismatched: list[Difference] = field(default_factory=list)
    open_rounds: list[OpenRound] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.mismatched)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider_transactions": self.provider_transactions,
            "wallet_entries": self.wallet_entries,
            "matched": self.matched,
            "differences": self.differences,
            "missing": [asdict(d) for d in self.missing],
            "extra": [asdict(d) for d in self.extra],
            "mismatched": [asdict(d) for d in self.mismatched],
            "open_rounds": [asdict(r) for r in self.open_rounds],
        }

    def to_text(self, *, listed: int = 20) -> str:
        lines = [
            f"provider transactions {self.provider_transactions}, wallet entries {self.wallet_entries}, "
            f"matched {self.matched}",
            f"missing {len(self.missing)}, extra {len(self.extra)}, mismatched {len(self.mismatched)}, "
            f"open rounds {len(self.open_rounds)}",
        ]
        for title, items in (
            ("missing", self.missing),
            ("extra", self.extra),
            ("mismatched", self.mismatched),
        ):
            for d in items[:listed]:
                lines.append(f"  {title:<10} {d.transaction_id}  round {d.round_id}  player {d.player_id}: {d.detail}")
            if len(items) > listed:
                lines.append(f"  ... and {len(items) - listed} more {title}")
        for r in self.open_rounds[:listed]:
            states = ", ".join(
                f"{u.kind} {u.transaction_id} {u.status} ({'in' if u.in_wallet else 'not in'} wallet)"
                for u in r.unsettled
            )
            lines.append(f"  open       round {r.round_id}  player {r.player_id}  {r.status}: {states or '-'}")
        if len(self.open_rounds) > listed:
            lines.append(f"  ... and {len(self.open_rounds) - listed} more open rounds")
        lines.append("no differences" if not self.differences else f"{self.differences} differences")
        return "\n".join(lines)


def _difference(kind: DifferenceKind, record: Record, detail: str) -> Difference:
    return Difference(kind, record.transaction_id, record.round_id, record.player_id, detail)


def _compare(p: ProviderRecord, w: WalletRecord, wallet: Mapping[str, WalletRecord]) -> str | None:
    """What differs between the provider's record and the wallet's, or None."""
    for name in ("kind", "player_id", "round_id", "currency", "reference_transaction_id"):
        mine, theirs = getattr(p, name), getattr(w, name)
        if mine != theirs:
            return f"{name}: provider {mine!r}, wallet {theirs!r}"
    if p.kind == "rollback":
        bet = wallet.get(p.reference_transaction_id or "")
        expected = bet.amount if bet is not None and bet.kind == "bet" else 0
        if w.amount != expected:
            return f"rollback gave back {w.amount}; the wallet's bet calls for {expected}"
    elif p.amount != w.amount:
        return f"amount: provider {p.amount}, wallet {w.amount}"
    return None


def reconcile(
    provider: Iterable[ProviderRecord],
    wallet: Iterable[WalletRecord],
    rounds: Iterable[RoundState] = (),
    *,
    late: Iterable[str] = (),
) -> Report:
    """Compare; ``rounds`` are the provider's rounds (only unsettled ones matter), ``late`` the ids of
    transactions the provider logged after ``provider`` was read."""
    entries = [w for w in wallet if w.kind in KINDS]
    counts = Counter(w.transaction_id for w in entries)
    by_id = {w.transaction_id: w for w in entries}
    logged = {p.transaction_id: p for p in provider}
    missing: list[Difference] = []
    extra: list[Difference] = []
    mismatched = [
        _difference("mismatched", by_id[txid], f"{n} entries in the wallet ledger: applied {n} times")
        for txid, n in sorted(counts.items())
        if n > 1
    ]
    matched = 0
    for p in logged.values():
        w = by_id.get(p.transaction_id)
        if p.status in UNKNOWN_FATE:
            continue
        if p.status == "refused":
            if w is not None:
                extra.append(
                    _difference(
                        "extra", p, f"the provider recorded the wallet refusing this {p.kind}, yet it is in the ledger"
                    )
                )
            else:
                matched += 1
            continue
        if w is None:
            if (p.kind == "rollback" and p.last_error in NOTHING_TO_ROLL_BACK) or (p.kind == "win" and p.amount == 0):
                matched += 1
            else:
                missing.append(
                    _difference(
                        "missing", p, f"{p.kind} of {p.amount} acknowledged by the wallet but not in its ledger"
                    )
                )
            continue
        detail = _compare(p, w, by_id)
        if detail is None:
            matched += 1
        elif counts[p.transaction_id] == 1:
            mismatched.append(_difference("mismatched", p, detail))
    late_ids = set(late)
    for w in by_id.values():
        if w.transaction_id not in logged and w.transaction_id not in late_ids:
            extra.append(
                _difference("extra", w, f"{w.kind} of {w.amount} in the wallet ledger, never logged by the provider")
            )
    by_round: dict[str, list[ProviderRecord]] = {}
    for p in logged.values():
        by_round.setdefault(p.round_id, []).append(p)
    open_rounds = [
        OpenRound(
            r.round_id,
            r.player_id,
            r.status,
            tuple(
                Unsettled(p.transaction_id, p.kind, p.status, p.transaction_id in by_id)
                for p in by_round.get(r.round_id, [])
                if p.status in UNKNOWN_FATE or (p.status == "refused" and p.kind != "bet")
            ),
        )
        for r in rounds
        if r.status not in FINAL_ROUND_STATUSES
    ]
    return Report(len(logged), len(entries), matched, missing, extra, mismatched, open_rounds)


# reading records


def _text(row: Mapping[str, Any], name: str, where: str, *, optional: bool = False) -> str | None:
    value = row.get(name)
    if value in (None, ""):
        if optional:
            return None
        raise LedgerFileError(f"{where}: {name} is missing")
    if not isinstance(value, str):
        raise LedgerFileError(f"{where}: {name} must be text")
    return value


def _amount(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise LedgerFileError(f"{where}: amount must be an integer count of minor units")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise LedgerFileError(f"{where}: amount {value!r} is not an integer count of minor units")


def wallet_record(row: Mapping[str, Any], where: str) -> WalletRecord:
    """One ledger row (a JSON object or a CSV row, columns as documented) as a ``WalletRecord``. Entries of
    other kinds than bet, win and rollback (deposits, credits) may leave round_id empty."""
    if row.get("kind") not in KINDS and not row.get("round_id"):
        row = {**row, "round_id": "-"}
    values = {name: _text(row, name, where) for name in REQUIRED_COLUMNS if name != "amount"}
    return WalletRecord(
        transaction_id=str(values["transaction_id"]),
        kind=str(values["kind"]),
        player_id=str(values["player_id"]),
        round_id=str(values["round_id"]),
        currency=str(values["currency"]),
        amount=_amount(row.get("amount"), where),
        reference_transaction_id=_text(row, "reference_transaction_id", where, optional=True),
    )


def parse_ledger_file(text: str, file_format: Literal["csv", "json"]) -> list[WalletRecord]:
    """A wallet's ledger from a file: CSV with a header row, or JSON (a list of objects, or an object whose
    ``entries`` is one, as ``GET /wallet/ledger`` answers)."""
    if file_format == "csv":
        reader = csv.DictReader(io.StringIO(text))
        absent = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise LedgerFileError(f"CSV header lacks {', '.join(absent)}")
        return [wallet_record(row, f"line {reader.line_num}") for row in reader]
    try:
        data = loads(text.encode())
    except ValueError as exc:
        raise LedgerFileError(f"not valid JSON: {exc}") from None
    if isinstance(data, dict):
        data = data.get("entries")
    if not isinstance(data, list):
        raise LedgerFileError("JSON must be a list of entries, or an object with an 'entries' list")
    out = []
    for i, row in enumerate(data):
        if not isinstance(row, dict):
            raise LedgerFileError(f"entry {i}: not an object")
        out.append(wallet_record(row, f"entry {i}"))
    return out


def provider_record(row: Mapping[str, Any]) -> ProviderRecord:
    """A transaction as ``GET /v1/transactions`` lists it."""
    return ProviderRecord(
        transaction_id=str(row["transaction_id"]),
        kind=str(row["kind"]),
        player_id=str(row["player_id"]),
        round_id=str(row["round_id"]),
        currency=str(row["currency"]),
        amount=int(row["amount"]),
        status=str(row["status"]),
        reference_transaction_id=row.get("reference_transaction_id"),
        last_error=row.get("last_error"),
    )

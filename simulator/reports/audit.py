"""The audit export: for one round, a player's rounds or the rounds of a time range, everything a regulator or a
dispute needs, as JSON Lines (one JSON object per line).

The first line (``"type": "audit_export"``) says what was selected and from where. Then, per round, oldest first:

- ``round``: stake, win, status, parameters, the stored outcome and its fairness inputs (server seed hash, client
  seed, nonce, and the server seed once revealed, with whether it matches the hash);
- ``transaction``: every wallet operation of the round from the transaction log (durable and complete: status,
  attempts, last error, balance after);
- ``exchange``: every request and response exchanged with the wallet for the round that the serving process's
  journal still holds (the latest ``journal_size``; none when exported from the database alone).

Secrets never appear: the journal already redacts signature and authorization headers and known keys, and the export
also replaces the round's game session token and the operator's session token wherever they occur."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from games.rng import commitment
from simulator.errors import RequestError
from simulator.faults.journal import REDACTED, Journal
from simulator.reports.query import ReportQuery, hour_label
from simulator.store.provider import ProviderStore, Round, Transaction

MAX_ROUNDS = 10_000
_TRANSACTION_FIELDS = (
    "seq",
    "transaction_id",
    "kind",
    "amount",
    "currency",
    "round_closed",
    "reference_transaction_id",
    "status",
    "attempts",
    "last_error",
    "balance_after",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class AuditSelection:
    round_id: str | None = None
    player_id: str | None = None
    start: int | None = None  # hours, as ReportQuery
    end: int | None = None

    @classmethod
    def parse(cls, round_id: str | None, player_id: str | None, start: str | None, end: str | None) -> AuditSelection:
        range_ = ReportQuery.parse("day", start, end, {})
        selection = cls(round_id or None, player_id or None, range_.start, range_.end)
        if selection.round_id is None and selection.player_id is None and (start is None or end is None):
            raise RequestError("give round_id, player_id, or both from and to")
        return selection

    def describe(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "player_id": self.player_id,
            "from": None if self.start is None else hour_label(self.start),
            "to": None if self.end is None else hour_label(self.end),
        }


async def _rounds(store: ProviderStore, selection: AuditSelection) -> list[Round]:
    """The selected rounds, oldest first; a player's are found through the rounds by player (``store.history``)."""
    source, key = store.history.source if selection.player_id is not None else ("rounds r", "r")
    where: list[str] = []
    args: list[Any] = []
    for column, value in ((f"{key}.round_id", selection.round_id), (f"{key}.player_id", selection.player_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    for bound, op in ((selection.start, ">="), (selection.end, "<")):
        if bound is not None:
            where.append(f"{key}.created_at {op} ?")
            args.append(float(bound * 3600))
    sql = (
        f"SELECT r.* FROM {source} WHERE {' AND '.join(where)}"  # noqa: S608
        f" ORDER BY {key}.created_at, {key}.round_id LIMIT ?"
    )
    async with store.db.transaction() as tx:
        if selection.player_id is not None:
            await store.history.fold_in(tx)
        rows = await tx.fetchall(sql, *args, MAX_ROUNDS + 1)
    if len(rows) > MAX_ROUNDS:
        raise RequestError(f"more than {MAX_ROUNDS} rounds match: export a shorter range or one player")
    return [Round.from_row(row) for row in rows]


def _transaction(t: Transaction) -> dict[str, Any]:
    return {"type": "transaction", "round_id": t.round_id} | {k: getattr(t, k) for k in _TRANSACTION_FIELDS}


def _scrub(line: dict[str, Any], secrets: list[str]) -> str:
    text = json.dumps(line, sort_keys=True)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


async def audit_lines(
    store: ProviderStore, selection: AuditSelection, *, journal: Journal | None, generated_at: float
) -> AsyncIterator[str]:
    """The export's lines, each a JSON text without its newline."""
    rounds = await _rounds(store, selection)
    yield json.dumps(
        {
            "type": "audit_export",
            "selection": selection.describe(),
            "generated_at": generated_at,
            "rounds": len(rounds),
            "exchanges": "the serving process's journal" if journal is not None and journal.enabled else "none",
        },
        sort_keys=True,
    )
    for r in rounds:
        session = await store.sessions.get(r.session_token)
        secrets = [r.session_token, session.operator_token if session is not None else ""]
        revealed = await store.sessions.revealed_seed(r.server_seed_hash)
        yield _scrub(
            {
                "type": "round",
                "round_id": r.round_id,
                "player_id": r.player_id,
                "game_id": r.game_id,
                "studio_id": r.studio_id,
                "engine_id": r.engine_id,
                "currency": r.currency,
                "stake": r.stake,
                "win": r.win,
                "status": r.status,
                "params": r.params,
                "outcome": r.outcome,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
                "fairness": {
                    "server_seed_hash": r.server_seed_hash,
                    "server_seed": revealed,
                    "commitment_ok": None if revealed is None else commitment(revealed) == r.server_seed_hash,
                    "client_seed": r.client_seed,
                    "nonce": r.nonce,
                },
            },
            secrets,
        )
        for t in await store.outbox.of_round(r.round_id):
            yield _scrub(_transaction(t), secrets)
        if journal is not None:
            for exchange in journal.query(round=r.round_id, limit=10**9):
                yield _scrub({"type": "exchange", "round_id": r.round_id} | exchange, secrets)

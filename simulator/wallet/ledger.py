"""The reference wallet's ledger: an append-only list of entries with the player's balance snapshotted in the
same transaction, so the balance always equals the opening balance plus the sum of entries.

What it guarantees, and why each rule exists (a real provider will test all of them):
- idempotent on ``transaction_id``: a repeat returns the original result; the same id with other content is
  ``TRANSACTION_MISMATCH``, because a provider retrying must never be charged twice nor silently get a
  different deal;
- never negative: ``INSUFFICIENT_FUNDS`` carries the current balance and changes nothing;
- a rollback refunds the referenced bet once and leaves a tombstone, so the bet arriving late (after its own
  rollback, the classic timeout race) is refused with ``TRANSACTION_ROLLED_BACK`` instead of debiting money
  the provider gave up on;
- wins and rollbacks are accepted after the session expired (the provider owes or returns money either way);
- a player's rows are locked for the whole decision, so concurrent bets cannot overdraw and concurrent
  duplicates apply once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from simulator.clock import Clock
from simulator.errors import SimulatorError
from simulator.ids import Ids
from simulator.money import exponent
from simulator.store.database import Database, Row, Tx
from simulator.wallet.models import BalanceRequest, OperationRequest

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS players (
        player_id TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        balance BIGINT NOT NULL CHECK (balance >= 0),
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        expires_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS entries (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        round_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        reference_transaction_id TEXT,
        fingerprint TEXT NOT NULL,
        balance_after BIGINT NOT NULL,
        created_at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS entries_round ON entries (round_id)",
    "CREATE INDEX IF NOT EXISTS entries_player ON entries (player_id, seq)",
    """CREATE TABLE IF NOT EXISTS tombstones (
        transaction_id TEXT PRIMARY KEY,
        rollback_transaction_id TEXT NOT NULL,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS wallet_rounds (
        round_id TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0)""",
)

_STATUS = {
    "INVALID_REQUEST": 400,
    "INVALID_SIGNATURE": 401,
    "INVALID_SESSION": 401,
    "SESSION_EXPIRED": 401,
    "PLAYER_BLOCKED": 403,
    "INSUFFICIENT_FUNDS": 402,
    "LIMIT_EXCEEDED": 403,
    "CURRENCY_MISMATCH": 400,
    "UNKNOWN_GAME": 400,
    "TRANSACTION_NOT_FOUND": 404,
    "TRANSACTION_MISMATCH": 409,
    "TRANSACTION_ROLLED_BACK": 409,
    "ROUND_CLOSED": 409,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
}


class LedgerError(SimulatorError):
    """A refusal in the wallet protocol's vocabulary; ``balance`` is included where the protocol asks for
    it."""

    def __init__(self, code: str, message: str, *, balance: int | None = None) -> None:
        super().__init__(message, code=code, extra={} if balance is None else {"balance": balance})
        self.status = _STATUS.get(code, 400)


@dataclass(frozen=True, slots=True)
class Player:
    player_id: str
    currency: str
    balance: int
    blocked: bool


def _player(row: Row) -> Player:
    return Player(row["player_id"], row["currency"], int(row["balance"]), bool(row["blocked"]))


def _fingerprint(kind: str, req: OperationRequest) -> str:
    content = [
        kind,
        req.player_id,
        req.round_id,
        req.game_id,
        req.amount,
        req.currency,
        req.reference_transaction_id,
    ]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


Kind = Literal["bet", "win", "rollback"]


class Ledger:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: Ids,
        *,
        unknown_rollback: Literal["accept", "reject"] = "accept",
    ) -> None:
        self._db = db
        self._clock = clock
        self._ids = ids
        self._unknown_rollback = unknown_rollback

    async def migrate(self) -> None:
        await self._db.migrate(SCHEMA)

    # sandbox

    async def create_player(
        self,
        player_id: str | None,
        currency: str,
        balance: int,
        *,
        blocked: bool = False,
        token_ttl: int = 86400,
    ) -> tuple[Player, str, float]:
        exponent(currency)
        pid = player_id or f"player-{self._ids.uuid()[:8]}"
        now = self._clock.now()
        async with self._db.transaction() as tx:
            inserted = await tx.execute(
                "INSERT INTO players (player_id, currency, balance, blocked, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (player_id) DO NOTHING",
                pid,
                currency,
                balance,
                int(blocked),
                now,
            )
            if not inserted:
                raise LedgerError("CONFLICT", f"player {pid!r} already exists")
            token, expires = await self._issue(tx, pid, token_ttl)
        return Player(pid, currency, balance, blocked), token, expires

    async def issue_token(self, player_id: str, ttl: int) -> tuple[str, float]:
        async with self._db.transaction() as tx:
            await self._lock_player(tx, player_id)
            return await self._issue(tx, player_id, ttl)

    async def _issue(self, tx: Tx, player_id: str, ttl: int) -> tuple[str, float]:
        token = self._ids.token()
        expires = self._clock.now() + ttl
        await tx.execute(
            "INSERT INTO tokens (token, player_id, expires_at) VALUES (?, ?, ?)", token, player_id, expires
        )
        return token, expires

    async def get_player(self, player_id: str) -> Player:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM players WHERE player_id = ?", player_id)
        if row is None:
            raise LedgerError("NOT_FOUND", f"no player {player_id!r}")
        return _player(row)

    async def set_blocked(self, player_id: str, blocked: bool) -> Player:
        async with self._db.transaction() as tx:
            await self._lock_player(tx, player_id)
            await tx.execute("UPDATE players SET blocked = ? WHERE player_id = ?", int(blocked), player_id)
            row = await tx.fetchone("SELECT * FROM players WHERE player_id = ?", player_id)
        assert row is not None
        return _player(row)

    # protocol

    async def balance(self, req: BalanceRequest) -> dict[str, Any]:
        async with self._db.transaction() as tx:
            player = await self._lock_player(tx, req.player_id, for_update=False)
            await self._check_session(tx, req.session_id, player)
            self._check_currency(player, req.currency)
        return {"balance": player.balance, "currency": player.currency}

    async def bet(self, req: OperationRequest) -> dict[str, Any]:
        fingerprint = _fingerprint("bet", req)
        async with self._db.transaction() as tx:
            player = await self._lock_player(tx, req.player_id)
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            await self._check_session(tx, req.session_id, player)
            if player.blocked:
                raise LedgerError("PLAYER_BLOCKED", f"player {player.player_id!r} is blocked")
            self._check_currency(player, req.currency)
            if req.bonus is not None:
                raise LedgerError("INVALID_REQUEST", "bonus rounds are not offered by this wallet")
            if await self._tombstone(tx, req.transaction_id):
                raise LedgerError("TRANSACTION_ROLLED_BACK", "this bet was already rolled back")
            if await self._round_closed(tx, req.round_id, player.player_id):
                raise LedgerError("ROUND_CLOSED", f"round {req.round_id!r} is closed")
            if req.amount > player.balance:
                raise LedgerError(
                    "INSUFFICIENT_FUNDS", "balance too low for this bet", balance=player.balance
                )
            return await self._append(tx, "bet", req, player, -req.amount, fingerprint)

    async def win(self, req: OperationRequest) -> dict[str, Any]:
        fingerprint = _fingerprint("win", req)
        async with self._db.transaction() as tx:
            player = await self._lock_player(tx, req.player_id)
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            self._check_currency(player, req.currency)
            if req.reference_transaction_id is not None:
                bet = await self._entry(tx, req.reference_transaction_id)
                if bet is None or bet["kind"] != "bet":
                    if await self._tombstone(tx, req.reference_transaction_id):
                        raise LedgerError("TRANSACTION_ROLLED_BACK", "the referenced bet was rolled back")
                    raise LedgerError("TRANSACTION_NOT_FOUND", "the referenced bet is unknown")
                if bet["player_id"] != player.player_id or bet["round_id"] != req.round_id:
                    raise LedgerError(
                        "TRANSACTION_MISMATCH", "the referenced bet belongs to another player or round"
                    )
                if await self._tombstone(tx, req.reference_transaction_id):
                    raise LedgerError("TRANSACTION_ROLLED_BACK", "the referenced bet was rolled back")
            if await self._round_closed(tx, req.round_id, player.player_id):
                raise LedgerError("ROUND_CLOSED", f"round {req.round_id!r} is closed")
            return await self._append(tx, "win", req, player, req.amount, fingerprint)

    async def rollback(self, req: OperationRequest) -> dict[str, Any]:
        if req.reference_transaction_id is None:
            raise LedgerError(
                "INVALID_REQUEST", "reference_transaction_id: a rollback names the bet it reverses"
            )
        fingerprint = _fingerprint("rollback", req)
        ref = req.reference_transaction_id
        async with self._db.transaction() as tx:
            player = await self._lock_player(tx, req.player_id)
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            bet = await self._entry(tx, ref)
            if bet is None:
                if await self._tombstone(tx, ref) or self._unknown_rollback == "accept":
                    await self._bury(tx, ref, req.transaction_id)
                    return await self._append(tx, "rollback", req, player, 0, fingerprint)
                raise LedgerError(
                    "TRANSACTION_NOT_FOUND", "no bet with that transaction id", balance=player.balance
                )
            if bet["kind"] != "bet" or bet["player_id"] != player.player_id:
                raise LedgerError(
                    "TRANSACTION_MISMATCH", "the referenced transaction is not a bet of this player"
                )
            if await self._tombstone(tx, ref):
                return await self._append(tx, "rollback", req, player, 0, fingerprint)
            settled = await tx.fetchone(
                "SELECT 1 FROM entries WHERE round_id = ? AND player_id = ? AND kind = 'win'",
                bet["round_id"],
                player.player_id,
            )
            if settled is not None or await self._round_closed(tx, bet["round_id"], player.player_id):
                raise LedgerError(
                    "ROUND_CLOSED", "the bet's round is already settled; it cannot be rolled back"
                )
            await self._bury(tx, ref, req.transaction_id)
            return await self._append(tx, "rollback", req, player, int(bet["amount"]), fingerprint)

    async def entries(
        self, *, player_id: str | None = None, after: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM entries WHERE seq > ?"
        args: list[Any] = [after]
        if player_id is not None:
            sql += " AND player_id = ?"
            args.append(player_id)
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(sql, *args)
        keys = ("seq", "transaction_id", "kind", "player_id", "round_id", "game_id", "amount", "currency")
        return [
            {k: row[k] for k in keys}
            | {
                "reference_transaction_id": row["reference_transaction_id"],
                "balance_after": row["balance_after"],
            }
            for row in rows
        ]

    # helpers

    async def _lock_player(self, tx: Tx, player_id: str, *, for_update: bool = True) -> Player:
        lock = tx.for_update if for_update else ""
        row = await tx.fetchone(f"SELECT * FROM players WHERE player_id = ?{lock}", player_id)  # noqa: S608
        if row is None:
            raise LedgerError("INVALID_SESSION", f"unknown player {player_id!r}")
        return _player(row)

    async def _check_session(self, tx: Tx, token: str, player: Player) -> None:
        row = await tx.fetchone("SELECT player_id, expires_at FROM tokens WHERE token = ?", token)
        if row is None or row["player_id"] != player.player_id:
            raise LedgerError("INVALID_SESSION", "unknown session token for this player")
        if row["expires_at"] <= self._clock.now():
            raise LedgerError("SESSION_EXPIRED", "the player's session has expired")

    @staticmethod
    def _check_currency(player: Player, currency: str) -> None:
        if currency != player.currency:
            raise LedgerError("CURRENCY_MISMATCH", f"player plays in {player.currency}, not {currency}")

    @staticmethod
    async def _entry(tx: Tx, transaction_id: str) -> Row | None:
        return await tx.fetchone("SELECT * FROM entries WHERE transaction_id = ?", transaction_id)

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        row = await self._entry(tx, req.transaction_id)
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            raise LedgerError(
                "TRANSACTION_MISMATCH", "this transaction id was already used with other content"
            )
        return {
            "balance": int(row["balance_after"]),
            "currency": row["currency"],
            "transaction_id": req.transaction_id,
        }

    @staticmethod
    async def _tombstone(tx: Tx, transaction_id: str) -> bool:
        return (
            await tx.fetchone("SELECT 1 FROM tombstones WHERE transaction_id = ?", transaction_id) is not None
        )

    async def _bury(self, tx: Tx, transaction_id: str, rollback_id: str) -> None:
        await tx.execute(
            "INSERT INTO tombstones (transaction_id, rollback_transaction_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (transaction_id) DO NOTHING",
            transaction_id,
            rollback_id,
            self._clock.now(),
        )

    @staticmethod
    async def _round_closed(tx: Tx, round_id: str, player_id: str) -> bool:
        row = await tx.fetchone(
            "SELECT closed FROM wallet_rounds WHERE round_id = ? AND player_id = ?", round_id, player_id
        )
        return row is not None and bool(row["closed"])

    async def _append(
        self, tx: Tx, kind: Kind, req: OperationRequest, player: Player, delta: int, fingerprint: str
    ) -> dict[str, Any]:
        balance = player.balance + delta
        if delta:
            await tx.execute("UPDATE players SET balance = ? WHERE player_id = ?", balance, player.player_id)
        await tx.execute(
            "INSERT INTO entries (transaction_id, kind, player_id, round_id, game_id, amount, currency,"
            " reference_transaction_id, fingerprint, balance_after, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            req.transaction_id,
            kind,
            player.player_id,
            req.round_id,
            req.game_id,
            abs(delta) if kind != "bet" else req.amount,
            player.currency,
            req.reference_transaction_id,
            fingerprint,
            balance,
            self._clock.now(),
        )
        closed = int(kind == "win" and req.round_closed)
        await tx.execute(
            "INSERT INTO wallet_rounds (round_id, player_id, closed) VALUES (?, ?, ?)"
            " ON CONFLICT (round_id) DO UPDATE"
            " SET closed = CASE WHEN excluded.closed = 1 THEN 1 ELSE wallet_rounds.closed END",
            req.round_id,
            player.player_id,
            closed,
        )
        return {"balance": balance, "currency": player.currency, "transaction_id": req.transaction_id}

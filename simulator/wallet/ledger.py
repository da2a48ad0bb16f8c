"""The reference wallet's ledger: an append-only list of entries with the player's balances snapshotted in the
same transaction, so the balances always equal the sum of the player's entries.

What it guarantees, and why each rule exists (a real provider will test all of them):

- idempotent on ``transaction_id``: a repeat returns the original result; the same id with other content is
  ``TRANSACTION_MISMATCH``, because a provider retrying must never be charged twice nor silently get a
  different deal;
- never negative: ``INSUFFICIENT_FUNDS`` carries the current balances and changes nothing;
- a rollback refunds the referenced bet once and leaves a tombstone, so the bet arriving late (after its own
  rollback, the classic timeout race) is refused with ``TRANSACTION_ROLLED_BACK`` instead of debiting money
  the provider gave up on, also when the bet had been applied (a late copy must not look accepted); a
  rollback of a bet it never saw follows ``unknown_rollback`` (accept, as a tombstone, or
  ``TRANSACTION_NOT_FOUND``);
- wins and rollbacks are accepted after the session expired (the provider owes or returns money either way);
- a player's row is locked for the whole decision, so concurrent bets cannot overdraw and concurrent
  duplicates apply once; two requests that race on one transaction id for different players end as one
  applied and one ``TRANSACTION_MISMATCH``, never as an error;
- a bet on a game the sandbox disabled is refused with ``UNKNOWN_GAME`` (wins and rollbacks still pay);
- player controls: a blocked player cannot bet; daily wager and loss limits (cash only, UTC days of the
  wallet's clock) refuse a bet with ``LIMIT_EXCEEDED`` when it could take the day past the limit;
- a bet that carries ``bonus`` never touches cash: a provider's free round (``type`` ``free_round``, amount 0:
  the provider counts the campaign's rounds) is taken as it is; otherwise it uses a free round the sandbox
  granted for its ``campaign_id`` when one is left, else bonus money; the wins of such a round (and any win
  that carries ``bonus``, a campaign's total included) are credited to the bonus balance, except promotional
  wins (``type`` ``promo``), which are cash; its rollback gives back the free round or the bonus money.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from simulator.bonus import context
from simulator.clock import Clock
from simulator.store.database import Database, DuplicateKey, Row, Tx
from simulator.wallet.models import BalanceRequest, OperationRequest
from simulator.wallet.records import (
    EXPORT_COLUMNS,
    MIGRATIONS,
    Funds,
    Kind,
    LedgerError,
    NewEntry,
    Player,
    add_totals,
    append,
    day_of,
    disabled_game,
    entry,
    export_row,
    lock_player,
    totals,
)

__all__ = ["Ledger", "LedgerError", "Player"]

T = TypeVar("T")
# what json.dumps(content, sort_keys=True) writes (stored fingerprints depend on it), without a new encoder per call
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True).encode


def _fingerprint(kind: str, req: OperationRequest) -> str:
    content = [
        kind,
        req.player_id,
        req.round_id,
        req.game_id,
        req.amount,
        req.currency,
        req.reference_transaction_id,
        req.bonus,
    ]
    return hashlib.sha256(_FINGERPRINT_JSON(content).encode()).hexdigest()


def _campaign(req: OperationRequest) -> str | None:
    if req.bonus is None:
        return None
    campaign = req.bonus.get("campaign_id")
    if campaign is not None and not (isinstance(campaign, str) and 0 < len(campaign) <= 255):
        raise LedgerError("INVALID_REQUEST", "bonus.campaign_id must be a non-empty string")
    return campaign


class Ledger:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        unknown_rollback: Literal["accept", "reject"] = "accept",
    ) -> None:
        self._db = db
        self._clock = clock
        self._unknown_rollback = unknown_rollback

    @property
    def db(self) -> Database:
        """The ledger's database, for the dialect endpoints' own bookkeeping (request-id replies)."""
        return self._db

    async def migrate(self) -> None:
        await self._db.migrate("wallet_ledger", MIGRATIONS)

    async def end_round(self, player_id: str, round_id: str) -> dict[str, Any]:
        """Close a round without moving money, for dialects that end rounds with a call of their own.
        Idempotent: ending an ended round answers the same; later wins and bets in it get ``ROUND_CLOSED``."""
        async with self._db.transaction() as tx:
            player = await lock_player(tx, player_id)
            owner = await tx.fetchone("SELECT player_id FROM wallet_rounds WHERE round_id = ?", round_id)
            if owner is not None and owner["player_id"] != player_id:
                raise LedgerError("TRANSACTION_MISMATCH", "the round belongs to another player")
            await tx.execute(
                "INSERT INTO wallet_rounds (round_id, player_id, funds, closed) VALUES (?, ?, 'cash', 1)"
                " ON CONFLICT (round_id) DO UPDATE SET closed = 1",
                round_id,
                player_id,
            )
        return {"balance": player.balance, "currency": player.currency}

    # protocol

    async def balance(self, req: BalanceRequest) -> dict[str, Any]:
        async with self._db.transaction() as tx:
            player = await lock_player(tx, req.player_id, for_update=False)
            await self._check_session(tx, req.session_id, player)
            self._check_currency(player, req.currency)
        return {"balance": player.balance, "bonus_balance": player.bonus_balance, "currency": player.currency}

    async def bet(self, req: OperationRequest) -> dict[str, Any]:
        return await self._once_more(self._bet, req)

    async def win(self, req: OperationRequest) -> dict[str, Any]:
        return await self._once_more(self._win, req)

    async def rollback(self, req: OperationRequest) -> dict[str, Any]:
        if req.reference_transaction_id is None:
            raise LedgerError("INVALID_REQUEST", "reference_transaction_id: a rollback names the bet it reverses")
        return await self._once_more(self._rollback, req)

    @staticmethod
    async def _once_more(operation: Callable[[OperationRequest], Awaitable[T]], req: OperationRequest) -> T:
        """A unique key refused the entry: a twin with the same transaction id committed first (players are
        locked one at a time, so twins for two players can race on PostgreSQL; SQLite runs one transaction at a
        time, so there the replay check has always seen the twin). Run again: the replay rules answer."""
        try:
            return await operation(req)
        except DuplicateKey:
            return await operation(req)

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        fingerprint = _fingerprint("bet", req)
        campaign = _campaign(req)
        async with self._db.transaction(savepoint=False) as tx:  # every refusal comes before the first write
            player = await lock_player(tx, req.player_id)
            if await self._tombstone(tx, req.transaction_id):  # before the replay: a late copy must not look accepted
                raise LedgerError("TRANSACTION_ROLLED_BACK", "this bet was already rolled back")
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            await self._check_session(tx, req.session_id, player)
            if player.blocked:
                raise LedgerError("PLAYER_BLOCKED", f"player {player.player_id!r} is blocked")
            if player.self_excluded:
                raise LedgerError("SELF_EXCLUDED", f"player {player.player_id!r} is self-excluded from gambling")
            self._check_currency(player, req.currency)
            if req.game_id and await disabled_game(tx, req.game_id):
                raise LedgerError("UNKNOWN_GAME", f"game {req.game_id!r} is not offered by this wallet")
            if await self._round_closed(tx, req.round_id, player.player_id):
                raise LedgerError("ROUND_CLOSED", f"round {req.round_id!r} is closed")
            if req.bonus is not None:
                return await self._bonus_bet(tx, req, player, campaign, fingerprint)
            await self._check_limits(tx, player, req.amount)
            if req.amount > player.balance:
                raise LedgerError.with_balances("INSUFFICIENT_FUNDS", "balance too low for this bet", player)
            await add_totals(tx, player.player_id, day_of(self._clock.now()), req.amount, req.amount)
            return await self._apply(tx, "bet", req, player, fingerprint, funds="cash", cash=-req.amount)

    async def _bonus_bet(
        self, tx: Tx, req: OperationRequest, player: Player, campaign: str | None, fingerprint: str
    ) -> dict[str, Any]:
        # a free round the provider granted, or else one left of the player's campaign here
        provider_granted = req.bonus is not None and req.bonus.get("type") == context.FREE_ROUND
        if provider_granted or (
            campaign is not None
            and await tx.execute(
                "UPDATE free_rounds SET remaining = remaining - 1"
                " WHERE player_id = ? AND campaign_id = ? AND remaining > 0",
                player.player_id,
                campaign,
            )
        ):
            return await self._apply(tx, "bet", req, player, fingerprint, funds="free_round", campaign=campaign)
        if req.amount > player.bonus_balance:
            raise LedgerError.with_balances(
                "INSUFFICIENT_FUNDS", "no free round left and bonus balance too low for this bet", player
            )
        return await self._apply(
            tx, "bet", req, player, fingerprint, funds="bonus", bonus=-req.amount, campaign=campaign
        )

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        fingerprint = _fingerprint("win", req)
        campaign = _campaign(req)
        async with self._db.transaction(savepoint=False) as tx:  # every refusal comes before the first write
            player = await lock_player(tx, req.player_id)
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            self._check_currency(player, req.currency)
            if req.reference_transaction_id is not None:
                bet = await entry(tx, req.reference_transaction_id)
                if bet is None or bet["kind"] != "bet":
                    if await self._tombstone(tx, req.reference_transaction_id):
                        raise LedgerError("TRANSACTION_ROLLED_BACK", "the referenced bet was rolled back")
                    raise LedgerError("TRANSACTION_NOT_FOUND", "the referenced bet is unknown")
                if bet["player_id"] != player.player_id or bet["round_id"] != req.round_id:
                    raise LedgerError("TRANSACTION_MISMATCH", "the referenced bet belongs to another player or round")
                if await self._tombstone(tx, req.reference_transaction_id):
                    raise LedgerError("TRANSACTION_ROLLED_BACK", "the referenced bet was rolled back")
            round_funds = await self._round(tx, req.round_id, player.player_id)
            if round_funds is not None and round_funds[1]:
                raise LedgerError("ROUND_CLOSED", f"round {req.round_id!r} is closed")
            to_bonus = req.bonus is not None and req.bonus.get("type") not in context.CASH_TYPES
            if to_bonus or (round_funds is not None and round_funds[0] != "cash"):
                return await self._apply(
                    tx, "win", req, player, fingerprint, funds="bonus", bonus=req.amount, campaign=campaign
                )
            if req.amount:
                await add_totals(tx, player.player_id, day_of(self._clock.now()), 0, -req.amount)
            return await self._apply(tx, "win", req, player, fingerprint, funds="cash", cash=req.amount)

    async def _rollback(self, req: OperationRequest) -> dict[str, Any]:
        fingerprint = _fingerprint("rollback", req)
        ref = req.reference_transaction_id
        assert ref is not None
        async with self._db.transaction() as tx:
            player = await lock_player(tx, req.player_id)
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            bet = await entry(tx, ref)
            if bet is None:
                if await self._tombstone(tx, ref) or self._unknown_rollback == "accept":
                    await self._bury(tx, ref, req.transaction_id)
                    return await self._apply(tx, "rollback", req, player, fingerprint, funds="cash")
                raise LedgerError.with_balances("TRANSACTION_NOT_FOUND", "no bet with that transaction id", player)
            if bet["kind"] != "bet" or bet["player_id"] != player.player_id:
                raise LedgerError("TRANSACTION_MISMATCH", "the referenced transaction is not a bet of this player")
            if await self._tombstone(tx, ref):
                return await self._apply(tx, "rollback", req, player, fingerprint, funds=bet["funds"])
            settled = await tx.fetchone(
                "SELECT 1 FROM entries WHERE round_id = ? AND player_id = ? AND kind = 'win'",
                bet["round_id"],
                player.player_id,
            )
            if settled is not None or await self._round_closed(tx, bet["round_id"], player.player_id):
                raise LedgerError("ROUND_CLOSED", "the bet's round is already settled; it cannot be rolled back")
            await self._bury(tx, ref, req.transaction_id)
            return await self._refund(tx, req, player, bet, fingerprint)

    async def _refund(
        self, tx: Tx, req: OperationRequest, player: Player, bet: Row, fingerprint: str
    ) -> dict[str, Any]:
        funds: Funds = bet["funds"]
        amount = int(bet["amount"])
        if funds == "free_round":
            await tx.execute(
                "UPDATE free_rounds SET remaining = remaining + 1 WHERE player_id = ? AND campaign_id = ?",
                player.player_id,
                bet["campaign_id"],
            )
            return await self._apply(
                tx,
                "rollback",
                req,
                player,
                fingerprint,
                funds=funds,
                campaign=bet["campaign_id"],
                amount=amount,
            )
        if funds == "bonus":
            return await self._apply(tx, "rollback", req, player, fingerprint, funds=funds, bonus=amount)
        await add_totals(tx, player.player_id, day_of(float(bet["created_at"])), -amount, -amount)
        return await self._apply(tx, "rollback", req, player, fingerprint, funds=funds, cash=amount)

    async def entries(
        self,
        *,
        player_id: str | None = None,
        round_id: str | None = None,
        transaction_id: str | None = None,
        kind: str | None = None,
        after: int = 0,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """The ledger in ``seq`` order after ``after``; a cursor that follows it never skips an entry."""
        where, args = ["seq > ?"], list[Any]([after])
        for column, value in (
            ("player_id", player_id),
            ("round_id", round_id),
            ("transaction_id", transaction_id),
            ("kind", kind),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        columns = ", ".join(EXPORT_COLUMNS)
        sql = f"SELECT {columns} FROM entries WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"  # noqa: S608
        async with self._db.transaction() as tx:
            await tx.barrier("entries")
            rows = await tx.fetchall(sql, *args, limit)
        return [export_row(row) for row in rows]

    # helpers

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

    async def _check_limits(self, tx: Tx, player: Player, amount: int) -> None:
        if player.daily_wager_limit is None and player.daily_loss_limit is None:
            return
        today = await totals(tx, player.player_id, day_of(self._clock.now()))
        for name, limit, used in (
            ("wager", player.daily_wager_limit, today.wagered),
            ("loss", player.daily_loss_limit, today.lost),
        ):
            if limit is not None and used + amount > limit:
                message = f"daily {name} limit {limit}: {used} used today, this bet {amount}"
                raise LedgerError.with_balances("LIMIT_EXCEEDED", message, player)

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        row = await entry(tx, req.transaction_id)
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            raise LedgerError("TRANSACTION_MISMATCH", "this transaction id was already used with other content")
        return {
            "balance": int(row["balance_after"]),
            "bonus_balance": int(row["bonus_balance_after"]),
            "currency": row["currency"],
            "transaction_id": req.transaction_id,
        }

    @staticmethod
    async def _tombstone(tx: Tx, transaction_id: str) -> bool:
        return await tx.fetchone("SELECT 1 FROM tombstones WHERE transaction_id = ?", transaction_id) is not None

    async def _bury(self, tx: Tx, transaction_id: str, rollback_id: str) -> None:
        await tx.execute(
            "INSERT INTO tombstones (transaction_id, rollback_transaction_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (transaction_id) DO NOTHING",
            transaction_id,
            rollback_id,
            self._clock.now(),
        )

    @staticmethod
    async def _round(tx: Tx, round_id: str, player_id: str) -> tuple[str, bool] | None:
        """The funds of the round's first bet and whether a closing win ended it."""
        row = await tx.fetchone(
            "SELECT funds, closed FROM wallet_rounds WHERE round_id = ? AND player_id = ?",
            round_id,
            player_id,
        )
        return None if row is None else (str(row["funds"]), bool(row["closed"]))

    async def _round_closed(self, tx: Tx, round_id: str, player_id: str) -> bool:
        known = await self._round(tx, round_id, player_id)
        return known is not None and known[1]

    async def _apply(
        self,
        tx: Tx,
        kind: Kind,
        req: OperationRequest,
        player: Player,
        fingerprint: str,
        *,
        funds: Funds,
        cash: int = 0,
        bonus: int = 0,
        campaign: str | None = None,
        amount: int | None = None,
    ) -> dict[str, Any]:
        """Write the entry of a protocol operation and its round. The entry's ``amount`` is what the request
        asked for, except for a rollback: what it gave back (0 for a tombstone), or ``amount`` when given."""
        moved = amount if amount is not None else req.amount if kind != "rollback" else abs(cash) + abs(bonus)
        new = NewEntry(
            req.transaction_id,
            kind,
            moved,
            funds,
            self._clock.now(),
            round_id=req.round_id,
            game_id=req.game_id,
            studio_id=req.studio_id,
            campaign_id=campaign,
            reference_transaction_id=req.reference_transaction_id,
            round_closed=req.round_closed,
            fingerprint=fingerprint,
        )
        after = await append(tx, player, new, cash=cash, bonus=bonus)
        if kind != "rollback" or await self._round(tx, req.round_id, player.player_id) is not None:
            await tx.execute(
                "INSERT INTO wallet_rounds (round_id, player_id, funds, closed) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (round_id) DO UPDATE"
                " SET closed = CASE WHEN excluded.closed = 1 THEN 1 ELSE wallet_rounds.closed END",
                req.round_id,
                player.player_id,
                funds,
                int(kind == "win" and req.round_closed),
            )
        return {
            "balance": after.balance,
            "bonus_balance": after.bonus_balance,
            "currency": player.currency,
            "transaction_id": req.transaction_id,
        }

"""The reference wallet's sandbox: what a test operator does by hand. Players with balances and session
tokens, player controls (blocked, daily wager and loss limits), bonus grants (bonus money, free rounds per
campaign) and the games the wallet offers (all, unless one is disabled).

Every balance change is a ledger entry outside any round (``deposit``, ``bonus_credit``), so the ledger export
accounts for all money; reconciliation with a provider ignores these kinds.
"""

from __future__ import annotations

from typing import Any

from simulator.clock import Clock
from simulator.ids import Ids
from simulator.money import exponent
from simulator.store.database import Database, Tx
from simulator.wallet.records import (
    LedgerError,
    NewEntry,
    Player,
    append,
    day_of,
    entry,
    existing_player,
    lock_player,
    totals,
)

UNCHANGED: Any = object()


class Sandbox:
    def __init__(self, db: Database, clock: Clock, ids: Ids) -> None:
        self._db = db
        self._clock = clock
        self._ids = ids

    async def create_player(
        self,
        player_id: str | None,
        currency: str,
        balance: int,
        *,
        blocked: bool = False,
        self_excluded: bool = False,
        token_ttl: int = 86400,
    ) -> tuple[Player, str, float]:
        exponent(currency)
        pid = player_id or f"player-{self._ids.uuid()[-12:]}"  # the random end of the id
        now = self._clock.now()
        async with self._db.transaction() as tx:
            inserted = await tx.execute(
                "INSERT INTO players (player_id, currency, balance, blocked, self_excluded, created_at)"
                " VALUES (?, ?, 0, ?, ?, ?) ON CONFLICT (player_id) DO NOTHING",
                pid,
                currency,
                int(blocked),
                int(self_excluded),
                now,
            )
            if not inserted:
                raise LedgerError("CONFLICT", f"player {pid!r} already exists")
            player = await lock_player(tx, pid)
            if balance:
                deposit = NewEntry(f"deposit:{pid}", "deposit", balance, "cash", now)
                player = await append(tx, player, deposit, cash=balance)
            token, expires = await self._issue(tx, pid, token_ttl)
        return player, token, expires

    async def issue_token(self, player_id: str, ttl: int) -> tuple[str, float]:
        async with self._db.transaction() as tx:
            await existing_player(tx, player_id)
            return await self._issue(tx, player_id, ttl)

    async def _issue(self, tx: Tx, player_id: str, ttl: int) -> tuple[str, float]:
        token = self._ids.token()
        expires = self._clock.now() + ttl
        await tx.execute(
            "INSERT INTO tokens (token, player_id, expires_at) VALUES (?, ?, ?)", token, player_id, expires
        )
        return token, expires

    async def player(self, player_id: str) -> dict[str, Any]:
        """Balances, controls, free rounds left and today's totals."""
        async with self._db.transaction() as tx:
            player = await existing_player(tx, player_id)
            free = await tx.fetchall(
                "SELECT campaign_id, remaining FROM free_rounds WHERE player_id = ? AND remaining > 0"
                " ORDER BY campaign_id",
                player_id,
            )
            today = await totals(tx, player_id, day_of(self._clock.now()))
        return {
            "player_id": player.player_id,
            "currency": player.currency,
            "balance": player.balance,
            "bonus_balance": player.bonus_balance,
            "free_rounds": {r["campaign_id"]: int(r["remaining"]) for r in free},
            "blocked": player.blocked,
            "self_excluded": player.self_excluded,
            "daily_wager_limit": player.daily_wager_limit,
            "daily_loss_limit": player.daily_loss_limit,
            "today": {"day": today.day, "wagered": today.wagered, "lost": today.lost},
        }

    async def set_controls(
        self,
        player_id: str,
        *,
        blocked: bool | None = None,
        self_excluded: bool | None = None,
        daily_wager_limit: int | None = UNCHANGED,
        daily_loss_limit: int | None = UNCHANGED,
    ) -> None:
        """Change what is given (``blocked=None`` leaves it); a limit of ``None`` removes it."""
        changes: dict[str, int | None] = {}
        if blocked is not None:
            changes["blocked"] = int(blocked)
        if self_excluded is not None:
            changes["self_excluded"] = int(self_excluded)
        if daily_wager_limit is not UNCHANGED:
            changes["daily_wager_limit"] = daily_wager_limit
        if daily_loss_limit is not UNCHANGED:
            changes["daily_loss_limit"] = daily_loss_limit
        sql = f"UPDATE players SET {', '.join(f'{k} = ?' for k in changes)} WHERE player_id = ?"  # noqa: S608
        async with self._db.transaction() as tx:
            await existing_player(tx, player_id)
            if changes:
                await tx.execute(sql, *changes.values(), player_id)

    async def set_game(self, game_id: str, *, enabled: bool) -> None:
        """Offer a game again, or stop offering it: its bets are then refused with ``UNKNOWN_GAME``."""
        async with self._db.transaction() as tx:
            if enabled:
                await tx.execute("DELETE FROM disabled_games WHERE game_id = ?", game_id)
            else:
                await tx.execute(
                    "INSERT INTO disabled_games (game_id, created_at) VALUES (?, ?) ON CONFLICT (game_id) DO NOTHING",
                    game_id,
                    self._clock.now(),
                )

    async def grant_bonus(
        self,
        player_id: str,
        *,
        amount: int = 0,
        free_rounds: int = 0,
        campaign_id: str | None = None,
        transaction_id: str | None = None,
    ) -> bool:
        """Credit bonus money (an entry of kind ``bonus_credit``) and/or free rounds of a campaign. With a
        ``transaction_id`` the grant applies once; returns false for a repeat."""
        if free_rounds and campaign_id is None:
            raise LedgerError("INVALID_REQUEST", "free rounds belong to a campaign: give campaign_id")
        txid = transaction_id or f"bonus:{self._ids.uuid()}"
        async with self._db.transaction() as tx:
            player = await existing_player(tx, player_id)
            if await entry(tx, txid) is not None:
                return False
            credit = NewEntry(txid, "bonus_credit", amount, "bonus", self._clock.now(), campaign_id=campaign_id)
            await append(tx, player, credit, bonus=amount)
            if free_rounds:
                await tx.execute(
                    "INSERT INTO free_rounds (player_id, campaign_id, remaining) VALUES (?, ?, ?)"
                    " ON CONFLICT (player_id, campaign_id) DO UPDATE"
                    " SET remaining = free_rounds.remaining + excluded.remaining",
                    player_id,
                    campaign_id,
                    free_rounds,
                )
        return True

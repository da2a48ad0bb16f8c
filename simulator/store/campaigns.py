"""Free-round campaigns, each player's share of one (an assignment) and the rounds played on them.

The counts move only in the transaction that makes them true: a round's claim takes one of the player's rounds left
(a conditional update, refused when none is left, so two rounds never share one) in the transaction that records the
round; the free bet's settlement moves the round to ``played`` or gives it back (``simulator.lifecycle``
``FreeRoundStatus``); and an assignment closes once, with one conditional update, which is when a ``total``
campaign's sum is queued in the settlement outbox. Every process sharing the database agrees on them.

A campaign made through an aggregator's API (``simulator.compat``) has an owner: the operator that made it, the
operator's own reference for it (its idempotency key, unique per owner) and the terms it was asked with. The owner is
written in the transaction that writes the campaign, and a create under a reference already held, by a concurrent
twin too, writes nothing: it is the same campaign when the terms are the same, else ``ReferenceReused``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.bonus import context
from simulator.errors import Conflict
from simulator.lifecycle import (
    AssignmentStatus,
    CampaignStatus,
    FreeRoundStatus,
    PayoutMode,
    TransactionKind,
    TransactionStatus,
    free_round_after,
    new_transaction,
)
from simulator.store.database import Database, Row, Tx
from simulator.store.outbox import insert_transaction
from simulator.store.records import Round, Session, Transaction

_NAMESPACE = uuid.UUID("0b6f7c52-5a43-4e8e-9a0e-2f1f4c1b7d10")

OWNER_MIGRATIONS = (
    (
        """CREATE TABLE IF NOT EXISTS campaign_owners (
        campaign_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        reference TEXT,
        player_id TEXT NOT NULL,
        terms TEXT NOT NULL,
        created_at {real} NOT NULL,
        UNIQUE (owner, reference))""",
    ),
)
"""The component ``campaign_owners``: who made a campaign through an aggregator's API (``Owner``). A NULL reference
(none given) never meets another: SQL counts NULLs as distinct in a unique key, on both engines."""


class NoFreeRoundLeft(Conflict):
    """The claim found no round left (played out, cancelled, expired, or taken by a concurrent round)."""

    code = "NO_FREE_ROUNDS_LEFT"

    def __init__(self, campaign_id: str) -> None:
        super().__init__(f"no free round of campaign {campaign_id!r} is left for this player and game")


class CurrencyConflict(Conflict):
    """A player already holds a share of the campaign in another currency; nothing was written."""

    code = "CAMPAIGN_CURRENCY_MISMATCH"

    def __init__(self, player_id: str, currency: str) -> None:
        super().__init__(f"player {player_id!r} already holds this campaign in {currency}")


class ReferenceReused(Conflict):
    """The owner's reference already names a campaign asked with other terms; nothing was written."""

    code = "CAMPAIGN_REFERENCE_REUSED"

    def __init__(self, reference: str | None) -> None:
        super().__init__(f"reference {reference!r} already names a campaign with other terms")


@dataclass(frozen=True, slots=True)
class Owner:
    """Who made a campaign, for whom: ``owner`` names the API and the operator (``hub88:42``), ``reference`` is the
    operator's idempotency key (none: every create is a new campaign), ``player_id`` the player it was made for,
    ``terms`` the request as it was asked."""

    owner: str
    reference: str | None
    player_id: str
    terms: str

    @staticmethod
    def from_row(row: Row) -> Owner:
        return Owner(**{k: row[k] for k in Owner.__slots__})


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    rounds: int
    payout: str
    games: tuple[str, ...]
    bet_values: dict[str, int]
    starts_at: float
    expires_at: float
    status: str
    created_at: float
    updated_at: float

    @staticmethod
    def from_row(row: Row) -> Campaign:
        return Campaign(
            row["campaign_id"],
            int(row["rounds"]),
            row["payout"],
            tuple(json.loads(row["games"])),
            json.loads(row["bet_values"]),
            float(row["starts_at"]),
            float(row["expires_at"]),
            row["status"],
            float(row["created_at"]),
            float(row["updated_at"]),
        )

    def running(self, now: float) -> bool:
        return self.status == CampaignStatus.ACTIVE and self.starts_at <= now < self.expires_at


@dataclass(frozen=True, slots=True)
class Assignment:
    campaign_id: str
    player_id: str
    currency: str
    rounds_left: int
    in_flight: int
    rounds_played: int
    total_win: int
    status: str
    payout_transaction_id: str | None

    @staticmethod
    def from_row(row: Row) -> Assignment:
        return Assignment(**{k: row[k] for k in Assignment.__slots__})


def payout_ids(campaign_id: str, player_id: str) -> tuple[str, str]:
    """The transaction and wallet round ids of a player's campaign total: derived, so they are the same on every
    process and after any restart."""
    base = f"{campaign_id}\x00{player_id}"
    return str(uuid.uuid5(_NAMESPACE, base + "\x00total")), str(uuid.uuid5(_NAMESPACE, base + "\x00round"))


ShareClosed = Callable[[Tx, dict[str, Any], float], Awaitable[None]]
"""Called inside the transaction that closes a player's share of a campaign, with what the share came to."""


class CampaignRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._closed: ShareClosed | None = None

    def subscribe(self, sink: ShareClosed) -> None:
        """Have ``sink`` write with every share that closes (webhooks: only when configured)."""
        self._closed = sink

    async def migrate(self) -> None:
        await self._db.migrate("campaign_owners", OWNER_MIGRATIONS)

    async def create(self, campaign: Campaign, players: Sequence[tuple[str, str]], owner: Owner | None = None) -> bool:
        """Record a new campaign with its first players (and its ``owner``), all or nothing; false, with nothing
        written, when the id is taken. With an owner, a campaign taken under another owner, reference or terms (or
        made without an owner) raises ``ReferenceReused`` instead."""
        async with self._db.transaction() as tx:
            if await tx.fetchone("SELECT 1 FROM campaigns WHERE campaign_id = ?", campaign.campaign_id) is not None:
                if owner is not None:
                    await self._held(tx, campaign.campaign_id, owner)
                return False
            if owner is not None:
                # the claim: on PostgreSQL a twin's uncommitted claim makes this wait for its end, then do nothing
                claimed = await tx.execute(
                    "INSERT INTO campaign_owners (campaign_id, owner, reference, player_id, terms, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    campaign.campaign_id,
                    owner.owner,
                    owner.reference,
                    owner.player_id,
                    owner.terms,
                    campaign.created_at,
                )
                if not claimed:
                    await self._held(tx, campaign.campaign_id, owner)
                    return False
            await tx.execute(
                "INSERT INTO campaigns (campaign_id, rounds, payout, games, bet_values, starts_at, expires_at, status,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                campaign.campaign_id,
                campaign.rounds,
                campaign.payout,
                json.dumps(list(campaign.games)),
                json.dumps(campaign.bet_values, sort_keys=True),
                campaign.starts_at,
                campaign.expires_at,
                campaign.status,
                campaign.created_at,
                campaign.updated_at,
            )
            await self._assign(tx, campaign, players, campaign.created_at)
        return True

    @staticmethod
    async def _held(tx: Tx, campaign_id: str, owner: Owner) -> None:
        """Refuse unless the campaign is held by this owner, under this reference, with these terms."""
        row = await tx.fetchone("SELECT * FROM campaign_owners WHERE campaign_id = ?", campaign_id)
        if row is None or Owner.from_row(row) != owner:
            raise ReferenceReused(owner.reference)

    async def owned(
        self, owner: str, *, campaign_id: str | None = None, player_id: str | None = None, limit: int = 500
    ) -> list[tuple[str, Owner]]:
        """The campaigns ``owner`` made (their ids and owners), oldest first; narrowed to one campaign, or to those
        made for one player."""
        where, args = ["owner = ?"], [owner]
        for column, value in (("campaign_id", campaign_id), ("player_id", player_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM campaign_owners WHERE {' AND '.join(where)}"  # noqa: S608
                " ORDER BY created_at, campaign_id LIMIT ?",
                *args,
                limit,
            )
        return [(row["campaign_id"], Owner.from_row(row)) for row in rows]

    async def assign(self, campaign_id: str, players: Sequence[tuple[str, str]], now: float) -> Campaign | None:
        """Give each (player, currency) the campaign's rounds, once: a player already assigned keeps its share.
        ``None`` for an unknown campaign; ``CurrencyConflict`` (nothing written) when a player is already assigned in
        another currency."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(f"SELECT * FROM campaigns WHERE campaign_id = ?{tx.for_update}", campaign_id)  # noqa: S608
            if row is None:
                return None
            campaign = Campaign.from_row(row)
            await self._assign(tx, campaign, players, now)
        return campaign

    @staticmethod
    async def _assign(tx: Tx, campaign: Campaign, players: Sequence[tuple[str, str]], now: float) -> None:
        for player_id, currency in players:
            known = await tx.fetchone(
                "SELECT currency FROM campaign_players WHERE campaign_id = ? AND player_id = ?",
                campaign.campaign_id,
                player_id,
            )
            if known is not None:
                if known["currency"] != currency:
                    raise CurrencyConflict(player_id, known["currency"])
                continue
            await tx.execute(
                "INSERT INTO campaign_players (campaign_id, player_id, currency, rounds_left, status, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                campaign.campaign_id,
                player_id,
                currency,
                campaign.rounds if campaign.status == CampaignStatus.ACTIVE else 0,
                AssignmentStatus.ACTIVE,
                now,
                now,
            )

    async def get(self, campaign_id: str) -> Campaign | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM campaigns WHERE campaign_id = ?", campaign_id)
        return None if row is None else Campaign.from_row(row)

    async def page(self, *, after: str | None, limit: int) -> list[Campaign]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM campaigns WHERE campaign_id > ? ORDER BY campaign_id LIMIT ?", after or "", limit
            )
        return [Campaign.from_row(r) for r in rows]

    async def assignments(self, campaign_id: str) -> list[Assignment]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM campaign_players WHERE campaign_id = ? ORDER BY player_id", campaign_id
            )
        return [Assignment.from_row(r) for r in rows]

    async def of_player(self, player_id: str) -> list[tuple[Campaign, Assignment]]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT p.*, c.rounds, c.payout, c.games, c.bet_values, c.starts_at, c.expires_at,"
                " c.status AS c_status, c.created_at AS c_created_at, c.updated_at AS c_updated_at"
                " FROM campaign_players p JOIN campaigns c ON c.campaign_id = p.campaign_id"
                " WHERE p.player_id = ? ORDER BY c.expires_at, p.campaign_id",
                player_id,
            )
        out = []
        for r in rows:
            campaign = Campaign.from_row(
                dict(r) | {"status": r["c_status"], "created_at": r["c_created_at"], "updated_at": r["c_updated_at"]}
            )
            out.append((campaign, Assignment.from_row(r)))
        return out

    async def cancel(self, campaign_id: str, now: float) -> Campaign | None:
        """Cancel a campaign: every round not yet played is void at once; rounds in flight settle as they would, then
        each player's share closes (a ``total`` campaign pays what was won so far). ``None`` for an unknown campaign;
        cancelling twice changes nothing more."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(f"SELECT * FROM campaigns WHERE campaign_id = ?{tx.for_update}", campaign_id)  # noqa: S608
            if row is None:
                return None
            await tx.execute(
                "UPDATE campaigns SET status = ?, updated_at = ? WHERE campaign_id = ? AND status = ?",
                CampaignStatus.CANCELLED,
                now,
                campaign_id,
                CampaignStatus.ACTIVE,
            )
            await tx.execute(
                "UPDATE campaign_players SET rounds_left = 0, updated_at = ? WHERE campaign_id = ? AND status = ?",
                now,
                campaign_id,
                AssignmentStatus.ACTIVE,
            )
            campaign = Campaign.from_row(dict(row) | {"status": CampaignStatus.CANCELLED, "updated_at": now})
            players = await tx.fetchall(
                "SELECT player_id FROM campaign_players WHERE campaign_id = ? AND status = ?",
                campaign_id,
                AssignmentStatus.ACTIVE,
            )
            for p in players:
                await self._close_if_done(tx, campaign, p["player_id"], now)
        return campaign

    async def claim(self, tx: Tx, campaign_id: str, session: Session, round_: Round, now: float) -> None:
        """Take one of the player's rounds left for ``round_`` (inside the transaction recording it); raises
        ``NoFreeRoundLeft``, so the round is not recorded, when there is none."""
        row = await tx.fetchone("SELECT * FROM campaigns WHERE campaign_id = ?", campaign_id)
        if row is None or not Campaign.from_row(row).running(now):
            raise NoFreeRoundLeft(campaign_id)
        taken = await tx.execute(
            "UPDATE campaign_players SET rounds_left = rounds_left - 1, in_flight = in_flight + 1, last_session = ?,"
            " last_wallet_session = ?, last_game_id = ?, last_studio_id = ?, updated_at = ?"
            " WHERE campaign_id = ? AND player_id = ? AND currency = ? AND status = ? AND rounds_left > 0",
            session.token,
            session.operator_token,
            session.game_id,
            session.studio_id,
            now,
            campaign_id,
            session.player_id,
            session.currency,
            AssignmentStatus.ACTIVE,
        )
        if not taken:
            raise NoFreeRoundLeft(campaign_id)
        await tx.execute(
            "INSERT INTO campaign_rounds (round_id, campaign_id, player_id, win, status) VALUES (?, ?, ?, ?, ?)",
            round_.round_id,
            campaign_id,
            session.player_id,
            round_.win,
            FreeRoundStatus.IN_FLIGHT,
        )

    async def free_bet_settled(self, tx: Tx, bet: Transaction, status: TransactionStatus, now: float) -> bool:
        """Count a free bet's settlement (inside the transaction recording it): the round played, or given back to
        the player (unless the campaign ended meanwhile); true when the player's share closed with it."""
        after = free_round_after(status)
        moved = await tx.execute(
            "UPDATE campaign_rounds SET status = ? WHERE round_id = ? AND status = ?",
            after,
            bet.round_id,
            FreeRoundStatus.IN_FLIGHT,
        )
        if not moved:
            return False
        free = await tx.fetchone("SELECT campaign_id, win FROM campaign_rounds WHERE round_id = ?", bet.round_id)
        assert free is not None
        row = await tx.fetchone("SELECT * FROM campaigns WHERE campaign_id = ?", free["campaign_id"])
        assert row is not None
        campaign = Campaign.from_row(row)
        if after == FreeRoundStatus.PLAYED:
            change = "rounds_played = rounds_played + 1, total_win = total_win + ?"
            args: list[Any] = [int(free["win"])]
        else:
            change = "rounds_left = rounds_left + ?"
            args = [int(campaign.running(now))]
        await tx.execute(
            f"UPDATE campaign_players SET in_flight = in_flight - 1, {change}, updated_at = ?"  # noqa: S608
            " WHERE campaign_id = ? AND player_id = ?",
            *args,
            now,
            campaign.campaign_id,
            bet.player_id,
        )
        return await self._close_if_done(tx, campaign, bet.player_id, now)

    async def close_due(self, now: float, limit: int = 100) -> int:
        """Close the shares of expired or cancelled campaigns that have nothing in flight; returns how many closed."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT p.player_id, c.* FROM campaign_players p JOIN campaigns c ON c.campaign_id = p.campaign_id"
                " WHERE p.status = 'active' AND p.in_flight = 0 AND (c.expires_at <= ? OR c.status != 'active')"
                " LIMIT ?",
                now,
                limit,
            )
            closed = 0
            for r in rows:
                closed += await self._close_if_done(tx, Campaign.from_row(r), r["player_id"], now)
        return closed

    async def _close_if_done(self, tx: Tx, campaign: Campaign, player_id: str, now: float) -> bool:
        """Close the player's share when nothing is left to play or in flight, once (a conditional update), and queue a
        ``total`` campaign's sum as one win in the outbox in the same transaction."""
        payout_id, wallet_round = payout_ids(campaign.campaign_id, player_id)
        closed = await tx.execute(
            "UPDATE campaign_players SET status = ?, updated_at = ?,"
            " payout_transaction_id = CASE WHEN total_win > 0 AND ? = 1 THEN ? ELSE NULL END"
            " WHERE campaign_id = ? AND player_id = ? AND status = ? AND in_flight = 0 AND (rounds_left = 0 OR ? = 1)",
            AssignmentStatus.CLOSED,
            now,
            int(campaign.payout == PayoutMode.TOTAL),
            payout_id,
            campaign.campaign_id,
            player_id,
            AssignmentStatus.ACTIVE,
            int(not campaign.running(now)),
        )
        if not closed:
            return False
        row = await tx.fetchone(
            "SELECT * FROM campaign_players WHERE campaign_id = ? AND player_id = ?", campaign.campaign_id, player_id
        )
        assert row is not None
        if row["payout_transaction_id"] is not None:
            await insert_transaction(
                tx,
                new_transaction(
                    TransactionKind.WIN,
                    payout_id,
                    wallet_round,
                    player_id=player_id,
                    session_token=row["last_session"],
                    wallet_session=row["last_wallet_session"],
                    game_id=row["last_game_id"],
                    studio_id=row["last_studio_id"],
                    currency=row["currency"],
                    amount=int(row["total_win"]),
                    round_closed=True,
                    now=now,
                    send_at=now,
                    bonus=context.campaign_total(campaign.campaign_id, int(row["rounds_played"])),
                ),
            )
        if self._closed is not None:
            if campaign.status == CampaignStatus.CANCELLED:
                reason = "cancelled"
            elif campaign.running(now):
                reason = "played_out"
            else:
                reason = "expired"
            share = {
                "campaign_id": campaign.campaign_id,
                "player_id": player_id,
                "currency": row["currency"],
                "payout": campaign.payout,
                "rounds": campaign.rounds,
                "rounds_played": int(row["rounds_played"]),
                "total_win": int(row["total_win"]),
                "payout_transaction_id": row["payout_transaction_id"],
                "reason": reason,
            }
            await self._closed(tx, share, now)
        return True

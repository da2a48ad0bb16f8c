"""The provider's own records, in four repositories over one database: game sessions (with their fairness seeds and
nonces), rounds, the transaction log that is also the settlement outbox, and free-round campaigns.

What a round or a transaction may become is ``simulator.lifecycle``'s (docs/settlement.md draws it); the repositories
enforce it, each move one conditional update. Nothing here knows a wallet dialect or a game engine: the round service
computes a round and the store records it.
"""

from __future__ import annotations

from simulator.store import session_cache
from simulator.store.campaigns import CampaignRepository
from simulator.store.database import Database
from simulator.store.history import RoundHistory
from simulator.store.jackpots import JackpotPools
from simulator.store.outbox import EVENT_MIGRATIONS, EventOutbox, Outbox, SettlementSummary
from simulator.store.records import Round, Session, Transaction
from simulator.store.rounds import RoundRepository
from simulator.store.schema import MIGRATIONS
from simulator.store.session_cache import SessionCache
from simulator.store.sessions import RecentSessions, SessionRepository
from simulator.store.sqlite import SqliteDatabase

__all__ = ["ProviderStore", "Round", "Session", "SettlementSummary", "Transaction"]


class ProviderStore:
    """The four repositories, sharing the database and (on SQLite) the sessions held in memory."""

    def __init__(self, db: Database, *, cache: SessionCache | None = None, history: RoundHistory | None = None) -> None:
        """``cache`` replaces the default one on SQLite, ``history`` the default rounds by player (to try other
        limits)."""
        self.db = db
        # SQLite, written by this process alone, holds sessions in memory and writes nonces behind; PostgreSQL, shared
        # by workers, reads and writes them through
        if cache is None and isinstance(db, SqliteDatabase):
            cache = SessionCache(db, Session.from_row)
        self._cache = cache
        recent = RecentSessions() if cache is None else None
        self.history = history or RoundHistory(db)
        self.sessions = SessionRepository(db, cache, recent)
        self.rounds = RoundRepository(db, cache, recent, self.history)
        self.events = EventOutbox(db)
        self.campaigns = CampaignRepository(db)
        self.outbox = Outbox(db, free_bet_settled=self.campaigns.free_bet_settled)
        self.jackpots = JackpotPools(db)

    async def migrate(self) -> None:
        await self.db.migrate("provider", MIGRATIONS)
        await self.db.migrate("webhook_deliveries", EVENT_MIGRATIONS)
        await self.history.migrate()
        await self.jackpots.migrate()
        await self.campaigns.migrate()
        if self._cache is not None:
            await self.db.migrate("nonce_mark", session_cache.MIGRATIONS)

    async def close(self) -> None:
        """Write the nonces counted ahead back to the sessions table, then close the database. If the write-back
        fails, nothing is lost: the next process counts on from the rounds."""
        try:
            if self._cache is not None:
                await self._cache.write_back()
        finally:
            await self.db.close()

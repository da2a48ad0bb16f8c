"""Sessions on SQLite, held in memory, with their provably-fair nonces counted here and written back behind.

A round read its session's row and moved the row's nonce: a SELECT and an UPDATE per round, and the UPDATE dirtied the
page of that session's row in every group commit. Holding sessions and counting nonces here took the simulator's CPU
per round in ``bench/round_throughput.py``'s scenario b from 360 to 340 µs (medians of six interleaved runs each). A
session's row changes only when a round moves its nonce or when its seed pair is rotated (``rotate_seed`` drops the
session held here).

Counts are written back in bulk, in a transaction of their own: once ``sessions_limit`` sessions have moved or
``rounds_limit`` rounds were played since the last write-back, and when the store closes.

A crash loses no count. Each round row holds the nonce it used, so a session's next nonce is one past the highest
nonce among its rounds under its current server seed. A write-back stores the rowid of the last round it covers
(``nonce_mark``); whoever opens the database next folds in the rounds above that mark (about ``rounds_limit`` at most)
and resumes every count where the last process left it, closed cleanly or not.

Another connection may write to the same file: a second process on the same data directory. SQLite says so: ``PRAGMA
data_version`` moves when another connection commits, and the engine counts the batches that find it moved
(``foreign_commits``). Then, before a session is read, this cache drops the sessions it holds and folds in the rounds
inserted since it last looked, so two processes never hand out one nonce twice. PostgreSQL, shared by the workers of
``--workers``, reads each session and writes each nonce through under the session's row lock instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.store.database import Row, Tx
from simulator.store.sqlite import SqliteDatabase

if TYPE_CHECKING:
    from simulator.store.records import Session

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS nonce_mark (id INTEGER PRIMARY KEY CHECK (id = 0), round_rowid INTEGER NOT NULL)",
    # made along with the table: until then the sessions table held every count, so all rounds are covered
    "INSERT OR IGNORE INTO nonce_mark (id, round_rowid) SELECT 0, COALESCE(MAX(rowid), 0) FROM rounds",
)

# a round's nonce under the session's current seed: rounds under a seed since rotated away do not count
_FOLD = (
    "SELECT r.session_token AS token, s.server_seed_hash AS seed, MAX(r.nonce) AS nonce FROM rounds r"
    " JOIN sessions s ON s.token = r.session_token AND s.server_seed_hash = r.server_seed_hash"
    " WHERE r.rowid > ? GROUP BY r.session_token, s.server_seed_hash"
)
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations: SQLite only, after the provider's tables
_TOP = "SELECT COALESCE(MAX(rowid), 0) AS top FROM rounds"


class SessionCache:
    """Sessions by token as their rows were read (at most ``sessions_limit``), and the next nonces not yet written
    back, by token, each with the server seed hash it counts under.

    Every method that reads or changes them runs inside a transaction of ``db`` (``tx``), under its lock."""

    def __init__(
        self,
        db: SqliteDatabase,
        from_row: Callable[[Row], Session],
        *,
        sessions_limit: int = 8192,
        rounds_limit: int = 16384,
    ) -> None:
        """``from_row`` builds a session from its row (``Session.from_row``: its module imports this one)."""
        self._db = db
        self._from_row = from_row
        self._sessions_limit = sessions_limit
        self._rounds_limit = rounds_limit
        self._sessions: dict[str, Session] = {}
        self._next: dict[str, tuple[str, int]] = {}
        self._folded: int | None = None  # rounds up to this rowid are counted here or in the sessions table
        self._foreign = 0  # the engine's foreign_commits when rounds were last folded in
        self._rounds = 0  # rounds counted since the last write-back
        self._writing = False

    async def session(self, tx: Tx, token: str) -> Session | None:
        """The session with its next nonce, or ``None`` for an unknown token."""
        await self._sync(tx)
        held = self._sessions.get(token)
        if held is None:
            row = await tx.fetchone("SELECT * FROM sessions WHERE token = ?", token)
            if row is None:
                return None
            held = self._from_row(row)
            if len(self._sessions) >= self._sessions_limit:
                del self._sessions[next(iter(self._sessions))]  # the longest held
            self._sessions[token] = held
        return self._counted(held)

    def held(self, token: str) -> Session | None:
        """The session as held here, with its next nonce as counted here, without touching the database: ``None``
        when it is not held. Another process may have moved its nonce since; whoever records a round checks the
        nonce again under the lock (``session``)."""
        held = self._sessions.get(token)
        return None if held is None else self._counted(held)

    def _counted(self, held: Session) -> Session:
        counted = self._next.get(held.token)
        if counted is None or counted[0] != held.server_seed_hash or counted[1] <= held.nonce:
            return held
        return held.at(counted[1])

    def used(self, session: Session) -> None:
        """A round of ``session`` took its nonce (the round's transaction is being committed)."""
        self._next[session.token] = (session.server_seed_hash, session.nonce + 1)
        self._rounds += 1

    def drop(self, token: str) -> None:
        """The session's row is changing: read it again next time."""
        self._sessions.pop(token, None)

    async def _sync(self, tx: Tx) -> None:
        """Fold in the rounds this process has not counted: all those above the mark the first time, then those
        another connection may have inserted since the last look, whose sessions may have changed too."""
        if self._folded is None:
            row = await tx.fetchone("SELECT round_rowid FROM nonce_mark WHERE id = 0")
            self._folded = 0 if row is None else int(row["round_rowid"])
        elif self._foreign == self._db.foreign_commits:
            return
        self._foreign = self._db.foreign_commits
        self._sessions.clear()
        top = await tx.fetchone(_TOP)
        assert top is not None
        for row in await tx.fetchall(_FOLD, self._folded):
            counted = self._next.get(row["token"])
            if counted is None or counted[0] != row["seed"] or counted[1] <= row["nonce"]:
                self._next[row["token"]] = (row["seed"], row["nonce"] + 1)
        self._folded = int(top["top"])

    @property
    def due(self) -> bool:
        return not self._writing and (len(self._next) >= self._sessions_limit or self._rounds >= self._rounds_limit)

    async def write_back(self) -> None:
        """Write every count to the sessions table with the mark of the rounds they cover. Once that has committed,
        forget the counts that did not move meanwhile, and the sessions held with them (their rows changed)."""
        if self._writing:
            return
        self._writing = True
        try:
            async with self._db.transaction() as tx:
                await self._sync(tx)
                written = dict(self._next)
                self._rounds = 0
                for token, (seed, nonce) in written.items():
                    await tx.execute(
                        "UPDATE sessions SET nonce = ? WHERE token = ? AND server_seed_hash = ? AND nonce < ?",
                        nonce,
                        token,
                        seed,
                        nonce,
                    )
                top = await tx.fetchone(_TOP)
                assert top is not None
                await tx.execute("UPDATE nonce_mark SET round_rowid = ? WHERE id = 0", top["top"])
            for token, counted in written.items():
                if self._next.get(token) == counted:
                    del self._next[token]
                    self._sessions.pop(token, None)
        finally:
            self._writing = False

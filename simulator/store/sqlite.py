"""SQLite engine: one connection in WAL mode, used from the event loop.

Statements run synchronously: a ledger write takes tens of microseconds, far less than handing it to a thread would
cost. An asyncio lock serialises transactions (so rows commit in ``{serial}`` order and ``barrier`` has nothing to wait
for); WAL with ``synchronous=NORMAL`` survives a killed process (not a power cut), which is the durability the
simulator promises on the embedded default.

Group commit: a COMMIT (writing the changed pages to the WAL) costs more than the statements of a round, so the
transactions that finish within a few passes of the event loop share one. Each runs alone under the lock inside a
``SAVEPOINT`` (an error rolls back that transaction only); its caller then waits until a callback has committed them
all. How long the callback waits depends on the load. While the process keeps its CPU busy, it waits as long as the
batch keeps growing (the tasks that wallet replies wake run a pass or two after the reply is read, so their
transactions join), up to ``COMMIT_MAX_PASSES`` passes: one COMMIT then serves several times more rounds, and the
simulator plays more of them. Otherwise it commits within ``COMMIT_IDLE_PASSES``: a COMMIT costs little next to idle
CPU, and every pass waited is latency added to the rounds and wallet calls waiting for it. Nobody acts on a transaction
before it is durable, and a later transaction, which may have read an earlier one's rows, never commits without it. A
transaction that changed nothing while nothing else waits commits at once.

A transaction opened with ``savepoint=False`` skips its ``SAVEPOINT`` and ``RELEASE``: two statements on top of its
own two to four, the case of each of a round's three transactions. Its body promises to raise only before its first
write, where a failed statement undoes itself; if it raises after a write all the same, its whole batch rolls back and
every transaction waiting in it fails, so a broken promise costs availability, never a half-written transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from simulator.private_files import private_dir, private_file
from simulator.store.checkpoint import EVERY as CHECKPOINT_EVERY
from simulator.store.checkpoint import SAFETY_NET_PAGES, Checkpointer
from simulator.store.database import DuplicateKey, Row
from simulator.store.migrations import Migration, upgrade

# A rowid key numbers rows max + 1, so it counts up like AUTOINCREMENT in tables that never delete rows (none of the
# ``{serial}`` tables does) without updating sqlite_sequence on every insert. Databases made before keep AUTOINCREMENT.
_DDL_TYPES = {"serial": "INTEGER PRIMARY KEY", "real": "REAL"}
_DUPLICATE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
# A batch commits once COMMIT_QUIET_PASSES passes of the event loop in a row added no transaction to it, or after
# COMMIT_MAX_PASSES passes while the CPU is busy (else COMMIT_IDLE_PASSES). Measured with bench/round_throughput.py
# --pin: sixteen passes when busy took the simulator's CPU per round down by a tenth against two (scenario b, where it
# is the busy side); two passes when not busy played a fifth more rounds a second than sixteen (c2, where it is not).
COMMIT_QUIET_PASSES = 2
COMMIT_MAX_PASSES = 16
COMMIT_IDLE_PASSES = 2


class CpuLoad:
    """Whether this process kept its CPU busy lately: the CPU time it used over the wall time that passed, measured
    again when ``every`` seconds have passed since the last measurement."""

    def __init__(
        self,
        *,
        threshold: float = 0.9,
        every: float = 0.05,
        wall: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = time.process_time,
    ) -> None:
        self._threshold = threshold
        self._every = every
        self._wall = wall
        self._cpu = cpu
        self._since = (wall(), cpu())
        self._busy = False

    def busy(self) -> bool:
        now = self._wall()
        wall_then, cpu_then = self._since
        if now - wall_then >= self._every:
            used = self._cpu()
            self._busy = (used - cpu_then) / (now - wall_then) >= self._threshold
            self._since = (now, used)
        return self._busy


class _SqliteTx:
    for_update = ""
    skip_locked = ""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.IntegrityError as exc:
            if getattr(exc, "sqlite_errorname", "") in _DUPLICATE:
                raise DuplicateKey(str(exc)) from exc
            raise

    async def fetchone(self, sql: str, *args: Any) -> Row | None:
        return cast(Row | None, self._run(sql, args).fetchone())

    async def fetchall(self, sql: str, *args: Any) -> list[Row]:
        return cast(list[Row], self._run(sql, args).fetchall())

    async def execute(self, sql: str, *args: Any) -> int:
        return self._run(sql, args).rowcount

    async def barrier(self, table: str) -> None:
        """Nothing to do: one writer at a time already commits rows in order."""


class _Transaction:
    """``async with db.transaction() as tx``: a class rather than a generator, since every round opens three."""

    __slots__ = ("_db", "_savepoint")

    def __init__(self, db: SqliteDatabase, savepoint: bool) -> None:
        self._db = db
        self._savepoint = savepoint

    async def __aenter__(self) -> _SqliteTx:
        return await self._db._begin(self._savepoint)

    async def __aexit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        committed = self._db._finish(exc, self._savepoint)
        if committed is not None:
            await committed


class SqliteDatabase:
    dialect = "sqlite"

    def __init__(
        self, path: str, *, load: Callable[[], bool] | None = None, checkpoint_every: float = CHECKPOINT_EVERY
    ) -> None:
        """``load`` says whether the process is busy (default: ``CpuLoad().busy``), which sets how long batches wait;
        ``checkpoint_every``: seconds between the checkpointer thread's passes."""
        if path != ":memory:":
            private_dir(Path(path).parent)
            private_file(Path(path))
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
            self._conn.execute(f"PRAGMA {pragma}")
        # checkpoints run on a thread of their own (simulator.store.checkpoint), off the event loop
        self._checkpointer: Checkpointer | None = None
        if path != ":memory:":
            self._conn.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
            self._checkpointer = Checkpointer(path, every=checkpoint_every)
        self._lock = asyncio.Lock()
        self._open = False  # BEGIN issued, COMMIT pending
        self._changes_at_begin = 0
        self._changes_at_start = 0  # when the running transaction started, for one without a savepoint
        self._waiting: list[asyncio.Future[None]] = []  # callers of finished transactions, until the next COMMIT
        self._flush: asyncio.Handle | None = None
        # the open batch's loop, looked up once per batch: on Python 3.11 each lookup is a getpid() system call
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = load or CpuLoad().busy
        # batches that found rows another connection (another process on the same file) committed since the last
        # batch: SQLite's data_version moves only for other connections' commits
        self.foreign_commits = 0
        self._data_version: int | None = None

    def transaction(self, *, savepoint: bool = True) -> _Transaction:
        return _Transaction(self, savepoint)

    async def _begin(self, savepoint: bool) -> _SqliteTx:
        await self._lock.acquire()
        conn = self._conn
        try:
            if not self._open:
                self._loop = asyncio.get_running_loop()
                conn.execute("BEGIN IMMEDIATE")
                self._open = True
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._data_version:
                    self.foreign_commits += self._data_version is not None
                    self._data_version = version
                self._changes_at_begin = conn.total_changes
            if savepoint:
                conn.execute("SAVEPOINT tx")
            else:
                self._changes_at_start = conn.total_changes
        except BaseException:
            self._lock.release()
            raise
        return _SqliteTx(conn)

    def _finish(self, exc: BaseException | None, savepoint: bool) -> asyncio.Future[None] | None:
        """End one transaction under the lock (then released): the future to await until its batch commits, or
        ``None`` when there is nothing to wait for."""
        conn = self._conn
        try:
            if exc is not None:
                if not conn.in_transaction:  # SQLite rolled the batch back (I/O error, disk full): all lost their work
                    self._abandon_batch(exc)
                elif savepoint or conn.total_changes == self._changes_at_start:
                    if savepoint:
                        conn.execute("ROLLBACK TO tx")
                        conn.execute("RELEASE tx")
                    if not self._waiting:  # nothing else in the batch: end it rather than hold the write lock
                        self._end("COMMIT")
                else:  # it wrote, then raised, with no savepoint to undo it alone
                    with contextlib.suppress(sqlite3.Error):
                        self._end("ROLLBACK")
                    self._abandon_batch(exc)
                return None
            if savepoint:
                conn.execute("RELEASE tx")
            if not self._waiting and conn.total_changes == self._changes_at_begin:
                self._end("COMMIT")
                return None
            loop = self._loop or asyncio.get_running_loop()
            committed: asyncio.Future[None] = loop.create_future()
            self._waiting.append(committed)
            if self._flush is None:
                limit = COMMIT_MAX_PASSES if self._busy() else COMMIT_IDLE_PASSES
                self._flush = loop.call_soon(self._commit_batch, limit)
            return committed
        finally:
            self._lock.release()

    def _commit_batch(self, limit: int, passes: int = 1, quiet: int = 0, size: int = 0) -> None:
        """Called once per pass of the event loop while a batch waits, at most ``limit`` passes: ``passes`` so far, of
        which the last ``quiet`` added no transaction, when the batch held ``size``."""
        quiet = 0 if len(self._waiting) > size else quiet + 1
        # a transaction that is running and has yielded joins this batch too
        if self._lock.locked() or (passes < limit and quiet < COMMIT_QUIET_PASSES):
            loop = self._loop or asyncio.get_running_loop()
            self._flush = loop.call_soon(self._commit_batch, limit, passes + 1, quiet, len(self._waiting))
            return
        self._flush = None
        self._commit_now()

    def _commit_now(self) -> None:
        try:
            self._end("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._end("ROLLBACK")
            self._release(exc)
            return
        self._release(None)

    def _abandon_batch(self, error: BaseException) -> None:
        """The batch was rolled back: its waiting transactions fail, and no commit is due any more."""
        self._open = False
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        self._release(error)

    def _release(self, error: BaseException | None) -> None:
        """Wake the callers of the batch: committed, or failed with ``error``."""
        batch, self._waiting = self._waiting, []
        for waiter in batch:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(sqlite3.OperationalError(f"the transaction was not committed: {error}"))

    def _end(self, statement: str) -> None:
        self._open = False
        self._conn.execute(statement)

    async def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """See ``simulator.store.migrations``: ``BEGIN IMMEDIATE`` keeps other processes out while it runs."""
        async with self.transaction() as tx:
            return await upgrade(tx, component, migrations, _DDL_TYPES)

    async def close(self) -> None:
        async with self._lock:
            if self._flush is not None:
                self._flush.cancel()
                self._flush = None
            if self._open:
                self._commit_now()
            if self._checkpointer is not None:
                self._checkpointer.close()
            self._conn.close()

"""The catalogue's change log, in the simulator's database so every instance serves the same catalogue.

Two sources write it: the seeded schedule (change ``k`` falls due at ``epoch + k * interval``, where the epoch
is recorded by the first instance to start on that database) and the admin API. Scheduled changes are written
by whichever instance first notices they are due (a unique key makes that race harmless); every instance
applies the log in ``seq`` order. Reads are cheap: the log is consulted only when a scheduled change falls
due, after an admin call, or at most once per ``poll`` seconds to pick up other instances' admin calls.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Literal

from simulator.catalog.live import Catalog
from simulator.catalog.models import Change, ChangeKind
from simulator.clock import Clock
from simulator.store.database import Database, Row

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS catalog_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS catalog_changes (
        seq {serial},
        change_key TEXT NOT NULL UNIQUE,
        seed BIGINT NOT NULL,
        schedule_index BIGINT,
        kind TEXT NOT NULL,
        game_id TEXT NOT NULL,
        source TEXT NOT NULL,
        fields TEXT NOT NULL,
        at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS catalog_changes_seed ON catalog_changes (seed, seq)",
)
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations
MAX_BATCH = 500  # scheduled changes written per sync; a long-stopped instance catches up over a few requests


def _change(row: Row) -> Change:
    source: Literal["schedule", "admin"] = "admin" if row["source"] == "admin" else "schedule"
    return Change(int(row["seq"]), row["kind"], row["game_id"], source, float(row["at"]), json.loads(row["fields"]))


class CatalogSync:
    def __init__(self, db: Database, catalog: Catalog, clock: Clock, *, interval: float, poll: float = 1.0) -> None:
        self._db = db
        self.catalog = catalog
        self._clock = clock
        self._interval = interval
        self._poll = poll
        self._seed = catalog.blueprint.seed
        self.epoch = 0.0
        self._scheduled = 0
        self._next_poll = 0.0

    async def start(self) -> None:
        await self._db.migrate("catalog", MIGRATIONS)
        key = f"epoch:{self._seed}"
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO catalog_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                key,
                repr(self._clock.now()),
            )
            row = await tx.fetchone("SELECT value FROM catalog_meta WHERE key = ?", key)
            top = await tx.fetchone("SELECT MAX(schedule_index) AS top FROM catalog_changes WHERE seed = ?", self._seed)
        assert row is not None
        self.epoch = float(row["value"])
        self._scheduled = int(top["top"]) if top is not None and top["top"] is not None else 0
        if self.catalog.last_modified is None:
            self.catalog.last_modified = self.epoch
        await self.sync()

    def _due(self) -> int:
        if self._interval <= 0:
            return 0
        return max(0, math.floor((self._clock.now() - self.epoch) / self._interval))

    async def refresh(self) -> None:
        """Bring the catalogue up to date if a scheduled change fell due or the poll interval passed."""
        if self._due() > self._scheduled or self._clock.monotonic() >= self._next_poll:
            await self.sync()

    async def sync(self) -> None:
        due = min(self._due(), self._scheduled + MAX_BATCH)
        async with self._db.transaction() as tx:
            if due > self._scheduled:
                for item in self.catalog.blueprint.scheduled(due)[self._scheduled :]:
                    await tx.execute(
                        "INSERT INTO catalog_changes (change_key, seed, schedule_index, kind, game_id,"
                        " source, fields, at) VALUES (?, ?, ?, ?, ?, 'schedule', ?, ?)"
                        " ON CONFLICT (change_key) DO NOTHING",
                        f"{self._seed}:schedule:{item.index}",
                        self._seed,
                        item.index,
                        item.kind,
                        item.game_id,
                        json.dumps(item.fields, default=list),
                        self.epoch + item.index * self._interval,
                    )
                self._scheduled = due
            rows = await tx.fetchall(
                "SELECT * FROM catalog_changes WHERE seed = ? AND seq > ? ORDER BY seq",
                self._seed,
                self.catalog.version,
            )
        self.catalog.apply(_change(r) for r in rows)
        self._next_poll = self._clock.monotonic() + self._poll

    async def record(self, game_id: str, kind: ChangeKind) -> Change:
        """An admin change (``disabled`` or ``enabled``), applied here at once and by other instances on their
        next poll."""
        key = f"{self._seed}:admin:{uuid.uuid4()}"
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO catalog_changes (change_key, seed, schedule_index, kind, game_id, source,"
                " fields, at) VALUES (?, ?, NULL, ?, ?, 'admin', '{}', ?)",
                key,
                self._seed,
                kind,
                game_id,
                self._clock.now(),
            )
            row = await tx.fetchone("SELECT seq FROM catalog_changes WHERE change_key = ?", key)
        assert row is not None
        await self.sync()
        seq = int(row["seq"])
        return next(c for c in reversed(self.catalog.changes) if c.seq == seq)

"""Start counts per database, so deterministic ids never repeat across restarts on the same data.

Deterministic mode derives every id from the root seed and a counter. A restart on the same database would count
from zero again and mint ids that already exist; the epoch (how many times this kind of process started on this
database before) goes into the derivation instead, and identical runs still get identical ids.
"""

from __future__ import annotations

from simulator.store.database import Database

SCHEMA = ("CREATE TABLE IF NOT EXISTS starts (seq {serial}, name TEXT NOT NULL, started_at {real} NOT NULL)",)
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations


async def next_epoch(db: Database, name: str, now: float) -> int:
    """Record a start of ``name`` and return how many starts of it came before."""
    await db.migrate("epochs", MIGRATIONS)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO starts (name, started_at) VALUES (?, ?)", name, now)
        row = await tx.fetchone("SELECT COUNT(*) AS n FROM starts WHERE name = ?", name)
    assert row is not None
    return int(row["n"]) - 1

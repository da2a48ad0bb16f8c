"""Rounds written straight into the store in bulk (multi-row inserts), for report tests that need thousands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.store.database import Database
from simulator.store.records import Round

COLUMNS = Round.__slots__
BATCH = 400


def round_row(
    n: int, *, game_id: str, studio_id: str, engine_id: str, stake: int, win: int, at: float, currency: str = "USD"
) -> tuple[Any, ...]:
    values = {
        "round_id": f"r-{game_id}-{n}",
        "session_token": "s",
        "player_id": f"p-{n % 50}",
        "game_id": game_id,
        "studio_id": studio_id,
        "engine_id": engine_id,
        "currency": currency,
        "stake": stake,
        "win": win,
        "status": "closed",
        "params": "{}",
        "outcome": "{}",
        "server_seed_hash": "h",
        "client_seed": "c",
        "nonce": n,
        "version": 0,
        "created_at": at,
        "updated_at": at,
    }
    return tuple(values[c] for c in COLUMNS)


async def insert_rounds(db: Database, rows: Sequence[tuple[Any, ...]]) -> None:
    one = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        sql = f"INSERT INTO rounds ({', '.join(COLUMNS)}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608
        async with db.transaction() as tx:
            await tx.execute(sql, *(v for row in batch for v in row))

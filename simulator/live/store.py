"""Live table rounds, the players' bets in them, and who holds each table's clock, in the provider's database.

A table round is one row of ``live_rounds``; it moves only through ``simulator.live.phases.PHASE_MOVES``, one
conditional update each. A player's bet is a provider round (``rounds``) with its pending opening bet
(``transactions``), recorded by ``record_bet`` in the transaction that locks the table round and finds it still
``betting``: that lock is what makes "no more bets" exact, however late the request arrives. The player round's
fairness inputs are the table round's (server seed hash, client seed, the round number as nonce), so
the ordinary round verification recomputes it once the table round's seed is revealed (``revealed_seeds``). A live
crash table's rounds take successive games of the table's hash chain (``live_chains``), the game hash as the seed.

The clock of a table is held by one process at a time through a lease row (``live_leases``), taken over when it
expires: a process that dies leaves the table to the next one that asks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator.jsonbytes import dumps
from simulator.lifecycle import RoundEvent
from simulator.live.phases import PHASE_MOVES, Phase, TableEvent
from simulator.store.database import Database, Row
from simulator.store.history import RoundHistory
from simulator.store.outbox import insert_transaction
from simulator.store.records import Round, Transaction
from simulator.store.rounds import RoundRepository
from simulator.store.transitions import transition

LIVE_ROUNDS = "engine_id LIKE 'live-%'"  # written alike in the index and its queries, so SQLite matches them
MIGRATIONS = (
    (
        """CREATE TABLE IF NOT EXISTS live_rounds (
            round_id TEXT PRIMARY KEY,
            table_id TEXT NOT NULL,
            round_no BIGINT NOT NULL,
            phase TEXT NOT NULL,
            opened_at {real} NOT NULL,
            closes_at {real} NOT NULL,
            decides_at {real} NOT NULL,
            server_seed_hash TEXT NOT NULL,
            server_seed TEXT NOT NULL,
            result TEXT,
            updated_at {real} NOT NULL,
            UNIQUE (table_id, round_no))""",
        "CREATE INDEX IF NOT EXISTS live_rounds_phase ON live_rounds (phase, table_id)",
        """CREATE TABLE IF NOT EXISTS live_leases (
            table_id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at {real} NOT NULL)""",
        # only live tables' rounds enter it, so the single-player rounds' inserts do not pay for it
        f"CREATE INDEX IF NOT EXISTS rounds_live ON rounds (game_id, nonce) WHERE {LIVE_ROUNDS}",
        """CREATE TABLE IF NOT EXISTS live_chains (
            table_id TEXT PRIMARY KEY,
            seed TEXT NOT NULL,
            salt TEXT NOT NULL,
            length BIGINT NOT NULL)""",
    ),
)


@dataclass(frozen=True, slots=True)
class TableRound:
    round_id: str
    table_id: str
    round_no: int
    phase: Phase
    opened_at: float
    closes_at: float
    decides_at: float
    server_seed_hash: str
    server_seed: str  # secret until the result; never sent before
    result: dict[str, Any] | None
    updated_at: float

    @staticmethod
    def from_row(row: Row) -> TableRound:
        values = {k: row[k] for k in TableRound.__slots__}
        values["phase"] = Phase(values["phase"])
        values["result"] = None if values["result"] is None else json.loads(values["result"])
        return TableRound(**values)


BetRecord = Literal["recorded", "closed", "over_limit"]
_COLUMNS = TableRound.__slots__
_INSERT = f"INSERT INTO live_rounds ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"  # noqa: S608
_SETTLE_SQL = (
    f"SELECT * FROM rounds WHERE {LIVE_ROUNDS} AND game_id = ? AND nonce = ? AND status = 'open'"  # noqa: S608
    " AND server_seed_hash = ?"
)


class LiveStore:
    def __init__(self, db: Database, history: RoundHistory) -> None:
        self._db = db
        self._history = history  # told of every player's round recorded, for the rounds it writes behind

    async def migrate(self) -> None:
        await self._db.migrate("live", MIGRATIONS)

    # the clock lease

    async def hold(self, table_id: str, owner: str, now: float, lease: float) -> bool:
        """Take or renew the table's clock for ``lease`` seconds; false while another process holds it."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO live_leases (table_id, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                table_id,
                owner,
                now + lease,
            )
            changed = await tx.execute(
                "UPDATE live_leases SET owner = ?, expires_at = ? WHERE table_id = ? AND (owner = ? OR expires_at < ?)",
                owner,
                now + lease,
                table_id,
                owner,
                now,
            )
        return changed == 1

    async def release(self, table_id: str, owner: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM live_leases WHERE table_id = ? AND owner = ?", table_id, owner)

    # table rounds

    async def open_round(self, r: TableRound) -> bool:
        """Record a new table round; false when its number was taken (another process opened it first)."""
        values: list[Any] = [getattr(r, k) for k in _COLUMNS]
        values[_COLUMNS.index("result")] = None if r.result is None else dumps(r.result).decode()
        async with self._db.transaction() as tx:
            taken = await tx.fetchone(
                "SELECT 1 FROM live_rounds WHERE table_id = ? AND round_no = ?", r.table_id, r.round_no
            )
            if taken is not None:
                return False
            await tx.execute(_INSERT, *values)
        return True

    async def chain(self, table_id: str, seed: str, salt: str, length: int) -> tuple[str, str, int]:
        """The table's hash chain (secret seed, public salt, length): the one recorded first, so every process and
        every restart plays the same chain; ``seed``, ``salt`` and ``length`` are recorded when there is none yet."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO live_chains (table_id, seed, salt, length) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                table_id,
                seed,
                salt,
                length,
            )
            row = await tx.fetchone("SELECT seed, salt, length FROM live_chains WHERE table_id = ?", table_id)
        assert row is not None
        return str(row["seed"]), str(row["salt"]), int(row["length"])

    async def tables_in_play(self) -> list[str]:
        """Tables with a round not yet settled: a process that starts runs them on, so that what a stopped or crashed
        one left is finished."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT DISTINCT table_id FROM live_rounds WHERE phase <> ? ORDER BY table_id", Phase.SETTLED.value
            )
        return [str(r["table_id"]) for r in rows]

    async def latest(self, table_id: str) -> TableRound | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM live_rounds WHERE table_id = ? ORDER BY round_no DESC LIMIT 1", table_id
            )
        return None if row is None else TableRound.from_row(row)

    async def get(self, round_id: str) -> TableRound | None:
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM live_rounds WHERE round_id = ?", round_id)
        return None if row is None else TableRound.from_row(row)

    async def history(self, table_id: str, limit: int) -> list[TableRound]:
        """The last ``limit`` rounds with a result, oldest first."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM live_rounds WHERE table_id = ? AND result IS NOT NULL ORDER BY round_no DESC LIMIT ?",
                table_id,
                limit,
            )
        return [TableRound.from_row(r) for r in reversed(rows)]

    async def unsettled(self, table_id: str) -> list[TableRound]:
        """Rounds whose result is recorded but whose bets are not all settled yet, oldest first."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM live_rounds WHERE table_id = ? AND phase = ? ORDER BY round_no",
                table_id,
                Phase.DECIDED.value,
            )
        return [TableRound.from_row(r) for r in rows]

    async def move(self, round_id: str, event: TableEvent, now: float, *, result: dict[str, Any] | None = None) -> bool:
        """Apply ``event`` to the table round (with its result, for ``RESULT``, which also reveals the round's server
        seed for verification); false, with nothing changed, when the round is not in the event's source phase."""
        source, target = PHASE_MOVES[event]
        async with self._db.transaction() as tx:
            if result is None:
                changed = await tx.execute(
                    "UPDATE live_rounds SET phase = ?, updated_at = ? WHERE round_id = ? AND phase = ?",
                    target.value,
                    now,
                    round_id,
                    source.value,
                )
                return changed == 1
            changed = await tx.execute(
                "UPDATE live_rounds SET phase = ?, result = ?, updated_at = ? WHERE round_id = ? AND phase = ?",
                target.value,
                dumps(result).decode(),
                now,
                round_id,
                source.value,
            )
            if changed == 1:
                row = await tx.fetchone(
                    "SELECT server_seed_hash, server_seed FROM live_rounds WHERE round_id = ?", round_id
                )
                assert row is not None
                await tx.execute(
                    "INSERT INTO revealed_seeds (server_seed_hash, server_seed, revealed_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    row["server_seed_hash"],
                    row["server_seed"],
                    now,
                )
        return changed == 1

    # players' bets

    async def record_bet(self, table: TableRound, round_: Round, bet: Transaction, *, max_total: int) -> BetRecord:
        """Record a player's round and its pending opening bet if the table round still takes bets and the
        player's stakes in it stay within ``max_total``; otherwise nothing is written and the answer says why."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT phase FROM live_rounds WHERE round_id = ?{tx.for_update}",  # noqa: S608
                table.round_id,
            )
            if row is None or row["phase"] != Phase.BETTING:
                return "closed"
            staked = await tx.fetchone(
                f"SELECT COALESCE(SUM(stake), 0) AS total FROM rounds WHERE {LIVE_ROUNDS} AND game_id = ?"  # noqa: S608
                " AND session_token = ?"
                " AND nonce = ? AND server_seed_hash = ? AND status NOT IN ('void', 'rolled_back', 'rolling_back')",
                table.table_id,
                round_.session_token,
                table.round_no,
                table.server_seed_hash,
            )
            assert staked is not None
            if int(staked["total"]) + round_.stake > max_total:
                return "over_limit"
            await RoundRepository.insert(tx, round_)
            await insert_transaction(tx, bet)
        if self._history.recorded():
            await self._history.fold()
        return "recorded"

    async def cancel_bet(self, table_round_id: str, round_id: str, rollback: Transaction, now: float) -> bool:
        """Queue the rollback of a player's acknowledged bet while the table round still takes bets; false, with
        nothing changed, when the window has closed or the round is no longer open."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT phase FROM live_rounds WHERE round_id = ?{tx.for_update}",  # noqa: S608
                table_round_id,
            )
            if row is None or row["phase"] != Phase.BETTING:
                return False
            if not await transition(tx, round_id, RoundEvent.BET_CANCELLED, now):
                return False
            await insert_transaction(tx, rollback)
        return True

    async def open_bets(self, table: TableRound) -> list[tuple[Round, Transaction]]:
        """The player rounds of ``table`` still open, each with its opening bet (acknowledged or still pending)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(_SETTLE_SQL, table.table_id, table.round_no, table.server_seed_hash)
            rounds = [Round.from_row(r) for r in rows]
            bets: dict[str, Transaction] = {}
            if rounds:
                marks = ", ".join("?" * len(rounds))
                for row in await tx.fetchall(
                    f"SELECT * FROM transactions WHERE kind = 'bet' AND round_id IN ({marks})",  # noqa: S608
                    *(r.round_id for r in rounds),
                ):
                    t = Transaction.from_row(row)
                    bets[t.round_id] = t
        return [(r, bets[r.round_id]) for r in rounds if r.round_id in bets]

    async def queue_wins(self, settled: Sequence[tuple[str, dict[str, Any], int, Transaction]], now: float) -> int:
        """For each (player round id, outcome, win, closing win): the round's outcome and win recorded and its closing
        win queued, atomically, for the rounds still open; returns how many were."""
        queued = 0
        async with self._db.transaction() as tx:
            for round_id, outcome, win, closing in settled:
                sets = [("outcome", dumps(outcome).decode()), ("win", win)]
                if await transition(tx, round_id, RoundEvent.CLOSING_WIN_QUEUED, now, sets=sets):
                    await insert_transaction(tx, closing)
                    queued += 1
        return queued

    async def player_rounds(self, table: TableRound, session_tokens: Sequence[str]) -> list[tuple[Round, int | None]]:
        """The rounds these sessions played in ``table``, each with the balance its last acknowledged transaction
        left (or None)."""
        if not session_tokens:
            return []
        marks = ", ".join("?" * len(session_tokens))
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM rounds WHERE {LIVE_ROUNDS} AND game_id = ? AND nonce = ? AND server_seed_hash = ?"  # noqa: S608
                f" AND session_token IN ({marks})",
                table.table_id,
                table.round_no,
                table.server_seed_hash,
                *session_tokens,
            )
            rounds = [Round.from_row(r) for r in rows]
            balances: dict[str, int | None] = {}
            if rounds:
                ids = ", ".join("?" * len(rounds))
                for row in await tx.fetchall(
                    f"SELECT round_id, balance_after FROM transactions WHERE round_id IN ({ids})"  # noqa: S608
                    " AND status = 'acked' AND balance_after IS NOT NULL ORDER BY seq",
                    *(r.round_id for r in rounds),
                ):
                    balances[row["round_id"]] = row["balance_after"]
        return [(r, balances.get(r.round_id)) for r in rounds]

"""The market state of regulated sessions, in a table of its own beside the provider's: the rules fixed at launch,
and what the gate counts as the session goes on (rounds started, money staked and won, the next reality check,
whether the session is still open).

Sessions launched with no rule to keep have no row, and the round path learns that once per process and token
(``rules`` keeps the answer), so unregulated play costs one read per session, not one per round. Every count moves
in one conditional update, so two rounds racing in one session cannot both take the last second or the last of the
loss limit.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from simulator.markets.session import SessionRules
from simulator.store.database import Database, Row
from simulator.store.sessions import SessionClosed, mark_closed

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS session_markets (
        token TEXT PRIMARY KEY,
        rules TEXT NOT NULL,
        started_at {real} NOT NULL,
        last_round_at {real},
        rounds BIGINT NOT NULL DEFAULT 0,
        staked BIGINT NOT NULL DEFAULT 0,
        won BIGINT NOT NULL DEFAULT 0,
        next_check_at {real},
        status TEXT NOT NULL,
        closed_reason TEXT,
        updated_at {real} NOT NULL)""",
)
# sessions the gate closed before the sessions table recorded closes (provider migration 4, which runs first) are
# closed there too, so the expiry sweep does not close them a second time
CLOSES = (
    "UPDATE sessions SET"
    " closed_at = (SELECT m.updated_at FROM session_markets m WHERE m.token = sessions.token),"
    " closed_reason = (SELECT m.closed_reason FROM session_markets m WHERE m.token = sessions.token)"
    " WHERE closed_at IS NULL AND token IN (SELECT token FROM session_markets WHERE status = 'closed')",
)
MIGRATIONS = (SCHEMA, CLOSES)

ACTIVE, REALITY_CHECK, CLOSED = "active", "reality_check", "closed"
HELD = 65_536  # tokens whose rules (or their absence) this process remembers


@dataclass(frozen=True, slots=True)
class MarketState:
    token: str
    rules: SessionRules
    started_at: float
    last_round_at: float | None
    rounds: int
    staked: int
    won: int
    next_check_at: float | None
    status: str
    closed_reason: str | None

    @staticmethod
    def from_row(row: Row) -> MarketState:
        return MarketState(
            token=row["token"],
            rules=SessionRules.loads(row["rules"]),
            started_at=float(row["started_at"]),
            last_round_at=None if row["last_round_at"] is None else float(row["last_round_at"]),
            rounds=int(row["rounds"]),
            staked=int(row["staked"]),
            won=int(row["won"]),
            next_check_at=None if row["next_check_at"] is None else float(row["next_check_at"]),
            status=row["status"],
            closed_reason=row["closed_reason"],
        )

    @property
    def net(self) -> int:
        """The player's net result so far: wins less stakes (negative when losing)."""
        return self.won - self.staked


class MarketStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._rules: OrderedDict[str, SessionRules | None] = OrderedDict()
        self._closed: SessionClosed | None = None

    def subscribe(self, sink: SessionClosed) -> None:
        """Have ``sink`` write with every session that closes (webhooks: only when configured)."""
        self._closed = sink

    async def migrate(self) -> None:
        await self._db.migrate("markets", MIGRATIONS)

    async def create(self, token: str, rules: SessionRules, now: float) -> None:
        check = None if rules.reality_check_interval is None else now + rules.reality_check_interval
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO session_markets (token, rules, started_at, next_check_at, status, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                token,
                rules.dumps(),
                now,
                check,
                ACTIVE,
                now,
            )
        self._hold(token, rules)

    def _hold(self, token: str, rules: SessionRules | None) -> None:
        if token not in self._rules and len(self._rules) >= HELD:
            self._rules.popitem(last=False)
        self._rules[token] = rules

    def unregulated(self, token: str) -> bool:
        """Whether the session is known to have been launched without rules (no await, no query: the common case)."""
        return token in self._rules and self._rules[token] is None

    async def rules(self, token: str) -> SessionRules | None:
        """The session's rules; ``None`` for a session launched without any (remembered either way)."""
        if token in self._rules:
            return self._rules[token]
        async with self._db.transaction(savepoint=False) as tx:
            row = await tx.fetchone("SELECT rules FROM session_markets WHERE token = ?", token)
        rules = None if row is None else SessionRules.loads(row["rules"])
        self._hold(token, rules)
        return rules

    async def state(self, token: str) -> MarketState | None:
        async with self._db.transaction(savepoint=False) as tx:
            row = await tx.fetchone("SELECT * FROM session_markets WHERE token = ?", token)
        return None if row is None else MarketState.from_row(row)

    async def start_round(self, token: str, rules: SessionRules, amount: int, now: float) -> bool:
        """Count a round of ``amount`` as started at ``now``, if the session is open, no reality check is due, its
        time is not up, the minimum time since the last round has passed and the stake fits the loss limit; false,
        with nothing changed, otherwise."""
        where = ["token = ?", "status = ?", "(next_check_at IS NULL OR next_check_at > ?)"]
        args: list[object] = [token, ACTIVE, now]
        if rules.min_round_seconds:
            where.append("(last_round_at IS NULL OR last_round_at <= ?)")
            args.append(now - rules.min_round_seconds)
        if rules.session_time_limit is not None:
            where.append("started_at > ?")
            args.append(now - rules.session_time_limit)
        if rules.loss_limit is not None:
            where.append("staked - won + ? <= ?")
            args += [amount, rules.loss_limit]
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute(
                    "UPDATE session_markets SET last_round_at = ?, rounds = rounds + 1, staked = staked + ?,"  # noqa: S608
                    f" updated_at = ? WHERE {' AND '.join(where)}",
                    now,
                    amount,
                    now,
                    *args,
                )
            )

    async def add_stake(self, token: str, rules: SessionRules, amount: int, now: float) -> bool:
        """Count an extra bet in an open round (double, split), if it fits the loss limit."""
        where = "token = ?"
        args: list[object] = [token]
        if rules.loss_limit is not None:
            where += " AND staked - won + ? <= ?"
            args += [amount, rules.loss_limit]
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute(
                    f"UPDATE session_markets SET staked = staked + ?, updated_at = ? WHERE {where}",  # noqa: S608
                    amount,
                    now,
                    *args,
                )
            )

    async def settle(self, token: str, *, won: int = 0, refunded: int = 0, now: float) -> MarketState:
        """Count a win (or a stake given back: a void round, a rolled-back bet) and return the state after it."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE session_markets SET won = won + ?, staked = staked - ?, updated_at = ? WHERE token = ?",
                won,
                refunded,
                now,
                token,
            )
            row = await tx.fetchone("SELECT * FROM session_markets WHERE token = ?", token)
        assert row is not None
        return MarketState.from_row(row)

    async def move(
        self,
        token: str,
        source: str,
        target: str,
        now: float,
        *,
        reason: str | None = None,
        next_check_at: float | None = None,
    ) -> bool:
        """Move the session from ``source`` to ``target`` status (closing it with ``reason``, or setting the next
        reality check); false when it was not in ``source``. A close also closes the session's own row, and
        announces it only if that row was still open (its expiry may have closed it first)."""
        sets = "status = ?, updated_at = ?"
        args: list[object] = [target, now]
        if reason is not None:
            sets += ", closed_reason = ?"
            args.append(reason)
        if next_check_at is not None:
            sets += ", next_check_at = ?"
            args.append(next_check_at)
        async with self._db.transaction() as tx:
            moved = bool(
                await tx.execute(
                    f"UPDATE session_markets SET {sets} WHERE token = ? AND status = ?",  # noqa: S608
                    *args,
                    token,
                    source,
                )
            )
            if moved and target == CLOSED:
                first = await mark_closed(tx, token, reason or CLOSED, now)
                if first and self._closed is not None:
                    await self._closed(tx, token, now)
            return moved

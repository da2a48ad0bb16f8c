"""The reference wallet's tables, row types and refusal error, shared by the ledger and its sandbox controls.

Balances are kept apart: ``balance`` is cash, ``bonus_balance`` is bonus money, and ``free_rounds`` holds
free-round allowances per campaign. Every change to either balance is an entry (provider transactions, and the
sandbox's ``deposit`` and ``bonus_credit``), each carrying the balances after it, so a player's balances
always equal the sum of their entries' signed amounts.
"""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass, replace
from typing import Literal

from simulator.errors import SimulatorError
from simulator.store.database import Row, Tx

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS players (
        player_id TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        balance BIGINT NOT NULL CHECK (balance >= 0),
        bonus_balance BIGINT NOT NULL DEFAULT 0 CHECK (bonus_balance >= 0),
        blocked INTEGER NOT NULL DEFAULT 0,
        daily_wager_limit BIGINT,
        daily_loss_limit BIGINT,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        expires_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS entries (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL REFERENCES players (player_id),
        round_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        funds TEXT NOT NULL,
        campaign_id TEXT,
        reference_transaction_id TEXT,
        round_closed INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        balance_after BIGINT NOT NULL,
        bonus_balance_after BIGINT NOT NULL,
        created_at {real} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS entries_round ON entries (round_id)",
    "CREATE INDEX IF NOT EXISTS entries_player ON entries (player_id, seq)",
    """CREATE TABLE IF NOT EXISTS tombstones (
        transaction_id TEXT PRIMARY KEY,
        rollback_transaction_id TEXT NOT NULL,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS wallet_rounds (
        round_id TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        funds TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS free_rounds (
        player_id TEXT NOT NULL REFERENCES players (player_id),
        campaign_id TEXT NOT NULL,
        remaining INTEGER NOT NULL CHECK (remaining >= 0),
        PRIMARY KEY (player_id, campaign_id))""",
    """CREATE TABLE IF NOT EXISTS disabled_games (
        game_id TEXT PRIMARY KEY,
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS daily_totals (
        player_id TEXT NOT NULL REFERENCES players (player_id),
        day TEXT NOT NULL,
        wagered BIGINT NOT NULL,
        lost BIGINT NOT NULL,
        PRIMARY KEY (player_id, day))""",
)
# the ledger's migrations (simulator.store.migrations), in order: the first is the schema of the releases that recorded
# no version, kept as it was; a change to the tables is a new entry at the end
MIGRATIONS = (
    SCHEMA,
    ("ALTER TABLE players ADD COLUMN self_excluded INTEGER NOT NULL DEFAULT 0",),  # a responsible-gaming refusal
)

# columns of the ledger export, in order (docs/settlement.md describes each)
EXPORT_COLUMNS = (
    "seq",
    "transaction_id",
    "kind",
    "player_id",
    "round_id",
    "game_id",
    "studio_id",
    "amount",
    "currency",
    "funds",
    "campaign_id",
    "reference_transaction_id",
    "round_closed",
    "balance_after",
    "bonus_balance_after",
    "created_at",
)

Funds = Literal["cash", "bonus", "free_round"]
Kind = Literal["bet", "win", "rollback", "deposit", "bonus_credit"]

_STATUS = {
    "INVALID_REQUEST": 400,
    "INVALID_SIGNATURE": 401,
    "INVALID_SESSION": 401,
    "SESSION_EXPIRED": 401,
    "PLAYER_BLOCKED": 403,
    "SELF_EXCLUDED": 403,
    "INSUFFICIENT_FUNDS": 402,
    "LIMIT_EXCEEDED": 403,
    "CURRENCY_MISMATCH": 400,
    "UNKNOWN_GAME": 400,
    "TRANSACTION_NOT_FOUND": 404,
    "TRANSACTION_MISMATCH": 409,
    "TRANSACTION_ROLLED_BACK": 409,
    "ROUND_CLOSED": 409,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
}


class LedgerError(SimulatorError):
    """A refusal in the wallet protocol's vocabulary; the balances are included where the protocol asks."""

    def __init__(
        self, code: str, message: str, *, balance: int | None = None, bonus_balance: int | None = None
    ) -> None:
        extra = {k: v for k, v in (("balance", balance), ("bonus_balance", bonus_balance)) if v is not None}
        super().__init__(message, code=code, extra=extra)
        self.status = _STATUS.get(code, 400)

    @classmethod
    def with_balances(cls, code: str, message: str, player: Player) -> LedgerError:
        """A refusal that tells the caller where the player stands: insufficient funds, a limit, an unknown bet."""
        return cls(code, message, balance=player.balance, bonus_balance=player.bonus_balance)


@dataclass(frozen=True, slots=True)
class Player:
    player_id: str
    currency: str
    balance: int
    bonus_balance: int
    blocked: bool
    daily_wager_limit: int | None
    daily_loss_limit: int | None
    self_excluded: bool = False

    @staticmethod
    def from_row(row: Row) -> Player:
        return Player(
            row["player_id"],
            row["currency"],
            int(row["balance"]),
            int(row["bonus_balance"]),
            bool(row["blocked"]),
            None if row["daily_wager_limit"] is None else int(row["daily_wager_limit"]),
            None if row["daily_loss_limit"] is None else int(row["daily_loss_limit"]),
            bool(row["self_excluded"]),
        )


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """Cash wagered and net cash lost (wagered minus won and refunded) on one UTC day of the wallet's
    clock."""

    day: str
    wagered: int = 0
    lost: int = 0


def day_of(timestamp: float) -> str:
    """The UTC day of a Unix time, ``YYYY-MM-DD``, as ``datetime.fromtimestamp`` dates it (the time rounded to the
    microsecond, half to even, first): every bet and win asks, so the text is made once per day."""
    fraction, whole = math.modf(timestamp)
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:
        whole += 1
    elif micros < 0:
        whole -= 1
    return _day(int(whole) // 86400)


@functools.lru_cache(maxsize=8)
def _day(days: int) -> str:
    return (_EPOCH + datetime.timedelta(days=days)).isoformat()


_EPOCH = datetime.date(1970, 1, 1)


def export_row(row: Row) -> dict[str, object]:
    out = {k: row[k] for k in EXPORT_COLUMNS}
    out["round_closed"] = bool(out["round_closed"])
    return out


# statements shared by the ledger and the sandbox; each runs inside the caller's transaction


async def lock_player(tx: Tx, player_id: str, *, for_update: bool = True) -> Player:
    lock = tx.for_update if for_update else ""
    row = await tx.fetchone(f"SELECT * FROM players WHERE player_id = ?{lock}", player_id)  # noqa: S608
    if row is None:
        raise LedgerError("INVALID_SESSION", f"unknown player {player_id!r}")
    return Player.from_row(row)


async def existing_player(tx: Tx, player_id: str) -> Player:
    """The locked player, for the sandbox: an unknown id is ``NOT_FOUND`` there, not a protocol error."""
    try:
        return await lock_player(tx, player_id)
    except LedgerError:
        raise LedgerError("NOT_FOUND", f"no player {player_id!r}") from None


async def totals(tx: Tx, player_id: str, day: str) -> DailyTotals:
    row = await tx.fetchone("SELECT wagered, lost FROM daily_totals WHERE player_id = ? AND day = ?", player_id, day)
    return DailyTotals(day) if row is None else DailyTotals(day, int(row["wagered"]), int(row["lost"]))


async def add_totals(tx: Tx, player_id: str, day: str, wagered: int, lost: int) -> None:
    await tx.execute(
        "INSERT INTO daily_totals (player_id, day, wagered, lost) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (player_id, day) DO UPDATE"
        " SET wagered = daily_totals.wagered + excluded.wagered, lost = daily_totals.lost + excluded.lost",
        player_id,
        day,
        wagered,
        lost,
    )


async def disabled_game(tx: Tx, game_id: str) -> bool:
    return await tx.fetchone("SELECT 1 FROM disabled_games WHERE game_id = ?", game_id) is not None


async def entry(tx: Tx, transaction_id: str) -> Row | None:
    return await tx.fetchone("SELECT * FROM entries WHERE transaction_id = ?", transaction_id)


@dataclass(frozen=True, slots=True)
class NewEntry:
    transaction_id: str
    kind: Kind
    amount: int
    funds: Funds
    created_at: float
    round_id: str = ""
    game_id: str = ""
    studio_id: str = ""
    campaign_id: str | None = None
    reference_transaction_id: str | None = None
    round_closed: bool = False
    fingerprint: str = ""


async def append(tx: Tx, player: Player, new: NewEntry, *, cash: int = 0, bonus: int = 0) -> Player:
    """Move the balances by ``cash`` and ``bonus`` and write the entry that says so; returns the player
    after."""
    after = replace(player, balance=player.balance + cash, bonus_balance=player.bonus_balance + bonus)
    if cash or bonus:
        await tx.execute(
            "UPDATE players SET balance = ?, bonus_balance = ? WHERE player_id = ?",
            after.balance,
            after.bonus_balance,
            player.player_id,
        )
    await tx.execute(
        "INSERT INTO entries (transaction_id, kind, player_id, round_id, game_id, studio_id, amount,"
        " currency, funds, campaign_id, reference_transaction_id, round_closed, fingerprint, balance_after,"
        " bonus_balance_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new.transaction_id,
        new.kind,
        player.player_id,
        new.round_id,
        new.game_id,
        new.studio_id,
        new.amount,
        player.currency,
        new.funds,
        new.campaign_id,
        new.reference_transaction_id,
        int(new.round_closed),
        new.fingerprint,
        after.balance,
        after.bonus_balance,
        new.created_at,
    )
    return after

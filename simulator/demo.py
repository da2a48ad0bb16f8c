"""Demo play: fun money kept with the session in the simulator's own database, and no wallet call at all.

A demo session's wallet token is ``demo:<session token>``, a form no operator token may take (launch refuses
it), so the studio's wallet client can tell a demo call from a real one by the token alone and answer it here.
The fun wallet follows the same rules as a real one where they matter to a player: idempotent on the
transaction id, never negative, a rollback refunds its bet once.

It is a room of its own rather than a part of ``simulator.wallet``: that package is the reference *operator*
wallet, a separate application across the wire that an operator replaces with their own, while fun money belongs
to the provider (its tables sit in the provider's database, next to the sessions, and no operator is involved).
Launch opens a demo wallet, the studio's wallet client answers its calls.
"""

from __future__ import annotations

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply
from simulator.dialects.protocol import Dialect
from simulator.errors import WalletRefused
from simulator.rates import scale_cents
from simulator.store.database import Database, Tx
from simulator.wallet_client.client import WalletClient, WalletHook
from simulator.wallet_client.transport import WalletTransport

DEMO_PREFIX = "demo:"
DEMO_BALANCE_CENTS = 100_000  # about 1,000 USD of fun money in the session's currency

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS demo_wallets (
        wallet_key TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        balance BIGINT NOT NULL CHECK (balance >= 0),
        created_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS demo_entries (
        transaction_id TEXT PRIMARY KEY,
        wallet_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        amount BIGINT NOT NULL,
        reference_transaction_id TEXT,
        balance_after BIGINT NOT NULL)""",
)
MIGRATIONS = (SCHEMA,)  # simulator.store.migrations


def is_demo(wallet_token: str) -> bool:
    return wallet_token.startswith(DEMO_PREFIX)


def demo_balance(currency: str) -> int:
    return scale_cents(currency, DEMO_BALANCE_CENTS)


class DemoWallet:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def migrate(self) -> None:
        await self._db.migrate("demo_wallets", MIGRATIONS)

    async def open(self, wallet_key: str, currency: str) -> int:
        balance = demo_balance(currency)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO demo_wallets (wallet_key, currency, balance, created_at) VALUES (?, ?, ?, ?)",
                wallet_key,
                currency,
                balance,
                self._clock.now(),
            )
        return balance

    async def call(self, call: WalletCall) -> WalletReply:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                f"SELECT * FROM demo_wallets WHERE wallet_key = ?{tx.for_update}",  # noqa: S608 - fixed suffix
                call.session_id,
            )
            if row is None:
                raise WalletRefused("no such demo session", code="INVALID_SESSION")
            balance, currency = int(row["balance"]), str(row["currency"])
            if call.operation == "balance":
                return WalletReply(balance, currency, None)
            seen = await tx.fetchone("SELECT * FROM demo_entries WHERE transaction_id = ?", call.transaction_id)
            if seen is not None:
                return WalletReply(int(seen["balance_after"]), currency, call.transaction_id)
            delta = await self._delta(tx, call, balance)
            balance += delta
            await tx.execute("UPDATE demo_wallets SET balance = ? WHERE wallet_key = ?", balance, call.session_id)
            await tx.execute(
                "INSERT INTO demo_entries (transaction_id, wallet_key, kind, amount,"
                " reference_transaction_id, balance_after) VALUES (?, ?, ?, ?, ?, ?)",
                call.transaction_id,
                call.session_id,
                call.operation,
                call.amount,
                call.reference_transaction_id,
                balance,
            )
        return WalletReply(balance, currency, call.transaction_id)

    @staticmethod
    async def _delta(tx: Tx, call: WalletCall, balance: int) -> int:
        if call.operation == "bet":
            if call.amount > balance:
                raise WalletRefused("not enough fun money", code="INSUFFICIENT_FUNDS", extra={"balance": balance})
            return -call.amount
        if call.operation == "win":
            return call.amount
        bet = await tx.fetchone(
            "SELECT amount FROM demo_entries WHERE transaction_id = ? AND kind = 'bet'",
            call.reference_transaction_id,
        )
        refunded = await tx.fetchone(
            "SELECT 1 FROM demo_entries WHERE reference_transaction_id = ? AND kind = 'rollback'",
            call.reference_transaction_id,
        )
        return int(bet["amount"]) if bet is not None and refunded is None else 0


class StudioWallet(WalletClient):
    """A studio's wallet client: real calls go out in the studio's dialect; demo calls stay with fun money."""

    def __init__(
        self,
        transport: WalletTransport,
        dialect: Dialect,
        *,
        timeout: float,
        demo: DemoWallet,
        hook: WalletHook | None = None,
    ) -> None:
        super().__init__(transport, dialect, timeout=timeout, hook=hook)
        self.demo = demo

    async def call(self, call: WalletCall) -> WalletReply:
        if is_demo(call.session_id):
            return await self.demo.call(call)
        return await super().call(call)

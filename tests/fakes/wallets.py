"""Wallets for the conformance suite to judge: the reference wallet in any dialect on a loopback port, and
the same wallet with one rule broken (a ``Ledger`` subclass swapped in at start-up, or a verification turned
off), each a real aiohttp server.

The wallet keeps a ``ManualClock``; the suite signs with the same clock and may move it, so expiry needs no
waiting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.conformance.runner import Options
from simulator.conformance.wire import Keys
from simulator.dialects import rsa_keys
from simulator.dialects.config import credentials_for, resolve
from simulator.ids import SeededIds
from simulator.settings import Settings
from simulator.state import LEDGER
from simulator.store.database import Tx
from simulator.wallet.app import create_wallet_app
from simulator.wallet.dialects import WalletDialects
from simulator.wallet.ledger import Ledger, LedgerError, _fingerprint
from simulator.wallet.models import OperationRequest
from simulator.wallet.records import add_totals, day_of, disabled_game, entry, lock_player


@dataclass
class WalletUnderTest:
    options: Options
    clock: ManualClock
    base_url: str  # the wallet app's root (sandbox under it)
    app: web.Application


@asynccontextmanager
async def wallet_under_test(
    tmp_path: Path,
    dialect: str,
    *,
    ledger: type[Ledger] | None = None,
    unknown_rollback: Literal["accept", "reject"] = "accept",
    keys: dict[str, bytes] | None = None,
    **options: Any,
) -> AsyncIterator[WalletUnderTest]:
    """The reference wallet (with ``ledger`` in place of its own, when given) and the suite's options for
    ``dialect`` pointed at it, with the wallet's own credentials."""
    clock = ManualClock()
    settings = Settings(data_dir=tmp_path / "data", port=0, unknown_rollback=unknown_rollback)
    creds = credentials_for(settings)
    if dialect == "rsa_json":
        rsa_keys.load_or_create(settings.data_dir)
    native_keys = keys if keys is not None else {creds.wallet_key_id: creds.wallet_secret.encode()}
    app = create_wallet_app(
        settings,
        clock=clock,
        ids=SeededIds(1, "wallet"),
        keys=native_keys,
        dialects=WalletDialects(resolve(settings, creds)),
    )
    if ledger is not None:
        broken = ledger

        async def swap(app: web.Application) -> AsyncIterator[None]:
            app[LEDGER] = broken(app[LEDGER].db, clock, unknown_rollback=unknown_rollback)
            yield

        app.cleanup_ctx.append(swap)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        endpoint = resolve(settings.model_copy(update={"wallet_url": url}), creds)[dialect]
        private = endpoint.private_key_path.read_bytes() if endpoint.private_key_path is not None else None
        suite_keys = Keys(endpoint.key_id, secret=endpoint.secret, private_key=private)
        options = {"admin_token": creds.admin_token} | options  # the wallet's sandbox takes its admin token
        yield WalletUnderTest(
            Options(dialect, endpoint.url, suite_keys, unknown_rollback=unknown_rollback, **options), clock, url, app
        )
    finally:
        await runner.cleanup()


# broken ledgers: each breaks one rule of the reference ledger and keeps every other (the wallet app calls
# ``Ledger.bet`` and friends unbound, so the overrides are of the methods those call)


class DoubleDebitLedger(Ledger):
    """Answers a repeated bet with its original result, and debits it again all the same."""

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        replay = await super()._replay(tx, req, fingerprint)
        row = await entry(tx, req.transaction_id)
        if replay is None or row is None or row["kind"] != "bet" or row["funds"] != "cash":
            return replay
        return replay | {"balance": await _move(tx, req.player_id, -int(row["amount"]))}


class RollbackTwiceLedger(Ledger):
    """Answers a repeated rollback with its original result, and refunds the bet again."""

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        replay = await super()._replay(tx, req, fingerprint)
        row = await entry(tx, req.transaction_id)
        if replay is None or row is None or row["kind"] != "rollback" or row["funds"] != "cash":
            return replay
        return replay | {"balance": await _move(tx, req.player_id, int(row["amount"]))}


async def _move(tx: Tx, player_id: str, cash: int) -> int:
    player = await lock_player(tx, player_id)
    balance = max(0, player.balance + cash)
    await tx.execute("UPDATE players SET balance = ? WHERE player_id = ?", balance, player_id)
    return balance


class OverdrawLedger(Ledger):
    """Checks the funds against a balance read before a slow step, outside the player's lock, and debits
    from that same stale balance: parallel bets all pass the check and overwrite each other's debit.
    Every other rule of the reference ``_bet`` is kept."""

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        if req.bonus is not None:
            return await super()._bet(req)
        async with self.db.transaction() as tx:
            stale = await lock_player(tx, req.player_id, for_update=False)
        await asyncio.sleep(0.05)  # the slow step (a fraud check) that opens the race window
        fingerprint = _fingerprint("bet", req)
        async with self.db.transaction() as tx:
            player = await lock_player(tx, req.player_id)
            if await self._tombstone(tx, req.transaction_id):
                raise LedgerError("TRANSACTION_ROLLED_BACK", "this bet was already rolled back")
            if (replay := await self._replay(tx, req, fingerprint)) is not None:
                return replay
            await self._check_session(tx, req.session_id, player)
            if player.blocked:
                raise LedgerError("PLAYER_BLOCKED", "blocked")
            self._check_currency(player, req.currency)
            if req.game_id and await disabled_game(tx, req.game_id):
                raise LedgerError("UNKNOWN_GAME", "not offered")
            if await self._round_closed(tx, req.round_id, player.player_id):
                raise LedgerError("ROUND_CLOSED", "closed")
            await self._check_limits(tx, player, req.amount)
            if req.amount > stale.balance:
                raise LedgerError("INSUFFICIENT_FUNDS", "balance too low", balance=stale.balance)
            await add_totals(tx, player.player_id, day_of(self._clock.now()), req.amount, req.amount)
            return await self._apply(tx, "bet", req, stale, fingerprint, funds="cash", cash=-req.amount)


class NoTombstoneLedger(Ledger):
    """Refunds correctly but forgets what it rolled back: a bet arriving after its rollback is taken."""

    async def _bury(self, tx: Tx, transaction_id: str, rollback_id: str) -> None:
        return None


class WrongFundsErrorLedger(Ledger):
    """Refuses a bet above the balance with a generic INVALID_REQUEST instead of INSUFFICIENT_FUNDS."""

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        try:
            return await super()._bet(req)
        except LedgerError as exc:
            if exc.code != "INSUFFICIENT_FUNDS":
                raise
            raise LedgerError("INVALID_REQUEST", "bet refused") from None


class ExpiredWinLedger(Ledger):
    """Checks the session on wins too, so a win arriving after the session expired is refused."""

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        async with self.db.transaction() as tx:
            player = await lock_player(tx, req.player_id, for_update=False)
            await self._check_session(tx, req.session_id, player)
        return await super()._win(req)

"""Wallets for the conformance suite to judge: the reference wallet in any dialect on a loopback port, and
the same wallet with one rule broken (a ``Ledger`` subclass swapped in at start-up, or a verification turned
off), each a real aiohttp server.

The wallet keeps a ``ManualClock``; the suite signs with the same clock and may move it, so expiry needs no
waiting."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pydantic import Field

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.conformance.runner import Options
from simulator.conformance.wire import Keys
from simulator.dialects.config import credentials_for, resolve
from simulator.dialects.protocol import WalletDialects
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.ids import SeededIds
from simulator.money import exponent
from simulator.settings import Settings
from simulator.state import LEDGER
from simulator.store.database import Tx
from simulator.wallet.app import create_wallet_app
from simulator.wallet.ledger import Ledger, LedgerError, _fingerprint
from simulator.wallet.models import MAX_AMOUNT, OperationRequest
from simulator.wallet.records import Player, add_totals, day_of, disabled_game, entry, lock_player


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
    middlewares: Sequence[Middleware] = (),
    **options: Any,
) -> AsyncIterator[WalletUnderTest]:
    """The reference wallet (with ``ledger`` in place of its own, when given, and ``middlewares`` in front of
    everything else) and the suite's options for ``dialect`` pointed at it, with the wallet's own credentials."""
    clock = ManualClock()
    settings = Settings(data_dir=tmp_path / "data", port=0, unknown_rollback=unknown_rollback)
    creds = credentials_for(settings)
    if dialect in ("rsa_json", "hub88"):
        rsa_keys.load_or_create(settings.data_dir, dialect)
    native_keys = keys if keys is not None else {creds.wallet_key_id: creds.wallet_secret.encode()}
    app = create_wallet_app(
        settings,
        clock=clock,
        ids=SeededIds(1, "wallet"),
        keys=native_keys,
        dialects=WalletDialects(resolve(settings, creds)),
    )
    app.middlewares[:0] = middlewares
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


class LaxAmountRequest(OperationRequest):
    """The native wire model without its lower bound on amounts: the ledger alone validates the sign."""

    amount: int = Field(le=MAX_AMOUNT)


class NegativeWinLedger(Ledger):
    """Refuses negative bets and rollbacks but adds a win's amount whatever its sign (with ``LaxAmountRequest``
    as the native model): a negative win is applied as a debit."""

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        if req.amount < 0:
            raise LedgerError("INVALID_REQUEST", "amount must not be negative")
        return await super()._bet(req)

    async def _rollback(self, req: OperationRequest) -> dict[str, Any]:
        if req.amount < 0:
            raise LedgerError("INVALID_REQUEST", "amount must not be negative")
        return await super()._rollback(req)


class WinCurrencyIgnoredLedger(Ledger):
    """Checks the currency of bets and enquiries, but credits a win in the player's currency whatever it names."""

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        async with self.db.transaction() as tx:
            player = await lock_player(tx, req.player_id, for_update=False)
        return await super()._win(req.model_copy(update={"currency": player.currency}))


_IN_WIN: ContextVar[bool] = ContextVar("in_win", default=False)


class WinAfterRollbackLedger(Ledger):
    """Remembers rolled-back bets for bets only: a win for a bet that was rolled back is credited."""

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        token = _IN_WIN.set(True)
        try:
            return await super()._win(req)
        finally:
            _IN_WIN.reset(token)

    async def _tombstone(self, tx: Tx, transaction_id: str) -> bool:  # type: ignore[override]
        return False if _IN_WIN.get() else await Ledger._tombstone(tx, transaction_id)


class ForeignBetWinLedger(Ledger):
    """Looks a win's bet up by its id alone: a win naming another player's bet pays the player it names."""

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        if req.reference_transaction_id is not None:
            async with self.db.transaction() as tx:
                bet = await entry(tx, req.reference_transaction_id)
            if bet is not None and bet["player_id"] != req.player_id:
                req = req.model_copy(update={"reference_transaction_id": None, "round_id": f"{req.round_id}-own"})
        return await super()._win(req)


class AnyTokenLedger(Ledger):
    """Checks that a session token exists and has not expired, not whose it is."""

    async def _check_session(self, tx: Tx, token: str, player: Player) -> None:
        row = await tx.fetchone("SELECT player_id FROM tokens WHERE token = ?", token)
        if row is not None:
            player = dataclasses.replace(player, player_id=row["player_id"])
        await super()._check_session(tx, token, player)


class FloatLedger(Ledger):
    """Converts every bet and win amount to major units in a binary float and back, truncating: 0.29 USD
    (29 cents) becomes 28.999999999999996 cents, so 28."""

    @staticmethod
    def _floated(req: OperationRequest) -> OperationRequest:
        scale = 10 ** exponent(req.currency)
        return req.model_copy(update={"amount": int(req.amount / scale * scale)})

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        return await super()._bet(self._floated(req))

    async def _win(self, req: OperationRequest) -> dict[str, Any]:
        return await super()._win(self._floated(req))


class DoubleApplyLedger(Ledger):
    """Answers a repeated bet or win with its original result, and applies it again all the same. Behind
    ``request_id_memory`` it is a wallet that recognises a retry by its request id alone."""

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        replay = await super()._replay(tx, req, fingerprint)
        row = await entry(tx, req.transaction_id)
        if replay is None or row is None or row["kind"] not in ("bet", "win") or row["funds"] != "cash":
            return replay
        sign = -1 if row["kind"] == "bet" else 1
        return replay | {"balance": await _move(tx, req.player_id, sign * int(row["amount"]))}


def request_id_memory() -> Middleware:
    """Answers a native bet, win or rollback whose ``request_id`` it has seen accepted with the reply it gave then
    (a copy that arrives while the first is still in flight waits for it); everything else goes through."""
    seen: dict[str, asyncio.Future[tuple[int, bytes]]] = {}

    @web.middleware
    async def remember(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.rsplit("/", 1)[-1] not in ("bet", "win", "rollback"):
            return await handler(request)
        try:
            request_id = json.loads(await request.read()).get("request_id")
        except (ValueError, AttributeError):
            request_id = None
        if not isinstance(request_id, str):
            return await handler(request)
        if request_id in seen:
            status, body = await asyncio.shield(seen[request_id])
            return web.Response(status=status, body=body, content_type="application/json")
        first: asyncio.Future[tuple[int, bytes]] = asyncio.get_running_loop().create_future()
        seen[request_id] = first
        try:
            response = await handler(request)
        except BaseException:
            first.cancel()
            raise
        assert isinstance(response, web.Response) and isinstance(response.body, bytes)
        first.set_result((response.status, response.body))
        if response.status >= 300:  # refusals (a forged signature among them) are not remembered
            del seen[request_id]
        return response

    return remember


class FreeRoundCashLedger(Ledger):
    """Takes a provider's free-round bet as a cash bet of the round's stake (``bonus.bet_value``)."""

    async def _bet(self, req: OperationRequest) -> dict[str, Any]:
        bonus = req.bonus or {}
        if bonus.get("type") == "free_round" and isinstance(bonus.get("bet_value"), int):
            req = req.model_copy(update={"amount": bonus["bet_value"], "bonus": None})
        return await super()._bet(req)


class BonusWinTwiceLedger(Ledger):
    """Answers a repeated bonus win (a campaign total, a promotional payout) with its original result, and credits it
    again all the same."""

    async def _replay(self, tx: Tx, req: OperationRequest, fingerprint: str) -> dict[str, Any] | None:
        replay = await super()._replay(tx, req, fingerprint)
        row = await entry(tx, req.transaction_id)
        if replay is None or row is None or row["kind"] != "win" or req.bonus is None:
            return replay
        column = "balance" if row["funds"] == "cash" else "bonus_balance"
        await tx.execute(
            f"UPDATE players SET {column} = {column} + ? WHERE player_id = ?",  # noqa: S608 - a fixed column name
            int(row["amount"]),
            req.player_id,
        )
        player = await lock_player(tx, req.player_id)
        return replay | {"balance": player.balance}

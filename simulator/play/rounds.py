"""One round, as a real studio plays it against a seamless wallet.

1. The outcome is decided first, from the session's committed seeds and next nonce, and persisted together
   with the pending bet and the next nonce in one transaction (bad bet parameters abort here: no nonce used,
   no money moved).
2. The bet is sent. Refused (funds, limits, session...): the round is void, nothing else happens. No usable
   answer (timeout, 5xx, connection error, unreadable reply): the bet's fate is unknown, so its rollback is
   queued durably and attempted at once.
3. The closing win (0 when lost) is queued durably and sent; if the wallet does not acknowledge it, the
   settlement worker retries it with the same transaction id until it does.

Multi-step games open the same way, then each player action may add a bet (double, split) before it is
applied; the win is queued when the engine says the round is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from games.engine import AnyEngine
from games.errors import IllegalAction, RoundFinished
from games.registry import get_engine
from simulator.catalog.models import Catalog, Game
from simulator.clock import Clock
from simulator.dialects.call import WalletReply
from simulator.errors import (
    BetOutOfLimits,
    Conflict,
    NotFound,
    SessionExpired,
    ShuttingDown,
    WalletError,
    WalletRefused,
    WalletTimeout,
)
from simulator.fairness.source import round_source
from simulator.ids import Ids
from simulator.play.outcome import MultiStepOutcome, RngChoice, RoundOutcome, SingleStepOutcome, stored_outcome
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker, rollback_for
from simulator.store.provider import ProviderStore, Round, Session, Transaction
from simulator.wallet_client.client import WalletClient

# what a refusal from the wallet means to the player's client
_REFUSAL_STATUS = {
    "INSUFFICIENT_FUNDS": 402,
    "PLAYER_BLOCKED": 403,
    "LIMIT_EXCEEDED": 403,
    "INVALID_SESSION": 401,
    "SESSION_EXPIRED": 401,
    "INVALID_SIGNATURE": 502,
    "CURRENCY_MISMATCH": 400,
    "UNKNOWN_GAME": 400,
}


def refusal(exc: WalletRefused) -> WalletRefused:
    out = WalletRefused(exc.message, code=exc.code, extra=exc.extra)
    out.status = _REFUSAL_STATUS.get(exc.code, 409)
    return out


@dataclass(frozen=True, slots=True)
class RoundResult:
    round: Round
    balance: int | None
    engine: AnyEngine
    status: str | None = None  # the round's status, when it moved on after ``round`` was stored (its win was acked)

    def to_json(self) -> dict[str, Any]:
        r = self.round
        outcome = stored_outcome(r.outcome)
        body: dict[str, Any] = {
            "round_id": r.round_id,
            "game_id": r.game_id,
            "status": self.status or r.status,
            "currency": r.currency,
            "amount": r.stake,
            "win": r.win,
            "balance": self.balance,
            "fairness": {
                "server_seed_hash": r.server_seed_hash,
                "client_seed": r.client_seed,
                "nonce": r.nonce,
                "rng": outcome.rng.mode,
                "mapping": outcome.rng.mapping,
            },
        }
        body |= outcome.answer()
        return body


class RoundService:
    def __init__(
        self,
        store: ProviderStore,
        catalog: Catalog,
        settler: Settler,
        worker: SettlementWorker,
        wallet_for: Callable[[str], WalletClient],
        clock: Clock,
        ids: Ids,
        *,
        lease: float,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._settler = settler
        self._worker = worker
        self._wallet_for = wallet_for
        self._clock = clock
        self._ids = ids
        self._lease = lease
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._draining = False

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        if self._draining:
            raise ShuttingDown("the simulator is shutting down; try again shortly")
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if not self._inflight:
                self._idle.set()

    async def drain(self, grace: float) -> bool:
        """Refuse new rounds and wait for those in flight; true when all finished within ``grace`` seconds."""
        self._draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True

    async def session(self, token: str, *, live: bool = True) -> Session:
        return self._checked(await self._store.get_session(token), live=live)

    def _checked(self, session: Session | None, *, live: bool) -> Session:
        if session is None:
            raise NotFound("unknown session token", code="UNKNOWN_SESSION")
        if live and session.expires_at <= self._clock.now():
            raise SessionExpired("this game session has expired; launch the game again")
        return session

    def _check_stake(self, game: Game, currency: str, amount: int) -> None:
        low, high = game.min_bet[currency], game.max_bet[currency]
        if not low <= amount <= high:
            raise BetOutOfLimits(f"bet {amount} is outside this game's limits for {currency}: {low} to {high}")

    def _transaction(
        self,
        session: Session,
        round_id: str,
        kind: str,
        amount: int,
        *,
        round_closed: bool = False,
        reference_transaction_id: str | None = None,
    ) -> Transaction:
        now = self._clock.now()
        return Transaction(
            seq=0,
            transaction_id=self._ids.uuid(),
            round_id=round_id,
            kind=kind,
            player_id=session.player_id,
            session_token=session.token,
            wallet_session=session.operator_token,
            game_id=session.game_id,
            studio_id=session.studio_id,
            currency=session.currency,
            amount=amount,
            round_closed=round_closed,
            reference_transaction_id=reference_transaction_id,
            status="pending",
            attempts=0,
            # sent inline first; the worker takes over only if this process never records an answer
            next_attempt_at=now + self._lease,
            last_error=None,
            balance_after=None,
            created_at=now,
            updated_at=now,
        )

    async def play(self, token: str, amount: int, params: Mapping[str, Any]) -> RoundResult:
        with self._tracked():
            return await self._play(token, amount, params)

    async def act(self, token: str, round_id: str, action: str, params: Mapping[str, Any]) -> RoundResult:
        with self._tracked():
            return await self._act(token, round_id, action, params)

    async def _play(self, token: str, amount: int, params: Mapping[str, Any]) -> RoundResult:
        now = self._clock.now()
        seen: list[Session] = []  # the session as ``decide`` found it, under the lock

        def decide(current: Session | None) -> tuple[Round, list[Transaction]]:
            current = self._checked(current, live=True)
            seen.append(current)
            game = self._catalog.game(current.game_id)
            self._check_stake(game, current.currency, amount)
            engine = get_engine(game.engine_id)
            stream = round_source(
                game.rng_mode, game.rng_mapping, current.server_seed, current.client_seed, current.nonce
            )
            rng = RngChoice(game.rng_mode, game.rng_mapping)
            outcome: RoundOutcome
            if engine.multi_step:
                step = engine.open(amount, params, stream)
                outcome, win = MultiStepOutcome.opened(step, amount, rng), step.win
            else:
                result = engine.play(amount, params, stream)
                outcome, win = SingleStepOutcome.played(result, rng), result.win
            round_id = self._ids.uuid()
            round_ = Round(
                round_id=round_id,
                session_token=current.token,
                player_id=current.player_id,
                game_id=game.game_id,
                studio_id=game.studio_id,
                engine_id=game.engine_id,
                currency=current.currency,
                stake=amount,
                win=win,
                status="open",
                params=dict(params),
                outcome=outcome.to_json(),
                server_seed_hash=current.server_seed_hash,
                client_seed=current.client_seed,
                nonce=current.nonce,
                version=0,
                created_at=now,
                updated_at=now,
            )
            return round_, [self._transaction(current, round_id, "bet", amount)]

        round_, (bet,) = await self._store.open_round(token, decide)
        session, engine = seen[-1], get_engine(round_.engine_id)
        reply = await self._place_bet(bet, round_status="void")
        finished = not engine.multi_step or stored_outcome(round_.outcome).finished
        if not finished:
            await self._bet_acked(bet, reply)
            return RoundResult(round_, reply.balance, engine)  # open, as just stored
        win = self._transaction(
            session,
            round_.round_id,
            "win",
            round_.win,
            round_closed=True,
            reference_transaction_id=bet.transaction_id,
        )
        await self._bet_acked(bet, reply, round_status="settling", follow_up=win)
        return await self._pay(win, reply, engine, round_)

    async def _act(self, token: str, round_id: str, action: str, params: Mapping[str, Any]) -> RoundResult:
        session = await self.session(token, live=False)
        round_ = await self._store.get_round(round_id)
        if round_ is None or round_.session_token != token:
            raise NotFound(f"no round {round_id!r} in this session", code="UNKNOWN_ROUND")
        engine = get_engine(round_.engine_id)
        if not engine.multi_step:
            raise IllegalAction(f"{round_.engine_id} rounds finish in one step; there is nothing to act on")
        before = stored_outcome(round_.outcome)
        if round_.status != "open" or before.finished or not before.multi_step:
            raise RoundFinished(f"round {round_id} is {round_.status}; it takes no more actions")
        state = before.state
        cost = engine.cost(state, action, params)  # raises IllegalAction before any money moves
        if not await self._store.claim_round(round_id, round_.version, self._clock.now()):
            raise Conflict("another action on this round is in progress", code="ROUND_BUSY")
        balance: int | None = None
        taken: Transaction | None = None  # an extra bet the wallet acknowledged
        try:
            if cost:
                extra = self._transaction(session, round_id, "bet", cost)
                await self._store.add_transaction(extra)
                reply = await self._place_bet(extra, round_status=None)
                await self._bet_acked(extra, reply)
                taken, balance = extra, reply.balance
            step = engine.act(state, action, params)
        except BaseException:
            now = self._clock.now()
            # the action never happened: money taken for it goes back, the round stays as it was
            refund = None if taken is None else rollback_for(taken, self._ids.uuid(), now, closes_round=False)
            await self._store.release_round(round_id, now=now, follow_up=refund)
            if refund is not None:
                self._worker.kick()
            raise
        stake = round_.stake + cost
        outcome = before.after(step).to_json()
        if not step.finished:
            await self._released(round_id, outcome=outcome, stake=stake)
            return await self._result(round_id, balance, engine)
        first_bet = next(t for t in await self._store.round_transactions(round_id) if t.kind == "bet")
        win = self._transaction(
            session,
            round_id,
            "win",
            step.win,
            round_closed=True,
            reference_transaction_id=first_bet.transaction_id,
        )
        await self._released(round_id, outcome=outcome, stake=stake, win=step.win, status="settling", follow_up=win)
        fallback = WalletReply(balance, session.currency, None) if balance is not None else None
        settling = dataclasses.replace(round_, outcome=outcome, stake=stake, win=step.win)
        return await self._pay(win, fallback, engine, settling)

    async def open_rounds(self, token: str) -> list[RoundResult]:
        await self.session(token, live=False)
        return [RoundResult(r, None, get_engine(r.engine_id)) for r in await self._store.open_rounds(token)]

    async def _place_bet(self, bet: Transaction, *, round_status: str | None) -> WalletReply:
        try:
            return await self._wallet_for(bet.studio_id).call(bet.call())
        except WalletRefused as exc:
            await self._store.settle(
                bet,
                status="refused",
                now=self._clock.now(),
                error=exc.code,
                round_status=round_status,
            )
            raise refusal(exc) from None
        except WalletError as exc:
            now = self._clock.now()
            rollback = rollback_for(
                bet, self._ids.uuid(), now, closes_round=round_status is not None, send_at=now + self._lease
            )
            queued = await self._store.settle(
                bet,
                status="failed",
                now=now,
                error=exc.code,
                round_status="rolling_back" if round_status else None,
                follow_up=rollback,
            )
            if queued and await self._settler.deliver(rollback) is None:
                self._worker.kick()
            raise type(exc)(f"the wallet did not confirm the bet ({exc.message}); it has been rolled back") from None

    async def _bet_acked(self, bet: Transaction, reply: WalletReply, **then: Any) -> None:
        """Record an acknowledged bet and what follows. If it is no longer pending, this process stalled
        past the lease and a worker already declared it orphaned and queued its rollback: the round cannot
        go on."""
        if not await self._store.settle(bet, status="acked", now=self._clock.now(), balance=reply.balance, **then):
            raise WalletTimeout("the bet was confirmed too late and has been rolled back")

    async def _released(self, round_id: str, **state: Any) -> None:
        """Hand an acted-on round back; if a worker already did (this process stalled past the lease), the
        action is lost and the player acts again."""
        if not await self._store.release_round(round_id, now=self._clock.now(), **state):
            raise Conflict("the action took too long and was undone; act again", code="ROUND_BUSY")

    async def _pay(self, win: Transaction, before: WalletReply | None, engine: AnyEngine, round_: Round) -> RoundResult:
        """Deliver the closing win. Acknowledged, the round is closed as the settler recorded it, so the answer is
        built from what this process already holds; otherwise the stored round says what happened."""
        reply = await self._settler.deliver(win)
        if reply is not None:
            return RoundResult(round_, reply.balance, engine, status="closed")
        self._worker.kick()
        return await self._result(win.round_id, before.balance if before is not None else None, engine)

    async def _result(self, round_id: str, balance: int | None, engine: AnyEngine) -> RoundResult:
        round_ = await self._store.get_round(round_id)
        assert round_ is not None
        return RoundResult(round_, balance, engine)

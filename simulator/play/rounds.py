"""One round, as a real studio plays it against a seamless wallet.

1. The outcome is decided first, from the session's committed seeds and next nonce, outside any database
   transaction (bad bet parameters abort here: no nonce used, no money moved), then recorded together with the
   pending bet and the next nonce in one transaction, which refuses it if another round took that nonce meanwhile:
   then the round is decided again from the next one.
2. The bet is sent. Refused (funds, limits, session...): the round is void, nothing else happens. No usable
   answer (timeout, 5xx, connection error, unreadable reply): the bet's fate is unknown, so its rollback is
   queued durably and attempted at once.
3. The closing win (0 when lost) is queued durably and sent; if the wallet does not acknowledge it, the
   settlement worker retries it with the same transaction id until it does.

Multi-step games open the same way, then each player action may add a bet (double, split) before it is
applied; the win is queued when the engine says the round is finished.

A session launched under a jurisdiction or with the operator's limits passes the market gate
(``simulator.markets.gate``) once its round is decided and before it is recorded, and tells it how the round ended.
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
from simulator.bonus import jackpots
from simulator.bonus.free_rounds import FreeRound, free_round
from simulator.catalog.models import Catalog, Game
from simulator.clock import Clock
from simulator.dialects.call import WalletReply
from simulator.errors import (
    BetOutOfLimits,
    Conflict,
    NotFound,
    RefusalNeedsRollback,
    SessionExpired,
    ShuttingDown,
    WalletError,
    WalletRefused,
    refusal,
)
from simulator.fairness.source import round_source
from simulator.ids import Ids
from simulator.lifecycle import (
    RoundEvent,
    RoundStatus,
    TransactionKind,
    TransactionStatus,
    follow_up,
    open_round,
    pending_bet,
    rollback_for,
)
from simulator.markets.gate import NO_FLAGS, MarketGate, PlayFlags
from simulator.play.outcome import MultiStepOutcome, RngChoice, RoundOutcome, SingleStepOutcome, stored_outcome
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.provider import ProviderStore, Round, Session, Transaction
from simulator.wallet_client.client import WalletClient

NONCE_RACES = 32
"""How often a round is computed again because another round of its session took the nonce first: one request
waits at most this many rounds of its own session, then is told to play again (409 ``SESSION_BUSY``)."""


# not frozen, like the store's records: built several times a round (simulator.store.records says why)
@dataclass(slots=True)
class RoundResult:
    round: Round
    balance: int | None
    engine: AnyEngine
    status: str | None = None  # the round's status, when it moved on after ``round`` was stored (its win was acked)
    market: dict[str, Any] | None = None  # a regulated session's state after the round (simulator.markets.gate)
    jackpot_win: int | None = None  # the pool the round won (simulator.bonus.jackpots)

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
        if "jackpot" in r.outcome:
            body["jackpot"] = r.outcome["jackpot"] | ({} if self.jackpot_win is None else {"win": self.jackpot_win})
        if self.market is not None:
            body["market"] = self.market
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
        markets: MarketGate | None = None,
    ) -> None:
        """``markets``: the gate of regulated sessions (without it, no session is regulated)."""
        self._store = store
        self._catalog = catalog
        self._settler = settler
        self._worker = worker
        self._wallet_for = wallet_for
        self._clock = clock
        self._ids = ids
        self._lease = lease
        self._markets = markets
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
        return self._checked(await self._store.sessions.get(token), live=live)

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

    def _bet(self, session: Session, round_id: str, amount: int) -> Transaction:
        """A pending bet of ``session``'s player in the round, sent inline first: the worker takes over only if this
        process never records an answer."""
        now = self._clock.now()
        return pending_bet(session, self._ids.uuid(), round_id, amount, now, send_at=now + self._lease)

    async def play(
        self, token: str, amount: int, params: Mapping[str, Any], flags: PlayFlags = NO_FLAGS
    ) -> RoundResult:
        with self._tracked():
            return await self._play(token, amount, params, flags)

    async def play_free(self, token: str, campaign_id: str, params: Mapping[str, Any]) -> RoundResult:
        """Play one of the player's free rounds of ``campaign_id`` (``simulator.bonus.free_rounds``)."""
        with self._tracked():
            result = await self._play(token, 0, params, campaign_id=campaign_id)
        self._worker.kick()  # the round may have closed the player's share of a campaign: its total is due
        return result

    async def act(self, token: str, round_id: str, action: str, params: Mapping[str, Any]) -> RoundResult:
        with self._tracked():
            return await self._act(token, round_id, action, params)

    async def _play(
        self,
        token: str,
        amount: int,
        params: Mapping[str, Any],
        flags: PlayFlags = NO_FLAGS,
        *,
        campaign_id: str | None = None,
    ) -> RoundResult:
        now = self._clock.now()
        free: FreeRound | None = None
        regulated: bool | None = None  # asked of the market gate once the round is decided, before it is recorded
        for _ in range(NONCE_RACES):
            session = self._checked(await self._store.sessions.current(token), live=True)
            if campaign_id is not None:
                free = await free_round(self._store.campaigns, self._catalog, session, campaign_id, now)
                amount = free.bet_value
            round_, bet = self._decide(session, amount, params, now, jackpot=free is None)
            if regulated is None:
                regulated = (
                    self._markets is not None
                    and not self._markets.unregulated(token)
                    and (
                        await self._markets.admit(token, self._catalog.game(session.game_id), amount, flags, now)
                        is not None
                    )
                )
            claim = None
            if free is not None:
                bet, claim = free.flag(bet), free.claim(self._store.campaigns, session, round_, now)
            if await self._store.rounds.open(round_, [bet], claim=claim):
                break
            # another round of this session took the nonce (or its seeds were rotated): decide again from the next
        else:
            if regulated:
                await self._market_void(token, amount)
            raise Conflict(
                f"{NONCE_RACES} other rounds of this session were recorded while this one was computed; play again",
                code="SESSION_BUSY",
            )
        engine = get_engine(round_.engine_id)
        paid = round_.win if free is None else free.paid(round_.win)
        if not regulated:
            return await self._jackpot_paid(await self._settle_opened(round_, bet, engine, paid))
        try:
            result = await self._jackpot_paid(await self._settle_opened(round_, bet, engine, paid))
        except (WalletRefused, WalletError):
            await self._market_void(token, amount)
            raise
        return await self._market_finished(result)

    async def _settle_opened(self, round_: Round, bet: Transaction, engine: AnyEngine, paid: int) -> RoundResult:
        """The opening bet sent; a finished round's closing win (``paid``: 0 when a campaign pays it later) queued
        with its acknowledgement and delivered."""
        if engine.multi_step and not stored_outcome(round_.outcome).finished:
            reply = await self._place_bet(bet, opening=True)
            return RoundResult(round_, reply.balance, engine)  # open, as just stored
        closing: list[Transaction] = []
        reply = await self._place_bet(bet, opening=True, win=lambda: self._closing_win(bet, paid, closing))
        return await self._pay(closing[0], reply, engine, round_)

    async def _jackpot_paid(self, result: RoundResult) -> RoundResult:
        """Send the jackpot win the round triggered, once; the worker retries it if the wallet does not take it."""
        entry = result.round.outcome.get("jackpot")
        if not entry or not entry["triggered"]:
            return result
        transaction_id, _ = jackpots.jackpot_win_ids(result.round.round_id)
        win = await self._store.outbox.get(transaction_id)
        if win is None:  # the bet was not taken: nothing was won
            return result
        if win.status == TransactionStatus.PENDING:
            reply = await self._settler.deliver(win)
            if reply is None:
                self._worker.kick()
            else:
                result = dataclasses.replace(result, balance=reply.balance)
        return dataclasses.replace(result, jackpot_win=win.amount)

    async def _market_void(self, token: str, stake: int) -> None:
        if self._markets is not None:
            await self._markets.void(token, stake)

    async def _market_finished(self, result: RoundResult) -> RoundResult:
        """A regulated round's answer with the session's market state; an open multi-step round counts later."""
        r = result.round
        if self._markets is None or (result.engine.multi_step and not stored_outcome(r.outcome).finished):
            return result
        market = await self._markets.finished(r.session_token, r.stake, r.win)
        return result if market is None else dataclasses.replace(result, market=market)

    def _closing_win(self, opening_bet: Transaction, amount: int, made: list[Transaction]) -> Transaction:
        """The round's closing win (0 when lost), sent inline first: the worker takes over after the lease."""
        now = self._clock.now()
        win = follow_up(
            opening_bet,
            TransactionKind.WIN,
            self._ids.uuid(),
            amount,
            now,
            closes_round=True,
            send_at=now + self._lease,
        )
        made.append(win)
        return win

    def _decide(
        self, session: Session, amount: int, params: Mapping[str, Any], now: float, *, jackpot: bool = True
    ) -> tuple[Round, Transaction]:
        """The round from the session's next nonce, and its opening bet; raises, with nothing written, on a bet out of
        limits or parameters the engine refuses. A jackpot game's round (not a free one) records its jackpot entry,
        drawn after the engine's draws (``simulator.bonus.jackpots``)."""
        game = self._catalog.game(session.game_id)
        if game.category == "live":
            raise Conflict(
                f"{game.game_id} is a live table: bets are placed over its WebSocket in the table's betting window",
                code="LIVE_TABLE",
            )
        self._check_stake(game, session.currency, amount)
        engine = get_engine(game.engine_id)
        stream = round_source(game.rng_mode, game.rng_mapping, session.server_seed, session.client_seed, session.nonce)
        rng = RngChoice(game.rng_mode, game.rng_mapping)
        outcome: RoundOutcome
        if engine.multi_step:
            step = engine.open(amount, params, stream)
            outcome, win = MultiStepOutcome.opened(step, amount, rng), step.win
        else:
            result = engine.play(amount, params, stream)
            outcome, win = SingleStepOutcome.played(result, rng), result.win
        recorded = outcome.to_json()
        if jackpot and game.jackpot is not None and not engine.multi_step:
            recorded["jackpot"] = jackpots.enter(game.jackpot, amount, stream).to_json()
        round_id = self._ids.uuid()
        round_ = open_round(
            session,
            game,
            round_id,
            amount,
            now,
            win=win,
            params=dict(params),
            outcome=recorded,
            server_seed_hash=session.server_seed_hash,
            client_seed=session.client_seed,
            nonce=session.nonce,
        )
        return round_, self._bet(session, round_id, amount)

    async def _act(self, token: str, round_id: str, action: str, params: Mapping[str, Any]) -> RoundResult:
        session = await self.session(token, live=False)
        round_ = await self._store.rounds.get(round_id)
        if round_ is None or round_.session_token != token:
            raise NotFound(f"no round {round_id!r} in this session", code="UNKNOWN_ROUND")
        engine = get_engine(round_.engine_id)
        if not engine.multi_step:
            raise IllegalAction(f"{round_.engine_id} rounds finish in one step; there is nothing to act on")
        before = stored_outcome(round_.outcome)
        if round_.status != RoundStatus.OPEN or before.finished or not before.multi_step:
            raise RoundFinished(f"round {round_id} is {round_.status}; it takes no more actions")
        state = before.state
        cost = engine.cost(state, action, params)  # raises IllegalAction before any money moves
        counted = (
            bool(cost)
            and self._markets is not None
            and (await self._markets.add_bet(token, cost, self._clock.now())) is not None
        )
        if not await self._store.rounds.claim(round_id, round_.version, self._clock.now()):
            if counted:
                await self._market_void(token, cost)
            raise Conflict("another action on this round is in progress", code="ROUND_BUSY")
        balance: int | None = None
        taken: Transaction | None = None  # an extra bet the wallet acknowledged
        try:
            if cost:
                extra = self._bet(session, round_id, cost)
                await self._store.outbox.add(extra)
                reply = await self._place_bet(extra, opening=False)
                taken, balance = extra, reply.balance
            step = engine.act(state, action, params)
        except BaseException:
            now = self._clock.now()
            # the action never happened: money taken for it goes back, the round stays as it was
            refund = None if taken is None else rollback_for(taken, self._ids.uuid(), now, closes_round=False)
            await self._store.rounds.release(round_id, now=now, follow_up=refund)
            if refund is not None:
                self._worker.kick()
            if counted:
                await self._market_void(token, cost)
            raise
        stake = round_.stake + cost
        outcome = before.after(step).to_json()
        if not step.finished:
            await self._released(round_id, outcome=outcome, stake=stake)
            return await self._result(round_id, balance, engine)
        opening_bet = await self._store.outbox.opening_bet(round_id)
        assert opening_bet is not None
        win = self._closing_win(opening_bet, step.win, [])
        await self._released(
            round_id, outcome=outcome, stake=stake, win=step.win, event=RoundEvent.FINAL_ACTION_DONE, follow_up=win
        )
        fallback = WalletReply(balance, session.currency, None) if balance is not None else None
        settling = dataclasses.replace(round_, outcome=outcome, stake=stake, win=step.win)
        return await self._market_finished(await self._pay(win, fallback, engine, settling))

    async def open_rounds(self, token: str) -> list[RoundResult]:
        await self.session(token, live=False)
        return [RoundResult(r, None, get_engine(r.engine_id)) for r in await self._store.rounds.unfinished(token)]

    async def _place_bet(
        self, bet: Transaction, *, opening: bool, win: Callable[[], Transaction] | None = None
    ) -> WalletReply:
        """The bet, sent and recorded by the settler, which rolls it back when its outcome is unknown."""
        try:
            return await self._settler.place_bet(
                bet, opening=opening, win=win, rollback_id=self._ids.uuid, lease=self._lease
            )
        except WalletRefused as exc:
            if isinstance(exc, RefusalNeedsRollback):
                self._worker.kick()  # the rollback the dialect asks for, if its inline attempt failed
            raise refusal(exc) from None
        except WalletError:
            self._worker.kick()  # the rollback, if its inline attempt failed, or the round the bet came too late for
            raise

    async def _released(self, round_id: str, **state: Any) -> None:
        """Hand an acted-on round back; if a worker already did (this process stalled past the lease), the
        action is lost and the player acts again."""
        if not await self._store.rounds.release(round_id, now=self._clock.now(), **state):
            raise Conflict("the action took too long and was undone; act again", code="ROUND_BUSY")

    async def _pay(self, win: Transaction, before: WalletReply | None, engine: AnyEngine, round_: Round) -> RoundResult:
        """Deliver the closing win. Acknowledged, the round is closed as the settler recorded it, so the answer is
        built from what this process already holds; otherwise the stored round says what happened."""
        reply = await self._settler.deliver(win)
        if reply is not None:
            return RoundResult(round_, reply.balance, engine, status=RoundStatus.CLOSED)
        self._worker.kick()
        return await self._result(win.round_id, before.balance if before is not None else None, engine)

    async def _result(self, round_id: str, balance: int | None, engine: AnyEngine) -> RoundResult:
        round_ = await self._store.rounds.get(round_id)
        assert round_ is not None
        return RoundResult(round_, balance, engine)

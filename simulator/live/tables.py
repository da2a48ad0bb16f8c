"""Live tables: each runs round after round on its own clock, and every player's bet goes through the durable
settlement.

``tick(table_id)`` does what is due at the clock's current time, one phase move after another: open a round (a fresh
server seed, its hash shown at once), close it at its closing time (no more bets), draw the result at its deciding time
from the round's provably-fair or certified stream (the seed is revealed with it) and settle it: every player round in
it that is still open and whose bet the wallet acknowledged gets its closing win (zero when lost) queued in one
transaction, then the wins are sent at once. A bet still in flight at the result is settled on a later tick, once the
wallet answered it (or rolled back by the settlement worker when it never does); the table round is ``settled`` when no
open bet is left in it. Only the process holding the table's lease ticks it; a process that takes the lease over
after a crash finishes whatever rounds the dead one left, because each result follows from the stored seed alone.

Tests move a ``ManualClock`` and call ``tick``; ``run`` is the loop a server starts, sleeping until the next deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from games.errors import InvalidBet
from games.hashchain import HashChain
from games.registry import get_engine
from games.rng import commitment
from games.table.live import LiveEngine
from simulator.catalog.models import Catalog, Game
from simulator.clock import Clock
from simulator.errors import BetOutOfLimits, Conflict, NotFound, SessionExpired, WalletError, WalletRefused, refusal
from simulator.fairness.source import round_source
from simulator.ids import Ids
from simulator.lifecycle import (
    RoundStatus,
    TransactionKind,
    TransactionStatus,
    follow_up,
    open_round,
    pending_bet,
    rollback_for,
)
from simulator.live.bus import Bus
from simulator.live.phases import Phase, TableEvent
from simulator.live.store import LiveStore, TableRound
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.provider import ProviderStore, Round, Session, Transaction

log = logging.getLogger("casino_sim.live")

ROAD = 60  # results kept for the road
CHAIN_LENGTH = 100_000  # games in a live crash table's hash chain (a round every ~25 s: about a month)
SETTLE_BATCH = 500  # closing wins queued per database transaction
SEND_AT_ONCE = 128  # wallet calls of a payout burst in flight at once


@dataclass(frozen=True, slots=True)
class Timing:
    betting: float
    draw: float
    pause: float
    lease: float


@dataclass(frozen=True, slots=True)
class PlacedBet:
    round: Round
    balance: int | None


def table_id_of(game: Game) -> str:
    """One table per live game: its id is the game's."""
    return game.game_id


def bet_json(round_: Round, table_round_id: str) -> dict[str, Any]:
    return {
        "bet_id": round_.round_id,
        "round_id": table_round_id,
        "stake": round_.stake,
        "bets": round_.params["bets"],
        "status": round_.status,
        "win": round_.win if round_.status in (RoundStatus.SETTLING, RoundStatus.CLOSED) else None,
    }


def round_json(r: TableRound) -> dict[str, Any]:
    return {
        "round_id": r.round_id,
        "round_no": r.round_no,
        "phase": r.phase.value,
        "opened_at": r.opened_at,
        "closes_at": r.closes_at,
        "server_seed_hash": r.server_seed_hash,
        "result": r.result,
    }


class LiveTables:
    def __init__(
        self,
        store: ProviderStore,
        live: LiveStore,
        catalog: Catalog,
        settler: Settler,
        worker: SettlementWorker,
        clock: Clock,
        ids: Ids,
        *,
        owner: str,
        timing: Timing,
        settlement_lease: float,
        loops: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self.live = live
        self._catalog = catalog
        self._settler = settler
        self._worker = worker
        self._clock = clock
        self._ids = ids
        self.owner = owner
        self.timing = timing
        self._settlement_lease = settlement_lease
        self._sleep = sleep
        self._loops = loops
        self.bus: Bus | None = None  # set once the bus is connected (it needs the hub, which needs these tables)
        self._current: dict[str, TableRound] = {}
        self._chains: dict[str, tuple[HashChain, str]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.wins_sent = 0

    # what a table is

    def game(self, table_id: str) -> Game:
        game = self._catalog.game(table_id)
        if game.category != "live":
            raise NotFound(f"{table_id} is not a live table", code="NOT_A_LIVE_TABLE")
        return game

    def engine(self, game: Game) -> LiveEngine:
        engine = get_engine(game.engine_id)
        assert hasattr(engine, "table_result"), game.engine_id
        return engine  # type: ignore[return-value]

    async def chain(self, game: Game) -> tuple[HashChain, str] | None:
        """A live crash table's bustabit v2 chain and its salt (None for other tables): made on first use, recorded,
        and rebuilt from the record by every process."""
        if game.rng_mode != "hash-chain":
            return None
        table_id = table_id_of(game)
        if table_id not in self._chains:
            seed, salt, length = await self.live.chain(
                table_id, self._ids.server_seed(), self._ids.server_seed()[:16], CHAIN_LENGTH
            )
            self._chains[table_id] = (HashChain(seed, length), salt)
        return self._chains[table_id]

    async def client_seed(self, game: Game) -> str:
        """The client seed of the table's rounds: the chain's salt on a crash table, else the table id."""
        chain = await self.chain(game)
        return table_id_of(game) if chain is None else chain[1]

    async def current(self, table_id: str) -> TableRound | None:
        cached = self._current.get(table_id)
        if cached is not None:
            return cached
        latest = await self.live.latest(table_id)
        if latest is not None:
            self._current[table_id] = latest
        return latest

    def known(self, round_id: str) -> TableRound | None:
        """The table round, if it is the one this process holds as current."""
        for r in self._current.values():
            if r.round_id == round_id:
                return r
        return None

    def heard(self, r: TableRound) -> None:
        """A round event from the bus: the round as the table holder announced it."""
        known = self._current.get(r.table_id)
        if known is None or known.round_no <= r.round_no:
            self._current[r.table_id] = r

    # the clock

    def start(self, table_id: str) -> None:
        """Run the table's loop in this process (it ticks only while it holds the lease); without ``loops`` (tests),
        whoever calls ``tick`` is the clock."""
        if self._loops and table_id not in self._tasks:
            self._tasks[table_id] = asyncio.create_task(self.run(table_id))

    async def stop(self) -> None:
        tasks, self._tasks = list(self._tasks.items()), {}
        for _, task in tasks:
            task.cancel()
        for table_id, task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(Exception):
                await self.live.release(table_id, self.owner)

    async def run(self, table_id: str) -> None:
        while True:
            try:
                wait = await self.tick(table_id)
            except Exception:
                log.exception("live table %s: tick failed; trying again", table_id)
                wait = 1.0
            await self._sleep(max(0.01, min(wait, self.timing.lease / 3)))

    async def tick(self, table_id: str) -> float:
        """Do what is due now; returns the seconds until the next deadline (or until the lease needs renewing)."""
        now = self._clock.now()
        if not await self.live.hold(table_id, self.owner, now, self.timing.lease):
            return self.timing.lease / 3
        game = self.game(table_id)
        for left in await self.live.unsettled(table_id):
            await self._settle(game, left)
        for _ in range(4):  # at most one full round of moves per tick
            r = await self.live.latest(table_id)
            if r is not None:
                self._current[table_id] = r
            if r is None or (r.phase in (Phase.DECIDED, Phase.SETTLED) and now >= r.decides_at + self.timing.pause):
                await self._open(game, None if r is None else r.round_no + 1, now)
            elif r.phase == Phase.BETTING and now >= r.closes_at:
                if await self.live.move(r.round_id, TableEvent.NO_MORE_BETS, now):
                    await self._publish({"type": "no_more_bets", "table_id": table_id, "round_id": r.round_id})
            elif r.phase == Phase.CLOSED and now >= r.decides_at:
                await self._decide(game, r, now)
            else:
                return self._next_deadline(r, now)
        return 0.0

    def _next_deadline(self, r: TableRound, now: float) -> float:
        if r.phase == Phase.BETTING:
            return r.closes_at - now
        if r.phase == Phase.CLOSED:
            return r.decides_at - now
        if r.phase == Phase.DECIDED:
            return 0.5  # bets still in flight: look again shortly
        return r.decides_at + self.timing.pause - now

    async def _open(self, game: Game, round_no: int | None, now: float) -> None:
        number = round_no or 1
        chain = await self.chain(game)
        if chain is None:
            seed = self._ids.server_seed()
        elif number <= chain[0].length:
            seed = chain[0].game_hash(number)  # its SHA-256 is the game before it: the chain is the commitment
        else:
            log.error("live table %s has played every game of its hash chain; it opens no more rounds", game.game_id)
            return
        r = TableRound(
            round_id=self._ids.uuid(),
            table_id=table_id_of(game),
            round_no=number,
            phase=Phase.BETTING,
            opened_at=now,
            closes_at=now + self.timing.betting,
            decides_at=now + self.timing.betting + self.timing.draw,
            server_seed_hash=commitment(seed),
            server_seed=seed,
            result=None,
            updated_at=now,
        )
        if await self.live.open_round(r):
            self._current[r.table_id] = r
            await self._publish({"type": "round_opened", "table_id": r.table_id, "round": round_json(r)})

    async def _source(self, game: Game, r: TableRound) -> Any:
        client_seed = await self.client_seed(game)
        return round_source(game.rng_mode, game.rng_mapping, r.server_seed, client_seed, r.round_no)

    async def _decide(self, game: Game, r: TableRound, now: float) -> None:
        engine = self.engine(game)
        result = engine.table_result(await self._source(game, r))
        if not await self.live.move(r.round_id, TableEvent.RESULT, now, result=result):
            return
        self._current[r.table_id] = dataclasses.replace(r, phase=Phase.DECIDED, result=result)
        await self._publish(
            {
                "type": "result",
                "table_id": r.table_id,
                "round_id": r.round_id,
                "round_no": r.round_no,
                "result": result,
                "server_seed": r.server_seed,
                "server_seed_hash": r.server_seed_hash,
                "road": engine.road_entry(result),
            }
        )
        await self._settle(game, r)

    async def _settle(self, game: Game, r: TableRound) -> None:
        """Queue the closing win of every acknowledged bet of ``r`` and send them; marks the round settled when no
        open bet is left (one still in flight waits for the next tick)."""
        engine = self.engine(game)
        now = self._clock.now()
        waiting = 0
        ready: list[tuple[str, dict[str, Any], int, Transaction]] = []
        for round_, bet in await self.live.open_bets(r):
            if bet.status != TransactionStatus.ACKED:
                waiting += 1
                continue
            outcome = engine.play(round_.stake, round_.params, await self._source(game, r))
            win = follow_up(
                bet,
                TransactionKind.WIN,
                self._ids.uuid(),
                outcome.win,
                now,
                closes_round=True,
                send_at=now + self._settlement_lease,
            )
            stored = {"detail": outcome.detail, "rng": {"mode": game.rng_mode, "mapping": game.rng_mapping}}
            ready.append((round_.round_id, stored, outcome.win, win))
        queued: list[Transaction] = []
        for start in range(0, len(ready), SETTLE_BATCH):
            batch = ready[start : start + SETTLE_BATCH]
            await self.live.queue_wins(batch, now)
            queued += [win for *_, win in batch]
        await self._send(queued)
        if (not waiting and await self.live.move(r.round_id, TableEvent.ALL_SETTLED, self._clock.now())) or queued:
            await self._publish({"type": "settled", "table_id": r.table_id, "round_id": r.round_id})

    async def _send(self, wins: list[Transaction]) -> None:
        """The payout burst: every win sent once now, a bounded number at a time; what the wallet does not
        acknowledge stays pending for the settlement worker, with the same transaction id."""
        gate = asyncio.Semaphore(SEND_AT_ONCE)

        async def one(win: Transaction) -> None:
            async with gate:
                if await self._settler.deliver(win) is None:
                    self._worker.kick()
                self.wins_sent += 1

        await asyncio.gather(*(one(w) for w in wins))

    async def _publish(self, event: dict[str, Any]) -> None:
        if self.bus is not None:
            await self.bus.publish(event)

    # players

    async def place(self, session: Session, bets: object, expected_round: str | None = None) -> PlacedBet:
        """Debit a bet in the current round: refused with ``BETS_CLOSED`` outside the betting window, with
        ``BET_OUT_OF_LIMITS`` or ``INVALID_BET`` before any money moves, with the wallet's code when it says no."""
        game = self.game(session.game_id)
        engine = self.engine(game)
        table_id = table_id_of(game)
        now = self._clock.now()
        if session.expires_at <= now:
            raise SessionExpired("this game session has expired; launch the game again")
        r = await self.current(table_id)
        if r is None or r.phase != Phase.BETTING or now >= r.closes_at:
            raise Conflict("no more bets: wait for the next round", code="BETS_CLOSED")
        if expected_round is not None and expected_round != r.round_id:
            raise Conflict(
                f"round {expected_round} takes no more bets; the table is on {r.round_id}", code="BETS_CLOSED"
            )
        if not isinstance(bets, list) or not bets:
            raise InvalidBet("bets must be a non-empty list of {type, amount}")
        params: Mapping[str, Any] = {"bets": bets}
        parsed = engine.parse_bets(params, None)
        stake = sum(b.amount for b in parsed)
        low, high = game.min_bet[session.currency], game.max_bet[session.currency]
        if min(b.amount for b in parsed) < low:
            raise BetOutOfLimits(f"each bet must be at least {low} {session.currency} minor units at this table")
        if stake > high:
            raise BetOutOfLimits(f"bets in one round may total at most {high} {session.currency} minor units")
        round_ = open_round(
            session,
            game,
            self._ids.uuid(),
            stake,
            now,
            win=0,
            params={"bets": [dict(b) for b in bets]},
            outcome={
                "detail": {"table_round_id": r.round_id, "awaiting_result": True},
                "rng": {"mode": game.rng_mode, "mapping": game.rng_mapping},
            },
            server_seed_hash=r.server_seed_hash,
            client_seed=await self.client_seed(game),
            nonce=r.round_no,
        )
        bet = pending_bet(
            session,
            self._ids.uuid(),
            round_.round_id,
            stake,
            now,
            send_at=now + self._settlement_lease,
            game_id=game.game_id,
            studio_id=game.studio_id,
        )
        recorded = await self.live.record_bet(r, round_, bet, max_total=high)
        if recorded == "closed":
            raise Conflict("no more bets: the window closed before this bet arrived", code="BETS_CLOSED")
        if recorded == "over_limit":
            raise BetOutOfLimits(f"bets in one round may total at most {high} {session.currency} minor units")
        try:
            reply = await self._settler.place_bet(
                bet, opening=True, rollback_id=self._ids.uuid, lease=self._settlement_lease
            )
        except WalletRefused as exc:
            raise refusal(exc) from None
        except WalletError:
            self._worker.kick()
            raise
        return PlacedBet(round_, reply.balance)

    async def cancel(self, session: Session, bet_id: str) -> None:
        """Take back an acknowledged bet while the round still takes bets: its rollback is queued and sent."""
        round_ = await self._store.rounds.get(bet_id)
        if round_ is None or round_.session_token != session.token or round_.game_id != session.game_id:
            raise NotFound(f"no bet {bet_id!r} at this table", code="UNKNOWN_BET")
        r = await self.current(round_.game_id)
        if r is None or r.round_no != round_.nonce or r.phase != Phase.BETTING:
            raise Conflict("no more bets: a bet can be taken back only while the round takes bets", code="BETS_CLOSED")
        bet = await self._store.outbox.opening_bet(bet_id)
        if bet is None or bet.status != TransactionStatus.ACKED or round_.status != RoundStatus.OPEN:
            raise Conflict("this bet is not confirmed by the wallet yet, or already settled", code="BET_NOT_OPEN")
        now = self._clock.now()
        rollback = rollback_for(bet, self._ids.uuid(), now, send_at=now + self._settlement_lease)
        if not await self.live.cancel_bet(r.round_id, bet_id, rollback, now):
            raise Conflict("no more bets: the window closed before this cancellation arrived", code="BETS_CLOSED")
        if await self._settler.deliver(rollback) is None:
            self._worker.kick()

    async def my_bets(self, session: Session, r: TableRound | None) -> list[tuple[Round, int | None]]:
        if r is None:
            return []
        return await self.live.player_rounds(r, [session.token])

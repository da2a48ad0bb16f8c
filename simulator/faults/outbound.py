"""Faults around wallet callbacks: the hook ``WalletClient`` calls for every operation.

The hook builds the request through the dialect and sends it through ``client.post``, so every injected transport
failure is raised inside ``map_client_errors`` and reaches the round flow as the same ``WalletError`` a real one would.
Without rules it only journals and counts the call. ``SkewClock`` lets one call be signed with a clock that is off,
whatever the dialect's signing scheme.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.registry import form_credentials, query_credentials
from simulator.errors import WalletError, WalletRefused, WalletTimeout, WalletUnavailable
from simulator.faults.journal import Exchange, Journal
from simulator.faults.rules import OutboundAction, ReorderAction, each_request
from simulator.faults.ruleset import FaultSet, Firing, Target
from simulator.metrics import Metrics
from simulator.wallet_client.client import WalletClient, map_client_errors

Sleep = Callable[[float], Awaitable[None]]

_SKEW: contextvars.ContextVar[float] = contextvars.ContextVar("clock_skew", default=0.0)
# outbound rules a caller chose with the X-Casino-Sim-Fault header, for the wallet calls of that one request
REQUEST_FAULTS: contextvars.ContextVar[FaultSet | None] = contextvars.ContextVar("request_faults", default=None)
MAX_HELD = 1000


class SkewClock:
    """The clock dialects sign with: the real one, shifted inside ``skewed(seconds)``."""

    def __init__(self, base: Clock) -> None:
        self._base = base

    def now(self) -> float:
        return self._base.now() + _SKEW.get()

    def monotonic(self) -> float:
        return self._base.monotonic()


@contextlib.contextmanager
def skewed(seconds: float) -> Iterator[None]:
    token = _SKEW.set(seconds)
    try:
        yield
    finally:
        _SKEW.reset(token)


def _outcome(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    if isinstance(exc, WalletRefused):
        return "refused"
    if isinstance(exc, WalletTimeout):
        return "timeout"
    if isinstance(exc, WalletUnavailable):
        return "unavailable"
    if isinstance(exc, WalletError):
        return "protocol_error" if exc.code == "WALLET_PROTOCOL_ERROR" else "error"
    return "bug"


def _fail(operation: str, exc: Exception) -> NoReturn:
    """Raise ``exc`` through the client's error mapping, as if the transport had raised it."""
    with map_client_errors(operation):
        raise exc


def _corrupt(value: str) -> str:
    if not value:
        return "sha256=" + "0" * 64
    last = value[-1]
    return value[:-1] + ("0" if last != "0" else "1")


# not frozen, like the store's records: built several times a round (simulator.store.records says why)
@dataclasses.dataclass(slots=True)
class _Outgoing:
    """A request on its way to the wallet: the call it carries, the client that sends it and the fault labels its
    journal entries get (kept as it is while a reorder rule holds it back)."""

    call: WalletCall
    client: WalletClient
    request: WalletRequest
    labels: list[str]


class FaultHook:
    """The ``WalletHook`` of the simulator. ``serial`` (deterministic mode) sends one call at a time, in the order
    calls were made, so concurrent settlements cannot reorder the journal or the wallet's balances between runs."""

    def __init__(
        self,
        faults: FaultSet,
        *,
        sleep: Sleep,
        journal: Journal,
        metrics: Metrics,
        serial: bool = False,
    ) -> None:
        self.faults = faults
        self._sleep = sleep
        self._journal = journal
        self._metrics = metrics
        self._lock = asyncio.Lock() if serial else None
        self._held: dict[str, list[_Outgoing]] = {}
        self._held_count = 0
        # transaction id -> what the wallet really did with a call the simulator was told it accepted (reorder with
        # reply: ack): "pending" until released, then "acked", "refused" or "failed"
        self.fabricated: dict[str, str] = {}

    async def send(self, call: WalletCall, client: WalletClient) -> WalletReply:
        if self._lock is None:
            return await self._send(call, client)
        async with self._lock:
            return await self._send(call, client)

    async def _send(self, call: WalletCall, client: WalletClient) -> WalletReply:
        started = time.perf_counter()  # latency as a metric, never a decision: the real clock, not the injected one
        firing = self._select(call, client)
        holding = firing is not None and isinstance(firing.rule.action, ReorderAction)
        error: BaseException | None = None
        try:
            return await self._apply(firing, call, client)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self._metrics.wallet_call(
                call.operation,
                _outcome(error),
                studio=call.studio_id,
                dialect=client.dialect.name,
                seconds=time.perf_counter() - started,
            )
            if self._held and not holding and call.round_id in self._held:
                await self._release(call.round_id)

    def _select(self, call: WalletCall, client: WalletClient) -> Firing | None:
        chosen = REQUEST_FAULTS.get()
        if not (self.faults.active and "outbound" in self.faults.sides) and chosen is None:
            return None
        target = Target(
            "outbound",
            call.operation,
            "POST",
            call.operation,
            studio=call.studio_id or None,
            game=call.game_id or None,
            dialect=client.dialect.name,
            player=call.player_id,
            currency=call.currency,
            session=call.session_id,
            round=call.round_id or None,
            transaction=call.transaction_id or None,
            bonus=None if call.bonus is None else str(call.bonus.get("type")),
        )
        firing = chosen.select(target) if chosen is not None else None
        if firing is None:
            firing = self.faults.select(target)
        if firing is not None:
            self._metrics.fault_injected(firing.compiled.id, "outbound", firing.rule.action.type)
        return firing

    # transport with a journal entry per HTTP exchange

    def _open(self, out: _Outgoing) -> Exchange | None:
        call, request = out.call, out.request
        entry = self._journal.open(
            "outbound",
            call.operation,
            "POST",
            _path(request.url),
            request.headers,
            request.body,
            player=call.player_id,
            round=call.round_id or None,
            transaction=call.transaction_id or None,
        )
        if entry is not None and out.labels:
            entry.fault(*out.labels)
        return entry

    async def _post(self, out: _Outgoing, note: str = "", *, wait: float = 0.0) -> tuple[int, bytes]:
        """One HTTP exchange, journaled; ``wait`` seconds pass first and count in the exchange's time."""
        entry = self._open(out)
        if entry is not None and note:
            entry.note(note)
        if wait:
            await self._sleep(wait)
        try:
            status, body = await out.client.post(out.call, out.request)
        except WalletError as exc:
            self._journal.close(entry, outcome=exc.code)
            raise
        self._journal.close(entry, status=status, body=body)
        return status, body

    async def _exchange(
        self, out: _Outgoing, note: str = "", *, wait: float = 0.0, gave_up: bool = False
    ) -> WalletReply:
        """The request and those chained after it, as the client sends them, each journaled; ``wait`` comes before
        the first. With ``gave_up`` the wallet gets everything but the simulator has stopped waiting: whatever the
        replies, the call times out."""
        waits = [wait]

        async def post(c: WalletCall, r: WalletRequest) -> tuple[int, bytes]:
            chained = dataclasses.replace(out, call=c, request=r)
            return await self._post(chained, note, wait=waits.pop() if waits else 0.0)

        if not gave_up:
            return await out.client.exchange(out.call, out.request, post)
        with contextlib.suppress(WalletError, WalletRefused):
            await out.client.exchange(out.call, out.request, post)
        _fail(out.call.operation, TimeoutError())

    async def _deliver(self, out: _Outgoing, note: str) -> None:
        """Send the call for the wallet to apply, and ignore what comes back."""
        with contextlib.suppress(WalletError, WalletRefused):
            await self._exchange(out, note)

    # actions

    async def _apply(self, firing: Firing | None, call: WalletCall, client: WalletClient) -> WalletReply:
        if firing is None:
            out = _Outgoing(call, client, client.dialect.build(call), [])
            if out.request.then is None:  # most calls: one exchange, journaled
                status, reply = await self._post(out)
                return client.dialect.parse(call, status, reply)
            return await self._exchange(out)
        action = firing.rule.action
        assert isinstance(action, OutboundAction), action.type  # the rule validator refused it otherwise
        return await action.outbound(OutboundCall(self, call, client, [firing.label]))

    async def _hold(self, out: _Outgoing) -> None:
        if self._held_count >= MAX_HELD:
            await self.flush()
        self._held.setdefault(out.call.round_id, []).append(out)
        self._held_count += 1

    async def _release(self, round_id: str) -> None:
        for held in self._held.pop(round_id, []):
            self._held_count -= 1
            txid, note = held.call.transaction_id, "released out of order"
            if txid not in self.fabricated:
                await self._deliver(held, note)
                continue
            try:
                await self._exchange(held, note)
            except WalletRefused:
                self.fabricated[txid] = "refused"
            except WalletError:
                self.fabricated[txid] = "failed"
            else:
                self.fabricated[txid] = "acked"

    async def flush(self) -> None:
        """Deliver every call still held by a reorder rule (at shutdown, or when a scenario settles)."""
        for round_id in list(self._held):
            await self._release(round_id)

    @property
    def held(self) -> int:
        return self._held_count


@functools.lru_cache(maxsize=256)
def _path(url: str) -> str:
    return urlsplit(url).path


_SIGNATURE_HEADER = re.compile("signature", re.IGNORECASE)


def _spoil_credentials(request: WalletRequest, header: str | None) -> WalletRequest:
    """Corrupt what authenticates the request: the named header; else any signature header (native, rsa_json), the
    md5_form ``hash`` field, or the token_query ``authToken`` parameter."""
    headers = dict(request.headers)
    names = [header] if header else [k for k in headers if _SIGNATURE_HEADER.search(k)]
    if names:
        for name in names:
            headers[name] = _corrupt(headers.get(name, ""))
        return dataclasses.replace(request, headers=headers)
    if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qsl(request.body.decode(), keep_blank_values=True)
        if any(k in form_credentials() for k, _ in form):
            spoiled = [(k, _corrupt(v) if k in form_credentials() else v) for k, v in form]
            return dataclasses.replace(request, body=urlencode(spoiled).encode())
    url = urlsplit(request.url)
    query = parse_qsl(url.query, keep_blank_values=True)
    if any(k in query_credentials() for k, _ in query):
        spoiled = [(k, _corrupt(v) if k in query_credentials() else v) for k, v in query]
        return dataclasses.replace(request, url=urlunsplit(url._replace(query=urlencode(spoiled))))
    return request


@dataclasses.dataclass(slots=True)
class OutboundCall:
    """One wallet call a rule fired on, as its action sees it: the hook's journaled transport, the seeded fault RNG,
    the client's timeout, and the hook's state (held calls, made-up acceptances). Waits go through the hook's
    injected sleep."""

    hook: FaultHook
    call: WalletCall
    client: WalletClient
    labels: list[str]

    @property
    def rng(self) -> random.Random:
        return self.hook.faults.rng

    @property
    def timeout(self) -> float:
        return self.client.timeout

    def build(self, call: WalletCall | None = None, *, skew: float = 0.0) -> WalletRequest:
        """The dialect's request for the call (or a changed copy of it), signed with a clock ``skew`` seconds off."""
        if not skew:
            return self.client.dialect.build(call or self.call)
        with skewed(skew):
            return self.client.dialect.build(call or self.call)

    def parse(self, status: int, body: bytes) -> WalletReply:
        return self.client.dialect.parse(self.call, status, body)

    def _outgoing(self, request: WalletRequest) -> _Outgoing:
        return _Outgoing(self.call, self.client, request, self.labels)

    async def exchange(
        self, request: WalletRequest, note: str = "", *, wait: float = 0.0, gave_up: bool = False
    ) -> WalletReply:
        return await self.hook._exchange(self._outgoing(request), note, wait=wait, gave_up=gave_up)

    async def deliver(self, request: WalletRequest, note: str) -> None:
        await self.hook._deliver(self._outgoing(request), note)

    async def record(
        self,
        request: WalletRequest,
        note: str,
        outcome: str,
        *,
        status: int | None = None,
        body: bytes = b"",
        wait: float = 0.0,
    ) -> None:
        """Journal an exchange that did not happen on the wire (lost, held, or answered by the fault itself); ``wait``
        is how long the simulator waited for it."""
        hook = self.hook
        entry = hook._open(self._outgoing(request))
        if entry is not None:
            entry.note(note)
        if wait:
            await hook._sleep(wait)
        hook._journal.close(entry, status=status, body=body, outcome=outcome)

    def fail(self, exc: Exception) -> NoReturn:
        _fail(self.call.operation, exc)

    def spoiled(self, request: WalletRequest, header: str | None) -> WalletRequest:
        return each_request(request, lambda r: _spoil_credentials(r, header))

    async def hold(self, request: WalletRequest) -> None:
        """Keep the request back until the round's next call has gone out."""
        await self.hook._hold(self._outgoing(request))

    def fabricate(self) -> WalletReply:
        """An acceptance the wallet never gave, for a held call; what the wallet really does is tracked."""
        self.hook.fabricated[self.call.transaction_id] = "pending"
        return WalletReply(0, self.call.currency, self.call.transaction_id or None)

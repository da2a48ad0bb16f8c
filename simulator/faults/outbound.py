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
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.registry import form_credentials, query_credentials
from simulator.errors import WalletError, WalletRefused, WalletTimeout, WalletUnavailable
from simulator.faults.journal import Exchange, Journal
from simulator.faults.rules import (
    BadSignatureAction,
    ClockSkewAction,
    DelayAction,
    DuplicateAction,
    MalformedBodyAction,
    ReorderAction,
    ResetAction,
    StatusAction,
    TimeoutAction,
)
from simulator.faults.ruleset import FaultSet, Firing, Target
from simulator.metrics import Metrics
from simulator.wallet_client.client import WalletClient, map_client_errors
from simulator.wallet_client.transport import ConnectionLost

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


def _fail(operation: str, exc: Exception) -> None:
    """Raise ``exc`` through the client's error mapping, as if the transport had raised it."""
    with map_client_errors(operation):
        raise exc


def _corrupt(value: str) -> str:
    if not value:
        return "sha256=" + "0" * 64
    last = value[-1]
    return value[:-1] + ("0" if last != "0" else "1")


@dataclasses.dataclass(slots=True)
class _Held:
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
        self._held: dict[str, list[_Held]] = {}
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
        firing = self._select(call, client)
        holding = firing is not None and isinstance(firing.rule.action, ReorderAction)
        error: BaseException | None = None
        try:
            return await self._apply(firing, call, client)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self._metrics.inc("casino_sim_wallet_calls_total", operation=call.operation, outcome=_outcome(error))
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
        )
        firing = chosen.select(target) if chosen is not None else None
        if firing is None:
            firing = self.faults.select(target)
        if firing is not None:
            self._metrics.inc(
                "casino_sim_faults_injected_total",
                rule=firing.compiled.id,
                side="outbound",
                action=firing.rule.action.type,
            )
        return firing

    # transport with a journal entry per HTTP exchange

    def _open(self, call: WalletCall, request: WalletRequest, labels: list[str]) -> Exchange | None:
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
        if entry is not None and labels:
            entry.faults.extend(labels)
        return entry

    async def _post(
        self,
        call: WalletCall,
        client: WalletClient,
        request: WalletRequest,
        labels: list[str],
        note: str = "",
        *,
        wait: float = 0.0,
    ) -> tuple[int, bytes]:
        """One HTTP exchange, journaled; ``wait`` seconds pass first and count in the exchange's time."""
        entry = self._open(call, request, labels)
        if entry is not None and note:
            entry.notes.append(note)
        if wait:
            await self._sleep(wait)
        try:
            status, body = await client.post(call, request)
        except WalletError as exc:
            self._journal.close(entry, outcome=exc.code)
            raise
        self._journal.close(entry, status=status, body=body)
        return status, body

    async def _exchange(
        self,
        call: WalletCall,
        client: WalletClient,
        request: WalletRequest,
        labels: list[str],
        note: str = "",
        *,
        wait: float = 0.0,
        gave_up: bool = False,
    ) -> WalletReply:
        """The request and those chained after it, as the client sends them, each journaled; ``wait`` comes before
        the first. With ``gave_up`` the wallet gets everything but the simulator has stopped waiting: whatever the
        replies, the call times out."""
        waits = [wait]

        async def post(c: WalletCall, r: WalletRequest) -> tuple[int, bytes]:
            return await self._post(c, client, r, labels, note, wait=waits.pop() if waits else 0.0)

        if not gave_up:
            return await client.exchange(call, request, post)
        with contextlib.suppress(WalletError, WalletRefused):
            await client.exchange(call, request, post)
        _fail(call.operation, TimeoutError())
        raise AssertionError("unreachable")  # pragma: no cover - _fail always raises

    async def _deliver(
        self, call: WalletCall, client: WalletClient, request: WalletRequest, labels: list[str], note: str
    ) -> None:
        """Send the call for the wallet to apply, and ignore what comes back."""
        with contextlib.suppress(WalletError, WalletRefused):
            await self._exchange(call, client, request, labels, note)

    async def _record(
        self,
        call: WalletCall,
        request: WalletRequest,
        labels: list[str],
        note: str,
        outcome: str,
        *,
        status: int | None = None,
        body: bytes = b"",
        wait: float = 0.0,
    ) -> None:
        """Journal an exchange that did not happen on the wire (lost, held, or answered by the fault itself); ``wait``
        is how long the simulator waited for it."""
        entry = self._open(call, request, labels)
        if entry is not None:
            entry.notes.append(note)
        if wait:
            await self._sleep(wait)
        self._journal.close(entry, status=status, body=body, outcome=outcome)

    # actions

    async def _apply(self, firing: Firing | None, call: WalletCall, client: WalletClient) -> WalletReply:
        if firing is None:
            request = client.dialect.build(call)
            if request.then is None:  # most calls: one exchange, journaled
                status, reply = await self._post(call, client, request, [])
                return client.dialect.parse(call, status, reply)
            return await self._exchange(call, client, request, [])
        action = firing.rule.action
        labels = [firing.label]
        if isinstance(action, ClockSkewAction):
            with skewed(action.seconds):
                request = client.dialect.build(call)
            return await self._exchange(call, client, request, labels, f"signed {action.seconds:+g}s off")
        if isinstance(action, MalformedBodyAction):
            return await self._exchange(call, client, self._malformed(action, call, client), labels)
        request = client.dialect.build(call)
        if isinstance(action, DelayAction):
            delay = action.draw(self.faults.rng)
            if delay >= client.timeout:
                note = f"delayed {delay:.3f}s; the simulator gave up at its timeout"
                return await self._exchange(call, client, request, labels, note, wait=client.timeout, gave_up=True)
            return await self._exchange(call, client, request, labels, f"delayed {delay:.3f}s", wait=delay)
        if isinstance(action, StatusAction):
            if action.deliver:
                await self._deliver(call, client, request, labels, "delivered; the reply is replaced")
            body = action.body if action.body is not None else _error_body(action.status)
            raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            note = "answered by the fault"
            await self._record(call, request, labels, note, "fabricated", status=action.status, body=raw)
            return client.dialect.parse(call, action.status, raw)
        if isinstance(action, ResetAction):
            if action.deliver:
                await self._deliver(
                    call, client, request, labels, "delivered; the connection is reset before the reply"
                )
            else:
                await self._record(call, request, labels, "connection reset before sending", "reset")
            _fail(call.operation, ConnectionLost("connection reset by peer (injected)"))
        if action.type == "lose" or (isinstance(action, TimeoutAction) and not action.deliver):
            await self._record(call, request, labels, "never sent", "lost", wait=client.timeout)
            _fail(call.operation, TimeoutError())
        if isinstance(action, TimeoutAction):
            note = "delivered; the reply is treated as a timeout"
            return await self._exchange(call, client, request, labels, note, wait=client.timeout, gave_up=True)
        if isinstance(action, DuplicateAction):
            return await self._duplicate(action, call, client, request, labels)
        if isinstance(action, ReorderAction):
            return await self._hold(action, call, client, request, labels)
        if isinstance(action, BadSignatureAction):
            spoiled = _each(request, lambda r: _spoil_credentials(r, action.header))
            return await self._exchange(call, client, spoiled, labels, "credentials corrupted")
        raise AssertionError(f"unhandled outbound action {action.type}")  # pragma: no cover - rules are validated

    def _malformed(self, action: MalformedBodyAction, call: WalletCall, client: WalletClient) -> WalletRequest:
        if action.how == "invalid_field":
            return client.dialect.build(dataclasses.replace(call, **{action.field: action.value}))
        rng = self.faults.rng

        def damage(r: WalletRequest) -> WalletRequest:
            body = r.body[: len(r.body) // 2] if action.how == "truncate" else rng.randbytes(len(r.body))
            return dataclasses.replace(r, body=body)

        return _each(client.dialect.build(call), damage)

    async def _duplicate(
        self, action: DuplicateAction, call: WalletCall, client: WalletClient, request: WalletRequest, labels: list[str]
    ) -> WalletReply:
        notes = [f"copy {i + 1} of {action.copies}" for i in range(action.copies)]
        results: list[WalletReply | BaseException]
        if action.spacing == 0:
            results = await asyncio.gather(
                *(self._exchange(call, client, request, labels, note) for note in notes), return_exceptions=True
            )
        else:
            results = []
            for i, note in enumerate(notes):
                try:
                    wait = action.spacing if i else 0.0
                    results.append(await self._exchange(call, client, request, labels, note, wait=wait))
                except (WalletError, WalletRefused) as exc:
                    results.append(exc)
        first = results[0]
        if isinstance(first, BaseException):
            raise first
        return first

    async def _hold(
        self, action: ReorderAction, call: WalletCall, client: WalletClient, request: WalletRequest, labels: list[str]
    ) -> WalletReply:
        if not call.round_id:
            return await self._exchange(call, client, request, labels, "nothing to reorder")
        if self._held_count >= MAX_HELD:
            await self.flush()
        self._held.setdefault(call.round_id, []).append(_Held(call, client, request, labels))
        self._held_count += 1
        note = f"held until the round's next call; the simulator sees {action.reply}"
        if action.reply == "timeout":
            await self._record(call, request, labels, note, "held", wait=client.timeout)
            _fail(call.operation, TimeoutError())
        await self._record(call, request, labels, note, "held")
        self.fabricated[call.transaction_id] = "pending"
        return WalletReply(0, call.currency, call.transaction_id or None)  # an acceptance the wallet never gave

    async def _release(self, round_id: str) -> None:
        for held in self._held.pop(round_id, []):
            self._held_count -= 1
            txid, note = held.call.transaction_id, "released out of order"
            if txid not in self.fabricated:
                await self._deliver(held.call, held.client, held.request, held.labels, note)
                continue
            try:
                await self._exchange(held.call, held.client, held.request, held.labels, note)
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


def _each(request: WalletRequest, change: Callable[[WalletRequest], WalletRequest]) -> WalletRequest:
    """``change`` applied to a request and to every request chained after it."""
    then = _each(request.then, change) if request.then is not None else None
    return dataclasses.replace(change(request), then=then)


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


def _error_body(status: int) -> dict[str, object]:
    """A 5xx reads like the wallet's own INTERNAL_ERROR (outcome unknown); other statuses carry a code no dialect
    knows, which the simulator must treat as an unreadable reply."""
    code = "INTERNAL_ERROR" if status >= 500 else "INJECTED_FAULT"
    return {"error": {"code": code, "message": f"HTTP {status} injected by a fault rule"}}

"""A bounded journal of inbound and outbound exchanges: request, response, timings and the faults applied.

It is a ring buffer (``collections.deque`` with ``maxlen``): under load it keeps the latest ``size`` exchanges and
never grows, unlike request journals that keep everything until memory runs out. An entry holds strings, bytes,
numbers, and tuples and plain dictionaries of them (an inbound request's raw header pairs, a wallet call's own header
dictionary, the faults and notes as tuples), not the request's or response's header objects: the garbage collector
stops looking at such tuples and dictionaries once it has seen them, where header objects, lists and what they kept
alive were walked again and again for the thousand rounds an entry lives. Recording copies nothing but a body longer
than ``BODY_LIMIT`` (sliced); redaction and rendering wait until the journal is read (``bench/round_ab.py
--together`` measures what recording costs a round).

Secrets never enter it: signature and authorization headers are replaced by ``[redacted]`` and any known secret value
is scrubbed from bodies.

>>> from simulator.clock import ManualClock
>>> journal = Journal(2, clock=ManualClock(), secrets=["s3cret"])
>>> entry = journal.open("outbound", "bet", "POST", "/bet", {"X-Casino-Sim-Signature": "sha256=ab"}, b'{"k":"s3cret"}')
>>> journal.close(entry, status=200, body=b"{}")
>>> record = journal.query()[0]
>>> record["request"]["headers"], record["request"]["body"]
({'X-Casino-Sim-Signature': '[redacted]'}, '{"k":"[redacted]"}')
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from simulator.clock import Clock

BODY_LIMIT = 4096
REDACTED = "[redacted]"
_SECRET_HEADER = re.compile(r"signature|authorization|secret|cookie|api-key|password", re.IGNORECASE)
_KEPT_RESPONSE_HEADERS = ("Content-Type", "Retry-After")


Body = bytes | str
Pairs = tuple[tuple[bytes, bytes], ...]
"""An inbound request's headers as aiohttp keeps them (``raw_headers``)."""
Headers = Mapping[str, str] | Pairs


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value


def _clip(body: Body) -> tuple[Body, int]:
    """At most ``BODY_LIMIT`` of a body, and how much was left out (a slice, so recording stays cheap)."""
    return (body[:BODY_LIMIT], len(body) - BODY_LIMIT) if len(body) > BODY_LIMIT else (body, 0)


@dataclass(slots=True)
class Exchange:
    """One exchange as recorded: raw headers and clipped bodies. Redaction happens when it is read."""

    seq: int
    side: str
    operation: str
    method: str
    path: str
    started: float
    started_mono: float
    request_headers: Headers
    request_body: Body
    player: str | None = None
    session: str | None = None
    round: str | None = None
    transaction: str | None = None
    elapsed: float | None = None
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()  # those kept (``_KEPT_RESPONSE_HEADERS``)
    response_body: Body = b""
    outcome: str | None = None
    faults: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    request_left: int = 0  # bytes of the request body left out (``BODY_LIMIT``)
    response_left: int = 0

    def fault(self, *labels: str) -> None:
        self.faults += labels

    def note(self, text: str) -> None:
        self.notes += (text,)

    def set_request_body(self, body: Body) -> None:
        self.request_body, self.request_left = _clip(body)


class Journal:
    def __init__(self, size: int, *, clock: Clock, secrets: Iterable[str] = ()) -> None:
        self.size = size
        self._clock = clock
        self._entries: deque[Exchange] = deque(maxlen=max(size, 1))
        self._seq = itertools.count(1)
        self._secrets = tuple(s for s in secrets if s)
        self.recorded = 0

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def __len__(self) -> int:
        return len(self._entries) if self.enabled else 0

    def redact(self, body: Body, left: int = 0) -> str:
        text = body.decode("utf-8", "backslashreplace") if isinstance(body, bytes) else body
        if left:
            text += f"...[{left} more]"
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def _headers(self, headers: Headers) -> dict[str, str]:
        """Request headers without ``Host`` (it names a port that changes between runs), secrets redacted."""
        out = {}
        for raw_name, raw_value in headers if isinstance(headers, tuple) else headers.items():
            name = _text(raw_name)
            if name.lower() != "host":
                out[name] = REDACTED if _SECRET_HEADER.search(name) else self.redact(raw_value)
        return out

    def render(self, e: Exchange, *, timings: bool = True) -> dict[str, Any]:
        response = None
        if e.status is not None:
            response = {
                "status": e.status,
                "headers": dict(e.response_headers),
                "body": self.redact(e.response_body, e.response_left),
            }
        ids = (("player", e.player), ("session", e.session), ("round", e.round), ("transaction", e.transaction))
        out: dict[str, Any] = {
            "seq": e.seq,
            "side": e.side,
            "operation": e.operation,
            "request": {
                "method": e.method,
                "path": e.path,
                "headers": self._headers(e.request_headers),
                "body": self.redact(e.request_body, e.request_left),
            },
            "response": response,
            "outcome": e.outcome,
            "faults": list(e.faults),
            "notes": list(e.notes),
            "ids": {k: v for k, v in ids if v is not None},
        }
        if timings:
            out["started"] = e.started
            out["elapsed"] = e.elapsed
        return out

    def open(
        self,
        side: str,
        operation: str,
        method: str,
        path: str,
        headers: Headers,
        body: Body,
        *,
        player: str | None = None,
        session: str | None = None,
        round: str | None = None,
        transaction: str | None = None,
    ) -> Exchange | None:
        """Start recording an exchange; ``None`` when the journal is off. Sequence numbers follow start order.
        ``headers`` is kept as given: pass a mapping nobody changes afterwards."""
        if not self.enabled:
            return None
        clipped, left = _clip(body)
        entry = Exchange(
            next(self._seq),
            side,
            operation,
            method,
            path,
            self._clock.now(),
            self._clock.monotonic(),
            headers,
            clipped,
            player,
            session,
            round,
            transaction,
            request_left=left,
        )
        self._entries.append(entry)
        self.recorded += 1
        return entry

    def close(
        self,
        entry: Exchange | None,
        *,
        status: int | None = None,
        body: Body = b"",
        headers: Mapping[str, str] | None = None,
        outcome: str | None = None,
    ) -> None:
        if entry is None:
            return
        entry.elapsed = self._clock.monotonic() - entry.started_mono
        entry.status = status
        entry.response_body, entry.response_left = _clip(body)
        if headers:
            kept = []
            for name in _KEPT_RESPONSE_HEADERS:  # a loop, not a generator: every exchange pays it
                value = headers.get(name)
                if value is not None:
                    kept.append((name, value))
            entry.response_headers = tuple(kept)
        entry.outcome = outcome if outcome is not None else ("ok" if status is not None and status < 400 else None)

    def clear(self) -> None:
        self._entries.clear()

    def entries(self) -> list[Exchange]:
        return list(self._entries) if self.enabled else []

    def query(
        self,
        *,
        side: str | None = None,
        operation: str | None = None,
        player: str | None = None,
        session: str | None = None,
        round: str | None = None,
        transaction: str | None = None,
        fault: str | None = None,
        status: int | None = None,
        after: int | None = None,
        limit: int = 100,
        timings: bool = True,
    ) -> list[dict[str, Any]]:
        """Matching exchanges, oldest first: those after seq ``after``, or else the latest ``limit``.
        ``fault="*"`` keeps every faulted exchange; a rule id keeps that rule's."""

        def keep(e: Exchange) -> bool:
            return (
                (side is None or e.side == side)
                and (operation is None or e.operation == operation)
                and (player is None or e.player == player)
                and (session is None or e.session == session)
                and (round is None or e.round == round)
                and (transaction is None or e.transaction == transaction)
                and (status is None or e.status == status)
                and (after is None or e.seq > after)
                and (
                    fault is None
                    or (bool(e.faults) if fault == "*" else any(f.split(":", 1)[0] == fault for f in e.faults))
                )
            )

        chosen = [e for e in self.entries() if keep(e)]
        chosen = chosen[:limit] if after is not None else chosen[-limit:]
        return [self.render(e, timings=timings) for e in chosen]

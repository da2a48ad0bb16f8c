"""A bounded journal of inbound and outbound exchanges: request, response, timings and the faults applied.

It is a ring buffer (``collections.deque`` with ``maxlen``): under load it keeps the latest ``size`` exchanges and
never grows, unlike request journals that keep everything until memory runs out. Secrets never enter it: signature
and authorization headers are replaced by ``[redacted]`` and any known secret value is scrubbed from bodies.

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
from dataclasses import dataclass, field
from typing import Any

from simulator.clock import Clock

BODY_LIMIT = 4096
REDACTED = "[redacted]"
_SECRET_HEADER = re.compile(r"signature|authorization|secret|cookie|api-key|password", re.IGNORECASE)
_KEPT_RESPONSE_HEADERS = ("Content-Type", "Retry-After")


@dataclass(slots=True)
class Exchange:
    seq: int
    side: str
    operation: str
    method: str
    path: str
    started: float
    started_mono: float
    request_headers: dict[str, str]
    request_body: str
    player: str | None = None
    session: str | None = None
    round: str | None = None
    transaction: str | None = None
    elapsed: float | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    outcome: str | None = None
    faults: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self, *, timings: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "side": self.side,
            "operation": self.operation,
            "request": {
                "method": self.method,
                "path": self.path,
                "headers": self.request_headers,
                "body": self.request_body,
            },
            "response": None
            if self.status is None
            else {"status": self.status, "headers": self.response_headers, "body": self.response_body},
            "outcome": self.outcome,
            "faults": list(self.faults),
            "notes": list(self.notes),
            "ids": {
                k: v
                for k, v in (
                    ("player", self.player),
                    ("session", self.session),
                    ("round", self.round),
                    ("transaction", self.transaction),
                )
                if v is not None
            },
        }
        if timings:
            out["started"] = self.started
            out["elapsed"] = self.elapsed
        return out


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

    def redact(self, body: bytes | str) -> str:
        text = body.decode("utf-8", "backslashreplace") if isinstance(body, bytes) else body
        if len(text) > BODY_LIMIT:
            text = text[:BODY_LIMIT] + f"...[{len(text) - BODY_LIMIT} more]"
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def _headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Request headers without ``Host`` (it names a port that changes between runs), secrets redacted."""
        return {
            k: REDACTED if _SECRET_HEADER.search(k) else self.redact(v)
            for k, v in headers.items()
            if k.lower() != "host"
        }

    def open(
        self,
        side: str,
        operation: str,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | str,
        *,
        player: str | None = None,
        session: str | None = None,
        round: str | None = None,
        transaction: str | None = None,
    ) -> Exchange | None:
        """Start recording an exchange; ``None`` when the journal is off. Sequence numbers follow start order."""
        if not self.enabled:
            return None
        entry = Exchange(
            next(self._seq),
            side,
            operation,
            method,
            path,
            self._clock.now(),
            self._clock.monotonic(),
            self._headers(headers),
            self.redact(body),
            player=player,
            session=session,
            round=round,
            transaction=transaction,
        )
        self._entries.append(entry)
        self.recorded += 1
        return entry

    def close(
        self,
        entry: Exchange | None,
        *,
        status: int | None = None,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        outcome: str | None = None,
    ) -> None:
        if entry is None:
            return
        entry.elapsed = self._clock.monotonic() - entry.started_mono
        entry.status = status
        entry.response_body = self.redact(body)
        if headers is not None:
            entry.response_headers = {k: headers[k] for k in _KEPT_RESPONSE_HEADERS if k in headers}
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
        return [e.to_json(timings=timings) for e in chosen]

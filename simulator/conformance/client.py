"""HTTP for the suite: every request goes out as built (no retries, no pooling tricks), every exchange is
recorded redacted, and each wallet operation ends as an ``Answer`` read by the dialect's own parser.

Answers come in four kinds, the distinction a provider acts on: ``ok`` (applied, with the balance),
``refused`` (a definitive protocol code: nothing applied, never rolled back), ``unknown`` (timeout, 5xx,
connection error or a "try again" code: bets get rolled back, the rest retried) and ``invalid`` (a reply the
dialect cannot read: just as unknown for the provider, and a defect in itself).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import aiohttp

from simulator.conformance.model import Exchange
from simulator.conformance.redact import Redactor
from simulator.conformance.wire import Wire
from simulator.dialects.call import WalletCall, WalletRequest
from simulator.errors import WalletError, WalletProtocolError, WalletRefused, WalletTimeout, WalletUnavailable
from simulator.money import to_decimal
from simulator.wallet_client.client import MAX_REPLY_BYTES

Kind = Literal["ok", "refused", "unknown", "invalid"]
Record = Callable[[Exchange], None]
_SHOWN_BODY = 8 * 1024


def money(amount: int | None, currency: str) -> str:
    if amount is None:
        return "no balance"
    return f"{to_decimal(amount, currency):f} {currency}"


@dataclass(frozen=True, slots=True)
class Answer:
    kind: Kind
    currency: str
    balance: int | None = None  # ok: the reply's balance; refused: the balance it carried, if any
    code: str | None = None  # refused: the native code the dialect's code maps to
    detail: str = ""
    status: int | None = None  # of the last HTTP reply
    body: bytes = b""  # of the last HTTP reply, unredacted: for the suite's own reading, never reported
    request: WalletRequest | None = None  # the last request sent

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    def describe(self) -> str:
        if self.kind == "ok":
            return f"accepted, balance {money(self.balance, self.currency)}"
        if self.kind == "refused":
            carried = "" if self.balance is None else f", balance {money(self.balance, self.currency)}"
            return f"refused with {self.code}{carried}"
        if self.kind == "invalid":
            return f"an unreadable reply ({self.detail})"
        return f"no usable answer ({self.detail})"


@contextmanager
def _client_errors(operation: str) -> Iterator[None]:
    """aiohttp's errors as the ``WalletError`` a studio would see (the suite sends any method, so it uses aiohttp)."""
    try:
        yield
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise WalletTimeout(f"wallet did not answer {operation} in time") from exc
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError, aiohttp.InvalidURL) as exc:
        raise WalletProtocolError(f"wallet reply to {operation} was unreadable: {type(exc).__name__}") from exc
    except aiohttp.ClientError as exc:
        raise WalletUnavailable(f"wallet unreachable for {operation}: {type(exc).__name__}") from exc


class Client:
    def __init__(self, http: aiohttp.ClientSession, wire: Wire, redactor: Redactor, *, timeout: float) -> None:
        self.http = http
        self.wire = wire
        self.redactor = redactor
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def perform(self, call: WalletCall, request: WalletRequest, label: str, record: Record) -> Answer:
        """Send ``request`` (and what it chains to) for ``call`` and read the answer as the studio would."""
        current = request
        step = label
        while True:
            try:
                status, body = await self.post(
                    current.method, current.url, current.headers, current.body, step, record, operation=call.operation
                )
            except WalletError as exc:
                return Answer("unknown", call.currency, detail=exc.message, request=current)
            if (unreadable := self.wire.unreadable(status, body)) is not None:
                return Answer("invalid", call.currency, detail=unreadable, status=status, body=body, request=current)
            try:
                if current.then is None:
                    reply = self.wire.studio.parse(call, status, body)
                    return Answer("ok", call.currency, reply.balance, status=status, body=body, request=current)
                if current.check_reply is not None:
                    current.check_reply(call, status, body)
                else:
                    self.wire.studio.parse(call, status, body)
            except WalletRefused as exc:
                carried = exc.extra.get("balance")
                balance = carried if isinstance(carried, int) else None
                return Answer("refused", call.currency, balance, exc.code, exc.message, status, body, current)
            except WalletProtocolError as exc:
                return Answer("invalid", call.currency, detail=exc.message, status=status, body=body, request=current)
            except WalletError as exc:
                return Answer("unknown", call.currency, detail=exc.message, status=status, body=body, request=current)
            current = current.then
            step = f"{label} (next call: {current.url.rsplit('/', 1)[-1].split('?', 1)[0]})"

    async def post(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        label: str,
        record: Record,
        *,
        operation: str = "request",
        kind: str = "protocol",
    ) -> tuple[int, bytes]:
        started = time.perf_counter()
        status: int | None = None
        reply = b""
        error: str | None = None
        try:
            with _client_errors(operation):
                async with self.http.request(
                    method, url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False
                ) as response:
                    status = response.status
                    chunks: list[bytes] = []
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        chunks.append(chunk)
                        if sum(map(len, chunks)) > MAX_REPLY_BYTES:
                            raise WalletProtocolError(f"the reply exceeds {MAX_REPLY_BYTES} bytes")
                    reply = b"".join(chunks)
        except WalletError as exc:
            error = exc.message
            raise
        finally:
            record(self._exchange(label, method, url, headers, body, status, reply, error, started, kind))
        return status, reply

    def _exchange(
        self,
        label: str,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        status: int | None,
        reply: bytes,
        error: str | None,
        started: float,
        kind: str,
    ) -> Exchange:
        shown = self.redactor.text
        return Exchange(
            label=label,
            method=method,
            url=shown(url),
            request_headers=self.redactor.headers(headers),
            request_body=shown(_clip(body)),
            status=status,
            response_body=None if status is None else shown(_clip(reply)),
            error=error,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
            kind=kind,
        )


def _clip(raw: bytes) -> str:
    text = raw[:_SHOWN_BODY].decode("utf-8", errors="replace")
    return text if len(raw) <= _SHOWN_BODY else f"{text}… ({len(raw)} bytes)"

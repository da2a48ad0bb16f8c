"""The SDK without I/O: every endpoint as a ``Request`` (method, exact target, body bytes), how an answer is read
(JSON, or the typed error of its family), and how each list pages. The sync client (``simulator_sdk.client``) and
the asyncio client (``simulator_sdk.aio``) only move these bytes, so they cannot disagree on what is sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from simulator_sdk.errors import ApiError, RateLimited, TransportError, family

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Request:
    """``target`` is the path and query exactly as sent (and signed)."""

    method: str
    target: str
    body: bytes = b""

    def content_headers(self) -> dict[str, str]:
        return {"Content-Type": JSON_TYPE} if self.body else {}


@dataclass(frozen=True)
class Reply:
    """An answer as it came: status, headers and body bytes; ``json()`` reads it or raises its typed error."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    http_version: str = "1.1"

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return read(self)


# what may stand in a request target as it is (RFC 3986 unreserved, sub-delims, ":@/?" and escapes already made)
_TARGET_SAFE = "/?&=%:@!$'()*+,;"


def wire_target(target: str) -> str:
    """``target`` as it goes on the request line: characters a target may not hold (spaces, non-ASCII, quotes...)
    percent-encoded, escapes already there kept. Both clients send exactly this, and sign exactly this.

    >>> wire_target("/v1/games?q=wild west&engine=dice%2Climbo")
    '/v1/games?q=wild%20west&engine=dice%2Climbo'
    """
    return quote(target, safe=_TARGET_SAFE)


def segment(value: str) -> str:
    """One path segment, percent-encoded (ids are opaque strings)."""
    return quote(value, safe="")


def target(path: str, query: Mapping[str, object] | None = None) -> str:
    """``path`` with the query parameters that are not None; booleans as ``true``/``false``, lists comma-joined."""
    pairs: list[tuple[str, str]] = []
    for name, value in (query or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        pairs.append((name, text))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def request(method: str, path: str, body: object = None, query: Mapping[str, object] | None = None) -> Request:
    data = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Request(method.upper(), target(path, query), data)


def read(reply: Reply) -> Any:
    """The JSON of a success, else the error of its family with the server's code and message."""
    try:
        data = json.loads(reply.body) if reply.body else None
    except ValueError:
        data = _NOT_JSON
    if reply.status < 400:
        if data is _NOT_JSON:
            raise TransportError(f"HTTP {reply.status}: the answer is not JSON", code="NOT_JSON", status=reply.status)
        return data
    raise error(reply, data)


_NOT_JSON = object()


def error(reply: Reply, data: object) -> ApiError:
    detail = data.get("error") if isinstance(data, dict) else None
    code, message = f"HTTP_{reply.status}", reply.reason or f"HTTP {reply.status}"
    if isinstance(detail, dict):
        code = str(detail.get("code", code))
        message = str(detail.get("message", message))
    exc = family(reply.status)(reply.status, code, message, data if isinstance(data, dict) else None)
    if isinstance(exc, RateLimited):
        retry = reply.header("Retry-After")
        exc.retry_after = float(retry) if retry and retry.replace(".", "", 1).isdigit() else None
    return exc


@dataclass(frozen=True)
class Paging:
    """One list and how it pages: ``cursor`` is the query parameter the next page is asked with, ``next_key``
    where the page says its value. ``more_key`` names a flag that says whether more follow; otherwise a page with
    fewer than ``limit`` items, or no next value, is the last."""

    path: str
    items_key: str
    cursor: str
    next_key: str
    limit: int
    query: dict[str, object] = field(default_factory=dict)
    more_key: str | None = None

    def first(self) -> Request:
        return request("GET", self.path, query={**self.query, "limit": self.limit})

    def items(self, page: Mapping[str, Any]) -> list[Any]:
        items: list[Any] = page[self.items_key]
        return items

    def next(self, page: Mapping[str, Any]) -> Request | None:
        items, after = self.items(page), page.get(self.next_key)
        if after is None or not items:
            return None
        if (not page.get(self.more_key)) if self.more_key else len(items) < self.limit:
            return None
        return request("GET", self.path, query={**self.query, self.cursor: after, "limit": self.limit})


def games(limit: int, **filters: object) -> Paging:
    return Paging("/v1/games", "games", "cursor", "next_cursor", limit, dict(filters))


def rounds(limit: int, status: str | list[str] | None) -> Paging:
    return Paging("/v1/rounds", "rounds", "cursor", "next_cursor", limit, {"status": status})


def transactions(limit: int, **filters: object) -> Paging:
    return Paging("/v1/transactions", "transactions", "after", "next_after", limit, dict(filters))


def game_changes(limit: int, since: int) -> Paging:
    return Paging("/v1/games/changes", "changes", "since", "next_since", limit, {"since": since}, more_key="more")


def launch(
    *,
    game_id: str,
    currency: str,
    player_id: str | None,
    token: str | None,
    country: str | None,
    language: str | None,
    demo: bool,
    client_seed: str | None,
) -> Request:
    body: dict[str, object] = {"game_id": game_id, "currency": currency}
    optional = {"player_id": player_id, "token": token, "country": country, "language": language}
    body |= {k: v for k, v in optional.items() if v is not None}
    if demo:
        body["demo"] = True
    if client_seed is not None:
        body["client_seed"] = client_seed
    return request("POST", "/v1/sessions", body)


def play(token: str, amount: int, params: Mapping[str, Any] | None) -> Request:
    return request("POST", f"/play/{segment(token)}/rounds", {"amount": amount, "params": dict(params or {})})


def act(token: str, round_id: str, action: str, params: Mapping[str, Any] | None) -> Request:
    path = f"/play/{segment(token)}/rounds/{segment(round_id)}/actions"
    return request("POST", path, {"action": action, "params": dict(params or {})})


def rotate_seed(token: str, client_seed: str | None) -> Request:
    body = {} if client_seed is None else {"client_seed": client_seed}
    return request("POST", f"/play/{segment(token)}/fairness/rotate", body)


def create_player(
    *, currency: str, balance: int, player_id: str | None, blocked: bool, wallet_path: str = "/wallet"
) -> Request:
    body: dict[str, object] = {"currency": currency, "balance": balance, "blocked": blocked}
    if player_id is not None:
        body["player_id"] = player_id
    return request("POST", f"{wallet_path}/sandbox/players", body)


# simulator.lifecycle.FINAL_ROUND_STATUSES, repeated so the SDK imports nothing of the server (a test compares)
SETTLED_ROUND_STATUSES = frozenset({"closed", "void", "rolled_back"})
# waiting for a round stops at these: settled, or handed to a person
WAIT_ENDS = SETTLED_ROUND_STATUSES | {"manual"}

"""Faults on the inbound APIs (operator ``/v1`` and player ``/play``): a middleware factory, ``fault_middleware``.

It sits outside the error middleware so it sees the final response. Admin routes, ``/metrics`` and the embedded
wallet are never faulted or journaled. Transport faults work on the raw connection: a reset sets SO_LINGER to 0 and
aborts (the peer sees RST), garbage and malformed replies are written as raw bytes before the connection closes.
``when: after`` lets the handler run first, so state changes (a round is played) and only the reply is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import random
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.errors import RequestError
from simulator.faults.journal import Exchange, Journal
from simulator.faults.outbound import REQUEST_FAULTS, Sleep
from simulator.faults.requested import FAULT_HEADER, RequestedFaults
from simulator.faults.rules import InboundAction
from simulator.faults.ruleset import FaultSet, Firing, Target
from simulator.http import Handler, error_response
from simulator.metrics import Metrics

Resolver = Callable[[web.Request, Target], Awaitable[None]]

# handler name -> operation name used by rules; a handler not listed is matched by its own name
OPERATIONS = {
    "list_studios": "studios",
    "list_games": "games",
    "get_game": "game",
    "launch": "launch",
    "get_round": "round",
    "list_rounds": "rounds",
    "changes": "changes",
    "thumbnail": "thumbnail",
    "game_parameters": "parameters",
    "list_transactions": "transactions",
    "verify": "verify",
    "client_page": "client",
    "session_info": "session",
    "play_round": "play",
    "act": "act",
    "open_rounds": "open_rounds",
    "rotate_seed": "rotate",
    "money": "report_money",
    "rtp": "report_rtp",
    "audit": "report_audit",
    "play_free_round": "free_round",
    "create_campaign": "campaign_create",
    "list_campaigns": "campaigns",
    "get_campaign": "campaign",
    "assign_players": "campaign_assign",
    "cancel_campaign": "campaign_cancel",
    "player_campaigns": "player_campaigns",
    "promo_payouts": "promo_payouts",
    "jackpots": "jackpots",
    "player_rounds": "history",
    "reality_check": "reality_check",
    "live_socket": "live",
    "balance": "client_balance",
    "details_page": "round_details",
    "details_data": "round_details",
    "details_verify": "round_verify",
    "hub88_game_list": "hub88_games",
    "hub88_game_url": "hub88_launch",
    "groove_start_game": "groove_launch",
    "hub88_prepaids": "hub88_prepaids",
    "hub88_reward_create": "hub88_reward_create",
    "hub88_reward_list": "hub88_rewards",
    "hub88_reward_cancel": "hub88_reward_cancel",
    "groove_frb_create": "groove_frb_create",
    "groove_frb_status": "groove_frb",
    "groove_frb_cancel": "groove_frb_cancel",
}
UNFAULTED_PREFIXES = ("/admin", "/metrics", "/healthz", "/openapi.json", "/static/")
BODY_WAIT = 1.0


def operation_of(request: web.Request, cache: dict[object, str | None]) -> str | None:
    """The rule vocabulary's name for the route, or ``None`` for routes faults never touch."""
    info = request.match_info
    route = info.route
    try:
        return cache[route]
    except KeyError:
        pass
    op: str | None
    if info.http_exception is not None or len(info.apps) > 1:
        op = None
    else:
        path = route.resource.canonical if route.resource is not None else request.path
        name = getattr(route.handler, "__name__", "")
        op = None if path.startswith(UNFAULTED_PREFIXES) else OPERATIONS.get(name, name)
    if info.http_exception is None:
        cache[route] = op
    return op


class _Aborted(web.Response):
    """Returned after the connection was taken over; aiohttp fails to write it and drops the connection quietly."""


def abort_transport(transport: asyncio.Transport | None, *, reset: bool) -> None:
    """End a connection: a TCP reset (SO_LINGER 0, then abort: the peer sees RST), or a plain close."""
    if transport is None:
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


def _raw_head(status: int, headers: dict[str, str], length: int) -> bytes:
    reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("content-length", "connection")]
    lines += [f"Content-Length: {length}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


@dataclass(slots=True)
class InboundCall:
    """One request a rule fired on, as its action sees it: the connection, the handler (run already when the action
    says ``handler_first``), the journal entry, and the injected sleep and seeded fault RNG."""

    request: web.Request
    handler: Handler
    entry: Exchange | None
    rng: random.Random
    sleep: Sleep
    response: web.StreamResponse | None

    async def respond(self) -> web.StreamResponse:
        """The handler's answer, running the handler now if it has not run."""
        return self.response if self.response is not None else await self.handler(self.request)

    def note(self, text: str) -> None:
        if self.entry is not None:
            self.entry.note(text)

    def abort(self, *, reset: bool) -> web.StreamResponse:
        """Drop the connection (a TCP reset, or a plain close); nothing more is written."""
        abort_transport(self.request.transport, reset=reset)
        return _Aborted()

    def send_raw(self, data: bytes) -> web.StreamResponse:
        """Write bytes straight to the connection, then close it."""
        if self.request.transport is not None:
            self.request.transport.write(data)
        return self.abort(reset=False)

    def head(self, status: int, headers: dict[str, str], length: int) -> bytes:
        return _raw_head(status, headers, length)

    def connected(self) -> bool:
        transport = self.request.transport
        return transport is not None and not transport.is_closing()


def fault_middleware(
    *,
    rules: FaultSet,
    rng: random.Random,
    sleep: Sleep,
    journal: Journal | None = None,
    metrics: Metrics | None = None,
    resolve: Resolver | None = None,
    requested: RequestedFaults | None = None,
) -> Middleware:
    """Apply inbound fault rules, journal the exchange, count it. ``resolve`` fills player, game and studio of a
    request when a rule needs them; ``requested`` turns on the ``X-Casino-Sim-Fault`` header."""
    routes: dict[object, str | None] = {}
    metrics = metrics or Metrics()

    async def run(firing: Firing, request: web.Request, handler: Handler, entry: Exchange | None) -> web.StreamResponse:
        action = firing.rule.action
        assert isinstance(action, InboundAction), action.type  # the rule validator refused it otherwise
        response = await handler(request) if action.handler_first else None
        if entry is not None:
            entry.fault(firing.label)
            if response is not None:
                entry.note(f"handler answered {response.status}")
        return await action.inbound(InboundCall(request, handler, entry, rng, sleep, response))

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        op = operation_of(request, routes)
        if op is None:
            return await handler(request)
        inbound = rules.active and "inbound" in rules.sides
        header = request.headers.get(FAULT_HEADER) if requested is not None else None
        if not inbound and header is None and (journal is None or not journal.enabled):
            plain = await handler(request)
            metrics.http_request(op, str(plain.status))
            return plain
        info = request.match_info
        chosen: FaultSet | None = None
        refusal: web.Response | None = None
        if header is not None and requested is not None:
            try:
                chosen = requested.acquire(header)
            except RequestError as exc:
                refusal = error_response(400, exc.code, exc.message)
        firing: Firing | None = None
        bucket = rules.bucket("inbound", op) if inbound else None
        player: str | None = None  # known only when a rule had it resolved
        if chosen is not None or (bucket is not None and bucket.size):
            target = Target(
                "inbound",
                op,
                request.method,
                request.path,
                request.headers,
                session=info.get("token"),
                round=info.get("round_id"),
                game=info.get("game_id"),
            )
            if resolve is not None and (chosen is not None or (bucket is not None and bucket.needs_entities)):
                await resolve(request, target)
            if chosen is not None:
                firing = chosen.select(target)
            if firing is None and bucket is not None and bucket.size:
                firing = rules.select(target, bucket)
            if firing is not None:
                metrics.fault_injected(firing.compiled.id, "inbound", firing.rule.action.type)
            player = target.player
        entry = None
        if journal is not None and journal.enabled:
            entry = journal.open(
                "inbound",
                op,
                request.method,
                request.raw_path,
                request.raw_headers,
                b"",
                player=player,
                session=info.get("token"),
                round=info.get("round_id"),
            )
        token = REQUEST_FAULTS.set(chosen) if chosen is not None and "outbound" in chosen.sides else None
        outcome: str | None = None
        response: web.StreamResponse | None = None
        try:
            if refusal is not None:
                response = refusal
            elif firing is None:  # most requests: no coroutine of run's in between
                response = await handler(request)
            else:
                response = await run(firing, request, handler, entry)
            if isinstance(response, _Aborted):
                outcome = firing.rule.action.type if firing is not None else "aborted"
            return response
        finally:
            if token is not None:
                REQUEST_FAULTS.reset(token)
            if chosen is not None and requested is not None:
                requested.release()
            status = response.status if response is not None and not isinstance(response, _Aborted) else None
            metrics.http_request(op, outcome or str(status))
            if entry is not None and journal is not None:
                await _finish_entry(journal, entry, request, response, status, outcome)

    return middleware


async def _finish_entry(
    journal: Journal,
    entry: Exchange,
    request: web.Request,
    response: web.StreamResponse | None,
    status: int | None,
    outcome: str | None,
) -> None:
    if request.body_exists and status not in (408, 413):  # a body too slow or too large was given up on already
        # usually the handler read it already and this is the cached copy; never wait long for a dead peer
        try:  # not contextlib.suppress: every journaled request pays for it
            raw = (
                await request.read() if request.content.at_eof() else await asyncio.wait_for(request.read(), BODY_WAIT)
            )
        except Exception:  # noqa: S110 - a body that cannot be read is journaled empty
            pass
        else:
            entry.set_request_body(raw)
    body = response.body if isinstance(response, web.Response) and isinstance(response.body, bytes) else b""
    headers = response.headers if response is not None else None
    journal.close(
        entry, status=status, body=body, headers=headers, outcome=outcome or ("error" if status is None else None)
    )

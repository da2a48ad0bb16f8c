"""``GET /play/{token}/ws``: a player's socket at a live table (messages in ``simulator.live.messages``).

On join the player gets the table's state, the current round, the road and their own bets in that round (so a
reconnect picks up where it left; a bet it shows settled is not sent again as a ``settlement``). Client messages are
read one at a time; each bad one (not JSON, not an object, an unknown type, a bet out of limits or in the wrong phase)
is answered with an ``error`` or ``bet_refused`` message and nothing else happens: the socket stays open and no other
player or the table notices. Past the per-socket rate (a token bucket of ``live_message_rate`` per second, twice that
in a burst) messages are answered with ``RATE_LIMITED`` without being looked at. The server pings every
``live_heartbeat`` seconds and closes a socket that has sent nothing for ``live_idle_timeout`` seconds. Messages to
the player go through the socket fault rules (``simulator.faults.sockets``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import WSMsgType, web

from games.errors import GameError
from simulator.errors import SimulatorError
from simulator.http import RouteDoc, documented
from simulator.jsonbytes import loads
from simulator.live.hub import SETTLED, Hub, Player
from simulator.live.tables import LiveTables, bet_json, round_json, table_id_of
from simulator.settings import Settings
from simulator.state import CLOCK, FAULTS, LIVE, LIVE_HUB, ROUNDS, SETTINGS

MAX_MESSAGE = 8 * 1024
IDLE_CLOSE = 4000  # close code for an idle socket (private range)


def socket_url(base_url: str, token: str) -> str:
    """The player's socket URL, on the scheme matching the launch URL's (ws for http, wss for https)."""
    scheme, rest = base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/play/{token}/ws"


@documented(RouteDoc("A player's WebSocket at a live table (docs/live.md)", "game client", auth="session"))
async def live_socket(request: web.Request) -> web.StreamResponse:
    app = request.app
    session = await app[ROUNDS].session(request.match_info["token"])
    tables, hub, settings = app[LIVE], app[LIVE_HUB], app[SETTINGS]
    game = tables.game(session.game_id)
    table_id = table_id_of(game)
    ws = web.WebSocketResponse(
        heartbeat=settings.live_heartbeat, receive_timeout=settings.live_idle_timeout, max_msg_size=MAX_MESSAGE
    )
    await ws.prepare(request)
    clock = app[CLOCK]
    player = Player(
        ws,
        session,
        table_id,
        tokens=2 * settings.live_message_rate,
        refilled=clock.monotonic(),
        faults=app[FAULTS].sockets,
        transport=request.transport,
    )
    tables.start(table_id)
    hub.join(player)
    try:
        await _send_state(tables, hub, player, clock.now())
        await hub.presence(table_id)
        await _read(app, tables, settings, player)
    finally:
        await hub.leave(player)
    return ws


async def _send_state(tables: LiveTables, hub: Hub, player: Player, now: float) -> None:
    session = player.session
    game = tables.game(session.game_id)
    r = await tables.current(player.table_id)
    mine = await tables.my_bets(session, r)
    history = await tables.live.history(player.table_id, 60)
    engine = tables.engine(game)
    balance = next((b for _, b in reversed(mine) if b is not None), None)
    # a bet the state shows settled is never sent again as a settlement: a reconnect gets each win once
    player.settled.update(rd.round_id for rd, _ in mine if rd.status in SETTLED)
    chain = await tables.chain(game)
    await player.send(
        {
            "type": "table_state",
            "table_id": player.table_id,
            "game_id": game.game_id,
            "engine_id": game.engine_id,
            "currency": session.currency,
            "limits": {"min_bet": game.min_bet[session.currency], "max_total": game.max_bet[session.currency]},
            "round": None if r is None else round_json(r),
            "history": [
                {"round_id": h.round_id, "round_no": h.round_no, "road": engine.road_entry(h.result or {})}
                for h in history
            ],
            "open_bets": [bet_json(rd, r.round_id) for rd, _ in mine] if r is not None else [],
            "players": hub.players(player.table_id),
            "balance": balance,
            "chain": None
            if chain is None
            else {
                "scheme": "bustabit-v2",
                "terminating_hash": chain[0].terminating_hash,
                "salt": chain[1],
                "length": chain[0].length,
            },
            "now": now,
        }
    )


def _allowed(player: Player, rate: float, now: float) -> bool:
    """Token bucket: ``rate`` per second, ``2 * rate`` at once."""
    player.tokens = min(2 * rate, player.tokens + (now - player.refilled) * rate)
    player.refilled = now
    if player.tokens < 1:
        return False
    player.tokens -= 1
    return True


async def _read(app: web.Application, tables: LiveTables, settings: Settings, player: Player) -> None:
    ws, clock = player.ws, app[CLOCK]
    while True:
        try:
            msg = await ws.receive()
        except TimeoutError:
            await player.send({"type": "error", "code": "IDLE_TIMEOUT", "message": "no message for too long"})
            await ws.close(code=IDLE_CLOSE, message=b"idle")
            return
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            return
        if not _allowed(player, settings.live_message_rate, clock.monotonic()):
            await _error(player, "RATE_LIMITED", "too many messages: slow down", None)
            continue
        if msg.type != WSMsgType.TEXT:
            await _error(player, "INVALID_MESSAGE", "send JSON text messages", None)
            continue
        await _one(tables, player, msg.data, clock.now())


async def _error(player: Player, code: str, message: str, ref: Any, kind: str = "error") -> None:
    body: dict[str, Any] = {"type": kind, "code": code, "message": message}
    if ref is not None:
        body["ref"] = ref
    await player.send(body)


async def _one(tables: LiveTables, player: Player, text: str, now: float) -> None:
    try:
        data = loads(text.encode())
    except (ValueError, UnicodeError):
        await _error(player, "INVALID_JSON", "the message is not JSON", None)
        return
    if not isinstance(data, dict):
        await _error(player, "INVALID_MESSAGE", "a message is a JSON object with a type", None)
        return
    kind, ref = data.get("type"), data.get("ref")
    if not isinstance(ref, str | int | None) or isinstance(ref, bool):
        ref = None
    if kind == "ping":
        body: dict[str, Any] = {"type": "pong", "now": now}
        if ref is not None:
            body["ref"] = ref
        await player.send(body)
    elif kind == "place_bet":
        expected = data.get("round_id")
        try:
            placed = await tables.place(
                player.session, data.get("bets"), expected if isinstance(expected, str) else None
            )
        except (SimulatorError, GameError) as exc:
            await _error(player, getattr(exc, "code", "INVALID_BET"), str(exc), ref, kind="bet_refused")
            return
        body = {
            "type": "bet_accepted",
            "bet": bet_json(placed.round, placed.round.outcome["detail"]["table_round_id"]),
            "balance": placed.balance,
        }
        if ref is not None:
            body["ref"] = ref
        await player.send(body)
    elif kind == "cancel_bet":
        bet_id = data.get("bet_id")
        if not isinstance(bet_id, str) or not bet_id:
            await _error(player, "INVALID_MESSAGE", "cancel_bet needs the bet_id", ref)
            return
        try:
            await tables.cancel(player.session, bet_id)
        except (SimulatorError, GameError) as exc:
            await _error(player, getattr(exc, "code", "INVALID_BET"), str(exc), ref)
            return
        body = {"type": "bet_cancelled", "bet_id": bet_id}
        if ref is not None:
            body["ref"] = ref
        await player.send(body)
    else:
        await _error(player, "UNKNOWN_MESSAGE", f"unknown message type {kind!r}", ref)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/play/{token}/ws", live_socket)

"""Game client handlers: authorised by the session token in the path alone, as a browser game client would be."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from simulator.fairness.seeds import new_seed_pair
from simulator.http import RouteDoc, documented, json_response, read_model
from simulator.play.models import (
    ActionRequest,
    OpenRounds,
    PlayRequest,
    RotateRequest,
    RotateResponse,
    RoundResponse,
    SessionInfo,
)
from simulator.state import CATALOG, CLOCK, IDS, ROUNDS, STORE

_ROUND_ERRORS = (
    "UNKNOWN_SESSION",
    "SESSION_EXPIRED",
    "INVALID_REQUEST",
    "INVALID_JSON",
    "UNSUPPORTED_MEDIA_TYPE",
    "BET_OUT_OF_LIMITS",
    "INVALID_BET",
    "INSUFFICIENT_FUNDS",
    "WALLET_UNAVAILABLE",
    "WALLET_TIMEOUT",
    "SESSION_BUSY",
)
_CLIENT_HTML = resources.files("simulator.play").joinpath("client.html").read_bytes()
_LIVE_HTML = resources.files("simulator.live").joinpath("client.html").read_bytes()


@documented(RouteDoc("The HTML game client for a session", "game client", content_type="text/html", auth="session"))
async def client_page(request: web.Request) -> web.Response:
    session = await request.app[ROUNDS].session(request.match_info["token"], live=False)
    live_table = request.app[CATALOG].game(session.game_id).category == "live"
    return web.Response(body=_LIVE_HTML if live_table else _CLIENT_HTML, content_type="text/html")


@documented(
    RouteDoc(
        "Session, game and fairness commitment for the client",
        "game client",
        auth="session",
        response=SessionInfo,
        errors=("UNKNOWN_SESSION",),
    )
)
async def session_info(request: web.Request) -> web.Response:
    session = await request.app[ROUNDS].session(request.match_info["token"], live=False)
    game = request.app[CATALOG].game(session.game_id)
    return json_response(
        {
            "game_id": game.game_id,
            "game_name": game.name,
            "engine_id": game.engine_id,
            "currency": session.currency,
            "player_id": session.player_id,
            "expires_at": session.expires_at,
            "min_bet": game.min_bet[session.currency],
            "max_bet": game.max_bet[session.currency],
            "multi_step": game.multi_step,
            "server_seed_hash": session.server_seed_hash,
            "client_seed": session.client_seed,
            "next_nonce": session.nonce,
        }
    )


@documented(
    RouteDoc(
        "Play a round (or open a multi-step round)",
        "game client",
        auth="session",
        request=PlayRequest,
        response=RoundResponse,
        errors=_ROUND_ERRORS,
    )
)
async def play_round(request: web.Request) -> web.Response:
    body = await read_model(request, PlayRequest, json_only=True)
    result = await request.app[ROUNDS].play(request.match_info["token"], body.amount, body.params)
    return json_response(result.to_json())


@documented(
    RouteDoc(
        "Act in an open multi-step round (hit, stand, double, reveal, cashout...)",
        "game client",
        auth="session",
        request=ActionRequest,
        response=RoundResponse,
        errors=(*_ROUND_ERRORS, "UNKNOWN_ROUND", "ILLEGAL_ACTION", "ROUND_FINISHED", "ROUND_BUSY"),
    )
)
async def act(request: web.Request) -> web.Response:
    body = await read_model(request, ActionRequest, json_only=True)
    token, round_id = request.match_info["token"], request.match_info["round_id"]
    result = await request.app[ROUNDS].act(token, round_id, body.action, body.params)
    return json_response(result.to_json())


@documented(
    RouteDoc(
        "Unfinished rounds of this session, to resume after a disconnect",
        "game client",
        auth="session",
        response=OpenRounds,
        errors=("UNKNOWN_SESSION",),
    )
)
async def open_rounds(request: web.Request) -> web.Response:
    results = await request.app[ROUNDS].open_rounds(request.match_info["token"])
    return json_response({"rounds": [r.to_json() for r in results]})


@documented(
    RouteDoc(
        "Reveal the current server seed and commit to a new one (optionally with a new client seed)",
        "game client",
        auth="session",
        request=RotateRequest,
        response=RotateResponse,
        errors=("UNKNOWN_SESSION", "INVALID_REQUEST", "INVALID_JSON", "UNSUPPORTED_MEDIA_TYPE"),
    )
)
async def rotate_seed(request: web.Request) -> web.Response:
    body = await read_model(request, RotateRequest, json_only=True)
    app = request.app
    old = await app[ROUNDS].session(request.match_info["token"], live=False)
    seeds = new_seed_pair(app[IDS], body.client_seed or old.client_seed)
    new = await app[STORE].sessions.rotate_seed(
        old.token, seeds.server_seed, seeds.server_seed_hash, seeds.client_seed, app[CLOCK].now()
    )
    return json_response(
        {
            "revealed_server_seed": old.server_seed,
            "revealed_server_seed_hash": old.server_seed_hash,
            "server_seed_hash": new.server_seed_hash,
            "client_seed": new.client_seed,
            "next_nonce": new.nonce,
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/play/{token}/rounds", play_round)  # first: the router tries routes in order
    app.router.add_get("/play/{token}", client_page)
    app.router.add_get("/play/{token}/session", session_info)
    app.router.add_get("/play/{token}/rounds/open", open_rounds)
    app.router.add_post("/play/{token}/rounds/{round_id}/actions", act)
    app.router.add_post("/play/{token}/fairness/rotate", rotate_seed)

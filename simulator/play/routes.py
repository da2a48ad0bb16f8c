"""Game client handlers: authorised by the session token in the path alone, as a browser game client would be."""

from __future__ import annotations

import functools
import time
from importlib import resources
from typing import Any

from aiohttp import web

from simulator.dialects.call import WalletCall
from simulator.errors import WalletRefused, refusal
from simulator.fairness.seeds import new_seed_pair
from simulator.http import RouteDoc, documented, json_response, read_model
from simulator.markets.gate import PlayFlags
from simulator.money import exponent
from simulator.play.assets import page
from simulator.play.display import board
from simulator.play.models import (
    ActionRequest,
    BalanceResponse,
    FreeRoundRequest,
    OpenRounds,
    PlayRequest,
    RealityCheckRequest,
    RotateRequest,
    RotateResponse,
    RoundResponse,
    SessionInfo,
)
from simulator.play.rounds import RoundResult
from simulator.state import CAMPAIGNS, CATALOG, CLOCK, IDS, MARKETS, METRICS, ROUND_LINKS, ROUNDS, STORE, WALLETS
from simulator.store.provider import Session

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
    "SESSION_CLOSED",
    "ROUND_TOO_SOON",
    "REALITY_CHECK_DUE",
    "AUTOPLAY_NOT_ALLOWED",
    "AUTOPLAY_NEEDS_LOSS_LIMIT",
    "TURBO_NOT_ALLOWED",
    "STAKE_ABOVE_JURISDICTION_CAP",
    "STAKE_ABOVE_SESSION_LIMIT",
    "STAKE_ABOVE_WIN_CAP",
    "LOSS_LIMIT_REACHED",
    "SELF_EXCLUDED",
    "LIMIT_EXCEEDED",
    "PLAYER_BLOCKED",
)
_LIVE_HTML = resources.files("simulator.live").joinpath("client.html").read_bytes()
_doc = functools.partial(RouteDoc, tag="game client", auth="session")  # every route here


async def _session(request: web.Request) -> Session:
    """The path's session, expired or not (``UNKNOWN_SESSION`` when there is none)."""
    return await request.app[ROUNDS].session(request.match_info["token"], live=False)


@documented(_doc("The HTML game client for a session", content_type="text/html"))
async def client_page(request: web.Request) -> web.Response:
    session = await _session(request)
    if request.app[CATALOG].game(session.game_id).category == "live":
        return web.Response(body=_LIVE_HTML, content_type="text/html")
    return page("client.html")


def _answer(request: web.Request, result: RoundResult) -> dict[str, Any]:
    """The round answer with its shareable round-details link."""
    body = result.to_json()
    body["details_url"] = request.app[ROUND_LINKS].url(result.round.round_id)
    return body


def _timed(request: web.Request, result: RoundResult, started: float) -> RoundResult:
    """``result``, its time since ``started`` (``time.perf_counter()``; latency as a metric, never a decision: the
    real clock, not the injected one) counted in the engine's round latency."""
    request.app[METRICS].round_played(result.round.engine_id, time.perf_counter() - started)
    return result


@documented(
    _doc(
        "Session, game and fairness commitment for the client",
        response=SessionInfo,
        errors=("UNKNOWN_SESSION",),
    )
)
async def session_info(request: web.Request) -> web.Response:
    session = await _session(request)
    game = request.app[CATALOG].game(session.game_id)
    language = session.language if session.language in game.languages else None
    return json_response(
        {
            "game_id": game.game_id,
            "game_name": game.names.get(language or "", game.name),
            "engine_id": game.engine_id,
            "rtp": game.rtp,
            "currency": session.currency,
            "minor_unit": exponent(session.currency),
            "player_id": session.player_id,
            "demo": session.demo,
            "expires_at": session.expires_at,
            "min_bet": game.min_bet[session.currency],
            "max_bet": game.max_bet[session.currency],
            "bet_steps": game.bet_steps.get(session.currency, []),
            "multi_step": game.multi_step,
            "language": session.language,
            "lobby_url": session.lobby_url,
            "cashier_url": session.cashier_url,
            "platform": session.platform,
            "board": board(game.engine_id),
            "server_seed_hash": session.server_seed_hash,
            "client_seed": session.client_seed,
            "next_nonce": session.nonce,
            "free_rounds": await request.app[CAMPAIGNS].offers(session),
            "market": await request.app[MARKETS].session_summary(session.token),
        }
    )


@documented(
    _doc(
        "The player's balance, asked of the operator's wallet (fun money for demo sessions)",
        response=BalanceResponse,
        errors=("UNKNOWN_SESSION", "WALLET_UNAVAILABLE", "WALLET_TIMEOUT", "SESSION_EXPIRED"),
    )
)
async def balance(request: web.Request) -> web.Response:
    app = request.app
    session = await app[ROUNDS].session(request.match_info["token"])
    call = WalletCall(
        "balance",
        session.player_id,
        session.operator_token,
        session.currency,
        game_id=session.game_id,
        studio_id=session.studio_id,
    )
    try:
        reply = await app[WALLETS](session.studio_id).call(call)
    except WalletRefused as exc:
        raise refusal(exc) from None
    return json_response({"balance": reply.balance, "currency": session.currency})


@documented(
    _doc(
        "Play a round (or open a multi-step round)",
        request=PlayRequest,
        response=RoundResponse,
        errors=_ROUND_ERRORS,
    )
)
async def play_round(request: web.Request) -> web.Response:
    body = await read_model(request, PlayRequest, json_only=True)
    flags = PlayFlags(autoplay=body.autoplay, turbo=body.turbo)
    started = time.perf_counter()
    result = _timed(
        request, await request.app[ROUNDS].play(request.match_info["token"], body.amount, body.params, flags), started
    )
    return json_response(_answer(request, result))


@documented(
    _doc(
        "Play one of the player's free rounds of a campaign: the campaign's stake, no cash debited",
        request=FreeRoundRequest,
        response=RoundResponse,
        errors=(
            *_ROUND_ERRORS,
            "UNKNOWN_CAMPAIGN",
            "GAME_NOT_IN_CAMPAIGN",
            "CAMPAIGN_NOT_RUNNING",
            "CAMPAIGN_CURRENCY_MISMATCH",
            "NO_FREE_ROUNDS_LEFT",
            "FREE_ROUNDS_NOT_AVAILABLE",
        ),
    )
)
async def play_free_round(request: web.Request) -> web.Response:
    body = await read_model(request, FreeRoundRequest, json_only=True)
    result = await request.app[ROUNDS].play_free(request.match_info["token"], body.campaign_id, body.params)
    return json_response(_answer(request, result))


@documented(
    _doc(
        "Act in an open multi-step round (hit, stand, double, reveal, cashout...)",
        request=ActionRequest,
        response=RoundResponse,
        errors=(*_ROUND_ERRORS, "UNKNOWN_ROUND", "ILLEGAL_ACTION", "ROUND_FINISHED", "ROUND_BUSY"),
    )
)
async def act(request: web.Request) -> web.Response:
    body = await read_model(request, ActionRequest, json_only=True)
    token, round_id = request.match_info["token"], request.match_info["round_id"]
    started = time.perf_counter()
    result = _timed(request, await request.app[ROUNDS].act(token, round_id, body.action, body.params), started)
    return json_response(_answer(request, result))


@documented(
    _doc(
        "Unfinished rounds of this session, to resume after a disconnect",
        response=OpenRounds,
        errors=("UNKNOWN_SESSION",),
    )
)
async def open_rounds(request: web.Request) -> web.Response:
    results = await request.app[ROUNDS].open_rounds(request.match_info["token"])
    return json_response({"rounds": [_answer(request, r) for r in results]})


@documented(
    _doc(
        "Reveal the current server seed and commit to a new one (optionally with a new client seed)",
        request=RotateRequest,
        response=RotateResponse,
        errors=("UNKNOWN_SESSION", "INVALID_REQUEST", "INVALID_JSON", "UNSUPPORTED_MEDIA_TYPE"),
    )
)
async def rotate_seed(request: web.Request) -> web.Response:
    body = await read_model(request, RotateRequest, json_only=True)
    app = request.app
    old = await _session(request)
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


@documented(
    _doc(
        "Answer a due reality check: continue (the next one is an interval away) or quit (the session closes)",
        request=RealityCheckRequest,
        errors=("UNKNOWN_SESSION", "NO_REALITY_CHECK", "SESSION_CLOSED", "INVALID_REQUEST", "INVALID_JSON"),
    )
)
async def reality_check(request: web.Request) -> web.Response:
    body = await read_model(request, RealityCheckRequest, json_only=True)
    session = await _session(request)
    return json_response({"market": await request.app[MARKETS].reality_check(session.token, body.decision)})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/play/{token}/rounds", play_round)  # first: the router tries routes in order
    app.router.add_post("/play/{token}/free-rounds", play_free_round)
    app.router.add_get("/play/{token}", client_page)
    app.router.add_get("/play/{token}/session", session_info)
    app.router.add_get("/play/{token}/balance", balance)
    app.router.add_get("/play/{token}/rounds/open", open_rounds)
    app.router.add_post("/play/{token}/rounds/{round_id}/actions", act)
    app.router.add_post("/play/{token}/fairness/rotate", rotate_seed)
    app.router.add_post("/play/{token}/reality-check", reality_check)

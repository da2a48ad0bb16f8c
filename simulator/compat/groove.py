"""Groove's Start Game as a casino calls it, under ``/groove``: ``GET /groove/game/`` with the documented query
parameters answers ``302`` with the game's URL in ``Location`` (the redirect Groove's launch resolves to).

Groove signs no launch: the casino's ``sessionid`` (``{nogsoperatorid}_...``) is the credential, checked by the
casino's own wallet at the first ``getbalance`` (a real-mode launch asks it before a session is opened). Only
games of studios that speak the ``groove`` dialect are launched; operator ids must be configured
(``groove_operator_ids``). Refusals use our own JSON error body: Groove documents none for this call.
"""

from __future__ import annotations

from aiohttp import web

from simulator.aggregator.models import LaunchRequest
from simulator.aggregator.routes import open_session
from simulator.compat.common import offered
from simulator.dialects import groove
from simulator.errors import Forbidden, NotFound, RequestError
from simulator.http import QueryParam, RouteDoc, documented
from simulator.state import CATALOG, SETTINGS

PATH = "/groove/game/"
QUERY: tuple[QueryParam, ...] = (
    ("nogsoperatorid", "the casino's operator id (configured in groove_operator_ids)"),
    ("nogsgameid", "the game"),
    ("nogsmode", "real or demo"),
    ("nogscurrency", "ISO 4217 currency"),
    ("nogslang", "language, e.g. en_US"),
    ("accountid", "the player (real mode)"),
    ("sessionid", "the casino's session id, {nogsoperatorid}_..., sent back as gamesessionid (real mode)"),
    ("country", "ISO 3166-1 alpha-2"),
    ("homeurl", "where the game's home button leads (accepted, not used)"),
    ("device_type", "desktop or mobile (accepted, not used)"),
    ("license", "jurisdiction (accepted, not used)"),
    ("is_test_account", "true or false (accepted, not used)"),
    ("historyUrl", "the casino's history page (accepted, not used)"),
)


def _text(query: web.Request, name: str) -> str:
    value = query.query.get(name, "")
    if not value:
        raise RequestError(f"{name} is required", code="INVALID_PARAMETERS")
    return value


@documented(
    RouteDoc(
        "Groove Start Game: redirects (302) to the game's launch URL; real mode asks the casino's wallet first",
        "groove",
        auth="none",
        status=302,
        content_type="text/plain",
        query=QUERY,
        errors=("INVALID_PARAMETERS", "UNKNOWN_OPERATOR", "UNKNOWN_GAME", "CURRENCY_NOT_OFFERED", "INVALID_SESSION"),
    )
)
async def groove_start_game(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    operator = _text(request, "nogsoperatorid")
    if operator not in settings.groove_operator_ids:
        raise Forbidden(f"operator {operator!r} is not configured", code="UNKNOWN_OPERATOR")
    catalog = request.app[CATALOG]
    game = offered(catalog, _text(request, "nogsgameid"), groove.NAME)
    if game is None:
        raise NotFound(f"no game {request.query.get('nogsgameid')!r} is offered through Groove", code="UNKNOWN_GAME")
    mode = _text(request, "nogsmode")
    if mode not in ("real", "demo"):
        raise RequestError("nogsmode is real or demo", code="INVALID_PARAMETERS")
    country = request.query.get("country") or None
    language = (request.query.get("nogslang") or "").split("_")[0] or None
    currency = _text(request, "nogscurrency")
    if mode == "demo":
        body = LaunchRequest(game_id=game.game_id, currency=currency, demo=True, country=country, language=language)
    else:
        session = _text(request, "sessionid")
        if not session.startswith(f"{operator}_") or len(session) > 64:
            raise RequestError("sessionid is {nogsoperatorid}_..., at most 64 characters", code="INVALID_PARAMETERS")
        player = _text(request, "accountid")
        if not player.isalnum() or len(player) > 60:
            raise RequestError("accountid is at most 60 letters and digits", code="INVALID_PARAMETERS")
        body = LaunchRequest(
            game_id=game.game_id, currency=currency, player_id=player, token=session, country=country, language=language
        )
    out = await open_session(request.app, body)
    raise web.HTTPFound(out.launch_url)


def add_routes(app: web.Application) -> None:
    app.router.add_get(PATH, groove_start_game)

"""Hub88's Games API as an operator calls it, under ``/hub88``: ``POST /hub88/operator/generic/v2/game/list``
and ``POST /hub88/operator/generic/v2/game/url``.

Each request is signed by the operator: base64 of RSA-SHA256 (PKCS#1 v1.5) over the raw body, in
``X-Hub88-Signature``, verified with the public key configured for the body's ``operator_id``
(``hub88_operators``). Errors are Hub88's: an HTTP status and ``{"error": "<text>"}`` (400 bad parameters, 401
bad signature, 403 game, currency or country not enabled, 404 unknown game or operator). Only games of studios
that speak the ``hub88`` dialect are listed and launched, so every wallet call of those games is Hub88's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from games.registry import get_engine
from simulator.aggregator.models import LaunchRequest
from simulator.aggregator.routes import open_session
from simulator.catalog.models import Game
from simulator.compat.common import complaint, offered, route
from simulator.dialects import hub88
from simulator.dialects.rsa_json import keys
from simulator.errors import (
    ConfigurationError,
    Forbidden,
    NotFound,
    RequestError,
    SimulatorError,
    WalletError,
    WalletRefused,
)
from simulator.http import RouteDoc, json_response
from simulator.jsonbytes import loads
from simulator.settings import Settings
from simulator.state import CATALOG, CATALOG_SYNC, SETTINGS

PREFIX = "/hub88/operator/generic/v2"
DEMO_CURRENCY = "XXX"  # Hub88's marker for a demo launch
VOLATILITY = {"low": 1, "medium": 3, "high": 5}


class GameListBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    operator_id: int = Field(description="The operator's id, as configured in hub88_operators.")


class GameCodeBody(GameListBody):
    game_code: str = Field(min_length=1, max_length=255)


Body = TypeVar("Body", bound=GameListBody)
GameBody = TypeVar("GameBody", bound=GameCodeBody)


class GameUrlBody(GameCodeBody):
    user: str | None = Field(None, min_length=3, max_length=255)
    token: str | None = Field(None, min_length=10, max_length=255)
    sub_partner_id: str | None = None
    platform: Literal["GPL_DESKTOP", "GPL_MOBILE"]
    currency: str = Field(min_length=3, max_length=8)
    lang: str | None = Field(None, min_length=2, max_length=16)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    ip: str | None = None
    lobby_url: str | None = Field(None, max_length=255)
    deposit_url: str | None = Field(None, max_length=255)
    game_currency: str | None = None
    meta: dict[str, Any] | None = None


class GameUrlReply(BaseModel):
    url: str


class Hub88Game(BaseModel):
    game_code: str
    name: str
    product: str = Field(description="The studio's name.")
    category: str
    enabled: bool
    url_thumb: str
    url_background: str | None
    platforms: list[str]
    blocked_countries: list[str]
    release_date: str
    volatility: int = Field(description="1 (low), 3 (medium) or 5 (high).")
    rtp: float
    hit_ratio: float
    languages: list[str]
    demo_game_support: bool
    freebet_support: bool


class Hub88Error(BaseModel):
    error: str


def error(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status=status)


class Hub88OperatorApi:
    """The verifiers of every configured operator, read once at start."""

    def __init__(self, verifiers: Mapping[int, keys.Verifier]) -> None:
        self._verifiers = dict(verifiers)

    @classmethod
    def from_settings(cls, settings: Settings) -> Hub88OperatorApi:
        if settings.hub88_operators and not keys.available():
            raise ConfigurationError("hub88_operators needs the 'cryptography' package to verify signatures")
        verifiers: dict[int, keys.Verifier] = {}
        for operator_id, conf in settings.hub88_operators.items():
            try:
                number = int(operator_id)
                verifiers[number] = keys.RsaVerifier(conf.public_key_path.read_bytes())
            except ValueError as exc:
                raise ConfigurationError(f"hub88 operator {operator_id!r}: {exc}") from None
            except OSError as exc:
                raise ConfigurationError(f"hub88 operator {operator_id!r}: {exc.strerror}") from None
        return cls(verifiers)

    async def read(self, request: web.Request, model: type[Body]) -> Body | web.Response:
        """The parsed body, or Hub88's error answer: 400 unreadable, 404 unknown operator, 401 bad signature."""
        body = await request.read()
        try:
            data = loads(body, unique=True)
            parsed = model.model_validate(data, strict=True)
        except ValueError as exc:  # a ValidationError too
            return error(400, f"invalid or missing request parameters{complaint(exc)}")
        verifier = self._verifiers.get(parsed.operator_id)
        if verifier is None:
            return error(404, f"operator_id {parsed.operator_id} does not correspond to any operator")
        signature = request.headers.get(hub88.SIGNATURE_HEADER, "")
        if not signature or not verifier.verify(body, signature):
            return error(401, "request signature is invalid or the X-Hub88-Signature header is missing")
        return parsed

    async def read_for_game(self, request: web.Request, model: type[GameBody]) -> tuple[GameBody, Game] | web.Response:
        """The parsed body and the game it names, or Hub88's error answer (``read``'s, or 404 for a game not offered
        through Hub88)."""
        parsed = await self.read(request, model)
        if isinstance(parsed, web.Response):
            return parsed
        game = offered(request.app[CATALOG], parsed.game_code, hub88.NAME)
        if game is None:
            return error(404, f"game {parsed.game_code!r} does not exist")
        return parsed, game

    async def game_list(self, request: web.Request) -> web.Response:
        parsed = await self.read(request, GameListBody)
        if isinstance(parsed, web.Response):
            return parsed
        await request.app[CATALOG_SYNC].refresh()
        catalog = request.app[CATALOG]
        base = request.app[SETTINGS].base_url
        games = [
            _game(game, catalog.studio(game.studio_id).name, base)
            for game in catalog.games.values()
            if catalog.studio(game.studio_id).dialect == hub88.NAME
        ]
        return json_response(games)

    async def game_url(self, request: web.Request) -> web.Response:
        read = await self.read_for_game(request, GameUrlBody)
        if isinstance(read, web.Response):
            return read
        parsed, game = read
        demo = parsed.currency == DEMO_CURRENCY
        if not demo and (parsed.user is None or parsed.token is None):
            return error(400, "user and token are required unless currency is XXX (demo)")
        launch = LaunchRequest(
            game_id=game.game_id,
            currency=game.currencies[0] if demo else parsed.currency,
            player_id=None if demo else parsed.user,
            token=None if demo else parsed.token,
            demo=demo,
            country=parsed.country,
            language=parsed.lang,
        )
        try:
            out = await open_session(request.app, launch)
        except NotFound as exc:
            return error(404, exc.message)
        except Forbidden as exc:
            return error(403, exc.message)
        except RequestError as exc:
            status = 403 if exc.code in ("CURRENCY_NOT_OFFERED", "UNKNOWN_CURRENCY") else 400
            return error(status, exc.message)
        except (WalletRefused, WalletError) as exc:
            return error(400 if isinstance(exc, WalletRefused) else 500, f"the operator's wallet: {exc.message}")
        except SimulatorError as exc:
            return error(500, exc.message)
        return json_response({"url": out.launch_url})


def freebet_game(game: Game) -> bool:
    """A game plays free bets when its stake is fixed before the round: single-step engines (a campaign refuses
    the others)."""
    return not get_engine(game.engine_id).multi_step


def _game(game: Game, product: str, base: str) -> dict[str, Any]:
    return {
        "game_code": game.game_id,
        "name": game.name,
        "product": product,
        "category": game.category,
        "enabled": game.enabled,
        "url_thumb": base + game.thumbnail_url,
        "url_background": None,
        "platforms": ["GPL_DESKTOP", "GPL_MOBILE"],
        "blocked_countries": list(game.blocked_countries),
        "release_date": game.release_date,
        "volatility": VOLATILITY[game.volatility],
        "rtp": game.rtp,
        "hit_ratio": game.hit_frequency,
        "languages": list(game.languages),
        "demo_game_support": game.demo,
        "freebet_support": freebet_game(game),
    }


def route_doc(summary: str, request: type[BaseModel], response: type[BaseModel], *, many: bool = False) -> RouteDoc:
    """A route of Hub88's operator API: signed by the operator, refused in Hub88's error shape."""
    return RouteDoc(
        f"{summary}; body signed by the operator with RSA-SHA256 in X-Hub88-Signature",
        "hub88",
        auth="signature",
        request=request,
        response=response,
        response_list=many,
        errors=("400", "401", "403", "404"),
        error=Hub88Error,
    )


def add_routes(app: web.Application, api: Hub88OperatorApi) -> None:
    list_doc = route_doc(
        "Hub88 Games API: the games of studios speaking hub88 (a JSON array)", GameListBody, Hub88Game, many=True
    )
    url_doc = route_doc("Hub88 Games API: a game's launch URL (currency XXX: demo)", GameUrlBody, GameUrlReply)

    app.router.add_post(f"{PREFIX}/game/list", route("hub88_game_list", list_doc, api.game_list))
    app.router.add_post(f"{PREFIX}/game/url", route("hub88_game_url", url_doc, api.game_url))

"""Catalogue API: ``/v1`` and ``/v2`` studios, games, one game, thumbnails and the change feed, plus the admin
switch that disables or enables a game.

Every answer carries an ``ETag`` (catalogue version + normalised query) and ``Last-Modified`` (time of the
latest change), and honours ``If-None-Match`` / ``If-Modified-Since`` with 304. ``/v1`` answers also carry
``Deprecation``, ``Sunset`` and a ``Link`` to the successor version: /v2 differs by writing bet limits as
exact decimal strings with the currency exponent (see docs/catalogue.md).
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import json
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from typing import Any, Literal

from aiohttp import web
from multidict import MultiMapping

from games.registry import get_engine
from simulator.catalog import data
from simulator.catalog.changes import CatalogSync
from simulator.catalog.live import SORTS, Api, Catalog, GameQuery, Page
from simulator.catalog.models import Game
from simulator.catalog.schemas import (
    AdminChange,
    ChangePage,
    GamePage,
    GamePageV2,
    GameParameters,
    GameV2,
    StudioList,
)
from simulator.catalog.thumbnails import render as render_thumbnail
from simulator.errors import RequestError
from simulator.http import AFTER, IntRange, QueryParam, RouteDoc, documented, enum_schema, json_response, strict_int
from simulator.jsonbytes import loads
from simulator.markets.profiles import Profiles, load_profiles
from simulator.money import exponent
from simulator.state import CATALOG, CATALOG_SYNC, CLOCK, MARKETS, SETTINGS, STORE

# /v1 catalogue: deprecated from 2026-01-01, withdrawn after 2027-06-30 (RFC 9745 and RFC 8594 header forms)
DEPRECATED_AT = 1767225600
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"
MAX_LIMIT = 500
_LIMIT = IntRange(1, MAX_LIMIT)
_CHANGES_LIMIT = IntRange(1, 1000)
_SORT_VALUES = (*SORTS, *(f"-{field}" for field in SORTS))
_COUNTRY = "[A-Z]{2}"
_NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?")  # JSON's number, not float()'s
_RTP = {"type": "number", "minimum": 0, "maximum": 10_000}
_GAME_FILTERS: tuple[QueryParam, ...] = (
    ("studio", "studio ids or slugs, comma-separated"),
    ("category", "slots, table, instant, live (comma-separated)"),
    ("engine", "engine ids, comma-separated"),
    ("volatility", "low, medium, high (comma-separated)"),
    ("feature", "free_spins, bonus_buy, jackpot (comma-separated; any of)"),
    ("currency", "offered in this currency"),
    ("country", "launchable in this ISO 3166-1 alpha-2 country", {"type": "string", "pattern": f"^{_COUNTRY}$"}),
    ("language", "available in this language code"),
    (
        "jurisdiction",
        "launchable under this jurisdiction (ISO 3166-1 country or ISO 3166-2 region, e.g. GB, CA-ON): certified for"
        " its profile, of a category it allows, and not blocked in its country",
    ),
    ("rtp_min", "lowest RTP, percent", _RTP),
    ("rtp_max", "highest RTP, percent", _RTP),
    ("demo", "true or false: demo play available", enum_schema(("true", "false"))),
    (
        "reference",
        "true: only each engine's reference title (every currency and country); false: none",
        enum_schema(("true", "false")),
    ),
    ("status", "enabled (default), disabled or all", enum_schema(("enabled", "disabled", "all"))),
    ("q", "text in the name (any language), slug, id, studio or engine"),
    (
        "sort",
        f"{', '.join(SORTS)}; prefix - for descending (default game_id)",
        enum_schema((*SORTS, *(f"-{s}" for s in SORTS))),
    ),
    ("limit", f"page size, 1 to {MAX_LIMIT} (default 100)", _LIMIT.schema),
    ("cursor", "next_cursor of the previous page"),
)


def _api(request: web.Request) -> Api:
    return "v2" if request.path.startswith("/v2/") else "v1"


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def conditional(
    request: web.Request,
    api: Api,
    body: bytes,
    etag: str,
    last_modified: float | None,
    *,
    content_type: str = "application/json",
    cache: str = "no-cache",
) -> web.Response:
    """The answer, or 304 when the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    headers = {"ETag": etag, "Cache-Control": cache}
    if last_modified is not None:
        headers["Last-Modified"] = email.utils.formatdate(last_modified, usegmt=True)
    if api == "v1":
        headers["Deprecation"] = f"@{DEPRECATED_AT}"
        headers["Sunset"] = SUNSET
        successor = request.path.replace("/v1/", "/v2/", 1)
        headers["Link"] = f'<{successor}>; rel="successor-version"'
    not_modified = False
    if (inm := request.headers.get("If-None-Match")) is not None:
        not_modified = _etag_matches(inm, etag)
    elif (ims := request.headers.get("If-Modified-Since")) is not None and last_modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            since = None
        not_modified = since is not None and math.floor(last_modified) <= since
    if not_modified:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, headers=headers)


async def _catalog(request: web.Request) -> Catalog:
    await request.app[CATALOG_SYNC].refresh()
    return request.app[CATALOG]


# query parsing


def _list(value: str, name: str, allowed: tuple[str, ...] | None = None) -> frozenset[str]:
    items = frozenset(v.strip() for v in value.split(",") if v.strip())
    if not items or len(items) > 50:
        raise RequestError(f"query parameter {name} needs 1 to 50 comma-separated values")
    if allowed is not None and (bad := sorted(items - set(allowed))):
        raise RequestError(f"{name} must be among {', '.join(allowed)}; got {', '.join(bad)}")
    return items


def _number(value: str, name: str) -> float:
    if not _NUMBER.fullmatch(value):
        raise RequestError(f"query parameter {name} must be a number")
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= 10_000:
        raise RequestError(f"query parameter {name} must be between 0 and 10000")
    return number


def _int(value: str, name: str, bounds: IntRange) -> int:
    number = strict_int(value)
    if number is None or not bounds.low <= number <= bounds.high:
        raise RequestError(f"query parameter {name} must be an integer from {bounds.low} to {bounds.high}")
    return number


def encode_cursor(sort: str, position: tuple[Any, str]) -> str:
    raw = json.dumps([sort, *position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str, sort: str) -> tuple[Any, str]:
    bad = RequestError(
        "cursor is not one this API issued; use next_cursor from the previous page", code="INVALID_CURSOR"
    )
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        decoded = loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not (isinstance(decoded, list) and len(decoded) == 3 and isinstance(decoded[2], str)):
        raise bad
    if decoded[0] != sort:
        raise RequestError("cursor belongs to another sort order; start again without cursor", code="INVALID_CURSOR")
    key = decoded[1]
    numeric = sort.lstrip("-") in ("rtp", "max_win_multiplier")
    if numeric:
        if isinstance(key, bool) or not isinstance(key, int | float):
            raise bad
        key = float(key)
    elif not isinstance(key, str):
        raise bad
    return key, decoded[2]


def parse_game_query(params: MultiMapping[str], profiles: Profiles | None = None) -> GameQuery:
    allowed = {param[0] for param in _GAME_FILTERS}
    for name in params:
        if name not in allowed:
            raise RequestError(f"unknown query parameter {name!r}; see /openapi.json for the filters")
        if len(params.getall(name)) > 1:
            raise RequestError(f"query parameter {name} given more than once")
    fields: dict[str, Any] = {}
    lists = {
        "studio": None,
        "engine": None,
        "category": data.CATEGORIES,
        "volatility": data.VOLATILITIES,
        "feature": data.FEATURES,
    }
    for name, choices in lists.items():
        if name in params:
            fields[name] = _list(params[name], name, choices)
    if "currency" in params:
        exponent(params["currency"])
        fields["currency"] = params["currency"]
    if "country" in params:
        country = params["country"]
        if not re.fullmatch(_COUNTRY, country):
            raise RequestError("country must be an ISO 3166-1 alpha-2 code such as DE")
        fields["country"] = country
    if "language" in params:
        fields["language"] = params["language"]
    if "jurisdiction" in params:
        fields |= _jurisdiction_filter(params["jurisdiction"], fields.get("country"), profiles or load_profiles())
    for name in ("rtp_min", "rtp_max"):
        if name in params:
            fields[name] = _number(params[name], name)
    for flag in ("demo", "reference"):
        if flag in params:
            if params[flag] not in ("true", "false"):
                raise RequestError(f"{flag} must be true or false")
            fields[flag] = params[flag] == "true"
    if "status" in params:
        if params["status"] not in ("enabled", "disabled", "all"):
            raise RequestError("status must be enabled, disabled or all")
        fields["status"] = params["status"]
    if "q" in params:
        q = params["q"].strip()
        if not 1 <= len(q) <= 100:
            raise RequestError("q must be 1 to 100 characters")
        fields["q"] = q
    sort = params.get("sort", "game_id")
    field = sort.removeprefix("-")
    if field not in SORTS:
        raise RequestError(f"sort must be one of {', '.join(SORTS)}, optionally prefixed with -")
    fields["sort"], fields["descending"] = field, sort.startswith("-")
    if "limit" in params:
        fields["limit"] = _int(params["limit"], "limit", _LIMIT)
    if "cursor" in params:
        fields["after"] = decode_cursor(params["cursor"], sort)
    return GameQuery(**fields)


def _jurisdiction_filter(code: str, country: str | None, profiles: Profiles) -> dict[str, Any]:
    profile = profiles.resolve(code)
    if country is not None and country != code[:2]:
        raise RequestError(f"country {country} is not in jurisdiction {code}", code="JURISDICTION_MISMATCH")
    return {
        "country": code[:2],
        "market_categories": frozenset(profile.categories),
        "certified_for": profile.id if profile.certification_required else None,
    }


# handlers


def _page_renderer(catalog: Catalog, api: Api, query: GameQuery) -> Callable[[Page], bytes]:
    sort = ("-" if query.descending else "") + query.sort

    def render(page: Page) -> bytes:
        cursor = encode_cursor(sort, page.last) if page.last is not None else None
        games = b",".join(catalog.game_json(api, gid) for gid in page.ids)
        return (
            b'{"games":['
            + games
            + b'],"next_cursor":'
            + json.dumps(cursor).encode()
            + b',"total":'
            + str(page.total).encode()
            + b"}"
        )

    return render


async def list_studios(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    return conditional(request, api, catalog.studios_json(api), catalog.etag(api, "studios"), catalog.last_modified)


async def list_games(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    if (seen := catalog.answered(api, request.query_string)) is not None:
        return conditional(request, api, seen[1], seen[0], catalog.last_modified)
    query = parse_game_query(request.query, request.app[MARKETS].profiles)
    etag = catalog.etag(api, query)
    if (inm := request.headers.get("If-None-Match")) is not None and _etag_matches(inm, etag):
        return conditional(request, api, b"", etag, catalog.last_modified)
    body = catalog.page_body(api, query, _page_renderer(catalog, api, query))
    catalog.remember(api, request.query_string, etag, body)
    return conditional(request, api, body, etag, catalog.last_modified)


async def get_game(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    game = catalog.game(request.match_info["game_id"])
    body = catalog.game_json(api, game.game_id)
    return conditional(request, api, body, catalog.etag(api, game.game_id, game.version), catalog.last_modified)


@cache
def _parameters_json(engine_id: str) -> bytes:
    """The engine's schemas, rendered once per engine (the game id is spliced in front)."""
    engine = get_engine(engine_id)
    body = {"engine_id": engine_id, "multi_step": engine.multi_step, **engine.parameters().to_json()}
    return json.dumps(body, separators=(",", ":")).encode()


async def game_parameters(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    game = catalog.game(request.match_info["game_id"])
    body = b'{"game_id":' + json.dumps(game.game_id).encode() + b"," + _parameters_json(game.engine_id)[1:]
    return conditional(request, api, body, catalog.etag(api, "parameters", game.game_id, game.engine_id), None)


async def thumbnail(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    game = catalog.game(request.match_info["game_id"])
    svg = render_thumbnail(game, catalog.studio(game.studio_id))
    etag = catalog.etag("thumbnail", game.game_id, game.name)
    return conditional(request, api, svg, etag, None, content_type="image/svg+xml", cache="public, max-age=86400")


async def changes(request: web.Request) -> web.Response:
    catalog, api = await _catalog(request), _api(request)
    for name in request.query:
        if name not in ("since", "limit"):
            raise RequestError(f"unknown query parameter {name!r}; use since and limit")
    since = _int(request.query.get("since", "0"), "since", AFTER)
    limit = _int(request.query.get("limit", "100"), "limit", _CHANGES_LIMIT)
    picked, more = catalog.changes_since(since, limit)
    next_since = catalog.changes[picked[-1]].seq if picked else max(since, 0)
    body = (
        b'{"changes":['
        + b",".join(catalog.change_json(api, i) for i in picked)
        + b'],"next_since":'
        + str(next_since).encode()
        + b',"more":'
        + (b"true" if more else b"false")
        + b"}"
    )
    return conditional(request, api, body, catalog.etag(api, "changes", since, limit), catalog.last_modified)


def _admin(kind: Literal["disabled", "enabled"]) -> Callable[[web.Request], Awaitable[web.Response]]:
    verb = "Disable" if kind == "disabled" else "Enable"

    @documented(
        RouteDoc(
            f"{verb} a game: launches are {'refused' if kind == 'disabled' else 'allowed'} and the "
            "change feed records it",
            "admin",
            response=AdminChange,
            errors=("UNKNOWN_GAME",),
        )
    )
    async def handler(request: web.Request) -> web.Response:
        catalog = await _catalog(request)
        game = catalog.game(request.match_info["game_id"])
        if game.enabled == (kind == "enabled"):
            return json_response({"changed": False, "change": None, "game": game.model_dump(mode="json")})
        change = await request.app[CATALOG_SYNC].record(game.game_id, kind)
        position = catalog.changes.index(change)
        return json_response(
            {
                "changed": True,
                "change": json.loads(catalog.change_json("v1", position)),
                "game": catalog.game(game.game_id).model_dump(mode="json"),
            }
        )

    return handler


async def catalog_ctx(app: web.Application) -> AsyncIterator[None]:
    """The change log lives in the simulator's store; this runs after the store is open."""
    sync = CatalogSync(app[STORE].db, app[CATALOG], app[CLOCK], interval=app[SETTINGS].catalog_change_interval)
    await sync.start()
    app[CATALOG_SYNC] = sync
    yield


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _versioned(handler: Handler, doc: RouteDoc) -> Handler:
    """A distinct function per API version, so each carries its own ``RouteDoc``."""

    async def serve(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    serve.__name__ = handler.__name__
    return documented(doc)(serve)


def _docs(version: Api) -> list[tuple[str, Handler, RouteDoc]]:
    note = " (deprecated: see Sunset; /v2 writes bet limits as decimal strings)" if version == "v1" else ""
    page: type[GamePage | GamePageV2] = GamePage if version == "v1" else GamePageV2
    game: type[Game | GameV2] = Game if version == "v1" else GameV2
    changes_query = (
        ("since", "seq of the last change seen (default 0)", AFTER.schema),
        ("limit", "1 to 1000 (default 100)", _CHANGES_LIMIT.schema),
    )
    return [
        (
            "/studios",
            list_studios,
            RouteDoc(
                "List studios with their wallet dialect and game counts" + note,
                "catalogue",
                auth="operator",
                response=StudioList,
            ),
        ),
        (
            "/games",
            list_games,
            RouteDoc(
                "List games: filters, sorting, cursor pagination, ETag and Last-Modified" + note,
                "catalogue",
                auth="operator",
                response=page,
                query=_GAME_FILTERS,
                errors=("INVALID_REQUEST", "INVALID_CURSOR", "UNKNOWN_CURRENCY"),
            ),
        ),
        # registered before /games/{game_id}, which would otherwise take "changes" for a game id
        (
            "/games/changes",
            changes,
            RouteDoc(
                "Catalogue changes after a sequence number: games added, updated, disabled, enabled" + note,
                "catalogue",
                auth="operator",
                response=ChangePage,
                query=changes_query,
                errors=("INVALID_REQUEST",),
            ),
        ),
        (
            "/games/{game_id}",
            get_game,
            RouteDoc(
                "One game's metadata (disabled games too)" + note,
                "catalogue",
                auth="operator",
                response=game,
                errors=("UNKNOWN_GAME",),
            ),
        ),
        (
            "/games/{game_id}/parameters",
            game_parameters,
            RouteDoc(
                "The JSON Schemas of the game's bet parameters and of each action's parameters, with examples"
                " (docs/games.md)" + note,
                "catalogue",
                auth="operator",
                response=GameParameters,
                errors=("UNKNOWN_GAME",),
            ),
        ),
        (
            "/games/{game_id}/thumbnail.svg",
            thumbnail,
            RouteDoc(
                "The game's thumbnail, an SVG drawn from the game itself",
                "catalogue",
                auth="operator",
                content_type="image/svg+xml",
                errors=("UNKNOWN_GAME",),
            ),
        ),
    ]


def add_routes(app: web.Application) -> None:
    versions: tuple[Api, ...] = ("v1", "v2")
    for version in versions:
        for path, handler, doc in _docs(version):
            app.router.add_get(f"/{version}{path}", _versioned(handler, doc))
    app.router.add_post("/admin/games/{game_id}/disable", _admin("disabled"))
    app.router.add_post("/admin/games/{game_id}/enable", _admin("enabled"))

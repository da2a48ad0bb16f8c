"""The live catalogue: the blueprint plus the changes applied so far, kept ready to serve.

Nothing is rebuilt per request. Each game's JSON is rendered once per API version when it first appears or
changes; filters are set algebra over per-field index sets; every sort order is a precomputed list of
``(key, game_id)`` with a rank per game; finished page bodies are kept in small LRUs keyed by the catalogue
version and the query (the raw query string first, so a repeated request is not even parsed again). Applying
changes (rare: a schedule tick or an admin call) re-renders only the changed games and rebuilds the indexes,
which for a thousand games takes a few milliseconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from simulator.catalog.models import Change, Game, Studio
from simulator.dialects.amounts import to_decimal
from simulator.errors import ConfigurationError, NotFound
from simulator.money import exponent

if TYPE_CHECKING:
    from simulator.catalog.builder import Blueprint
    from simulator.rates import Rates

Api = Literal["v1", "v2"]
APIS: tuple[Api, ...] = ("v1", "v2")
SortKey = str | float | int
SORTS: dict[str, Callable[[Game, Studio], SortKey]] = {
    "game_id": lambda g, s: g.game_id,
    "name": lambda g, s: g.name.casefold(),
    "release_date": lambda g, s: g.release_date,
    "rtp": lambda g, s: g.rtp,
    "max_win_multiplier": lambda g, s: math.inf if g.max_win_multiplier is None else g.max_win_multiplier,
    "studio": lambda g, s: s.name.casefold(),
}
PAGE_CACHE = 1024


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def v2_game(game: Game) -> dict[str, Any]:
    """/v2 shape: bet limits as exact decimal strings with the currency exponent instead of minor-unit
    maps."""
    data = game.model_dump(mode="json", exclude={"min_bet", "max_bet", "bet_steps"})
    data["bet_limits"] = {
        c: {
            "exponent": exponent(c),
            "min": to_decimal(game.min_bet[c], c),
            "max": to_decimal(game.max_bet[c], c),
            "steps": [to_decimal(step, c) for step in game.bet_steps[c]],
        }
        for c in game.currencies
    }
    data["thumbnail_url"] = game.thumbnail_url.replace("/v1/", "/v2/", 1)
    return data


def render_game(api: Api, game: Game) -> bytes:
    if api == "v1":
        return game.model_dump_json().encode()
    return json.dumps(v2_game(game), separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class GameQuery:
    """A normalised ``GET /games`` query; equal queries are equal objects (the page cache key)."""

    studio: frozenset[str] = frozenset()
    category: frozenset[str] = frozenset()
    engine: frozenset[str] = frozenset()
    volatility: frozenset[str] = frozenset()
    feature: frozenset[str] = frozenset()
    currency: str | None = None
    country: str | None = None
    language: str | None = None
    certified_for: str | None = None  # a jurisdiction's profile that requires certification
    market_categories: frozenset[str] | None = None  # the categories a jurisdiction allows
    rtp_min: float | None = None
    rtp_max: float | None = None
    demo: bool | None = None
    reference: bool | None = None
    status: Literal["enabled", "disabled", "all"] = "enabled"
    q: str | None = None
    sort: str = "game_id"
    descending: bool = False
    limit: int = 100
    after: tuple[SortKey, str] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    ids: list[str]
    total: int
    last: tuple[SortKey, str] | None  # position of the last item, when more follow


class Catalog:
    def __init__(self, blueprint: Blueprint, studio_dialects: Mapping[str, str] | None = None) -> None:
        self.blueprint = blueprint
        self.studios: dict[str, Studio] = {s.studio_id: s for s in blueprint.studios}
        for studio_id, dialect in (studio_dialects or {}).items():
            if studio_id not in self.studios:
                raise ConfigurationError(
                    f"studio_dialects names {studio_id!r}, which is not a studio of this catalogue"
                )
            self.studios[studio_id] = self.studios[studio_id].model_copy(update={"dialect": dialect})
        self.games: dict[str, Game] = {}
        self.changes: list[Change] = []
        self.version = 0
        self.last_modified: float | None = None
        self._json: dict[Api, dict[str, bytes]] = {"v1": {}, "v2": {}}
        self._change_json: list[bytes] = []
        self._pages: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._raw: OrderedDict[tuple[Api, int, str], tuple[str, bytes]] = OrderedDict()
        self.games = {g.game_id: g for g in blueprint.games}
        if blueprint.rendered is None:  # rendered once per process; every app starts from a copy
            blueprint.rendered = {api: {g.game_id: render_game(api, g) for g in blueprint.games} for api in APIS}
        self._json = {"v1": dict(blueprint.rendered["v1"]), "v2": dict(blueprint.rendered["v2"])}
        self._index()

    # lookups used by the play flow and the launch rules

    @property
    def game_list(self) -> list[Game]:
        return [self.games[gid] for _, gid in self._orders["game_id"]]

    def game(self, game_id: str) -> Game:
        try:
            return self.games[game_id]
        except KeyError:
            raise NotFound(f"no game {game_id!r}", code="UNKNOWN_GAME") from None

    def studio(self, studio_id: str) -> Studio:
        try:
            return self.studios[studio_id]
        except KeyError:
            raise NotFound(f"no studio {studio_id!r}", code="UNKNOWN_STUDIO") from None

    def game_json(self, api: Api, game_id: str) -> bytes:
        self.game(game_id)
        return self._json[api][game_id]

    # changes

    def apply(self, changes: Iterable[Change]) -> int:
        """Apply changes in ``seq`` order, skipping those already applied; returns how many were applied."""
        applied = 0
        for change in changes:
            if change.seq <= self.version:
                continue
            current = self.games.get(change.game_id)
            stamp = {"version": (current.version + 1) if current else 1, "updated_at": iso(change.at)}
            if change.kind == "added":
                base = current or self.blueprint.upcoming.get(change.game_id)
                if base is not None:
                    self._put(_revised(base, stamp | {"enabled": True}))
            elif current is not None:
                fields: dict[str, Any] = dict(change.fields)
                if change.kind in ("disabled", "enabled"):
                    fields = {"enabled": change.kind == "enabled"}
                self._put(_revised(current, fields | stamp))
            self.changes.append(change)
            self._change_json.append(self._render_change(change))
            self.version = change.seq
            self.last_modified = max(self.last_modified or change.at, change.at)
            applied += 1
        if applied:
            self._index()
        return applied

    def _put(self, game: Game) -> None:
        self.games[game.game_id] = game
        for api in APIS:
            self._json[api][game.game_id] = render_game(api, game)

    @staticmethod
    def _render_change(change: Change) -> bytes:
        data = {
            "seq": change.seq,
            "at": iso(change.at),
            "kind": change.kind,
            "source": change.source,
            "game_id": change.game_id,
            "fields": change.fields,
        }
        return json.dumps(data, separators=(",", ":"), default=list).encode()

    def _index(self) -> None:
        self._pages.clear()
        self._raw.clear()
        self._orders: dict[str, list[tuple[SortKey, str]]] = {}
        self._ranks: dict[str, dict[str, int]] = {}
        for name, key in SORTS.items():
            order = sorted((key(g, self.studios[g.studio_id]), g.game_id) for g in self.games.values())
            self._orders[name] = order
            self._ranks[name] = {gid: position for position, (_, gid) in enumerate(order)}
        self._all: frozenset[str] = frozenset(self.games)
        self._blocked: dict[str, set[str]] = {}
        self._allowed: dict[str, set[str]] = {}
        self._whitelisted: set[str] = set()
        index: dict[str, dict[str, set[str]]] = {
            f: {} for f in ("studio", "category", "engine", "volatility", "feature", "currency", "language")
        }
        self._enabled: set[str] = set()
        self._demo: set[str] = set()
        self._reference: set[str] = set()
        self._certified: dict[str, set[str]] = {}
        self._text: dict[str, str] = {}
        for g in self.games.values():
            studio = self.studios[g.studio_id]
            index["studio"].setdefault(g.studio_id, set()).add(g.game_id)
            index["studio"].setdefault(studio.slug, set()).add(g.game_id)
            index["category"].setdefault(g.category, set()).add(g.game_id)
            index["engine"].setdefault(g.engine_id, set()).add(g.game_id)
            index["volatility"].setdefault(g.volatility, set()).add(g.game_id)
            for feature in g.features:
                index["feature"].setdefault(feature, set()).add(g.game_id)
            for currency in g.currencies:
                index["currency"].setdefault(currency, set()).add(g.game_id)
            for language in g.languages:
                index["language"].setdefault(language, set()).add(g.game_id)
            for country in g.blocked_countries:
                self._blocked.setdefault(country, set()).add(g.game_id)
            if g.allowed_countries is not None:
                self._whitelisted.add(g.game_id)
                for country in g.allowed_countries:
                    self._allowed.setdefault(country, set()).add(g.game_id)
            if g.enabled:
                self._enabled.add(g.game_id)
            if g.demo:
                self._demo.add(g.game_id)
            if g.reference:
                self._reference.add(g.game_id)
            for jurisdiction in g.jurisdictions:
                self._certified.setdefault(jurisdiction, set()).add(g.game_id)
            words = [g.name, g.slug, g.game_id, studio.name, g.engine_id, *g.names.values()]
            self._text[g.game_id] = "\n".join(words).casefold()
        self._index_sets = index
        self._studio_json = {
            api: json.dumps(
                {"studios": [self._studio_dict(s) for s in self.studios.values()]}, separators=(",", ":")
            ).encode()
            for api in ("v1", "v2")
        }

    def _studio_dict(self, studio: Studio) -> dict[str, Any]:
        games = [g for g in self.games.values() if g.studio_id == studio.studio_id]
        return studio.model_dump(mode="json") | {
            "game_count": len(games),
            "categories": sorted({g.category for g in games}),
        }

    def studios_json(self, api: Api) -> bytes:
        return self._studio_json[api]

    # queries

    def select(self, query: GameQuery) -> Page:
        """Filter with set algebra over the indexes, then order the survivors by their precomputed rank."""
        ids: frozenset[str] | set[str] = self._all
        if query.status == "enabled":
            ids = self._enabled
        elif query.status == "disabled":
            ids = self._all - self._enabled
        for name in ("studio", "category", "engine", "volatility", "feature"):
            wanted: frozenset[str] = getattr(query, name)
            if wanted:
                index = self._index_sets[name]
                ids = ids & set().union(*(index.get(v, set()) for v in wanted))
        for name in ("currency", "language"):
            value: str | None = getattr(query, name)
            if value is not None:
                ids = ids & self._index_sets[name].get(value, set())
        if query.market_categories is not None:
            index = self._index_sets["category"]
            ids = ids & set().union(*(index.get(c, set()) for c in query.market_categories))
        if query.certified_for is not None:
            ids = ids & self._certified.get(query.certified_for, set())
        if query.demo is not None:
            ids = ids & self._demo if query.demo else ids - self._demo
        if query.reference is not None:
            ids = ids & self._reference if query.reference else ids - self._reference
        if query.country is not None:
            country = query.country
            ids = ids - self._blocked.get(country, set()) - (self._whitelisted - self._allowed.get(country, set()))
        games = self.games
        if query.rtp_min is not None:
            low = query.rtp_min
            ids = {gid for gid in ids if games[gid].rtp >= low}
        if query.rtp_max is not None:
            high = query.rtp_max
            ids = {gid for gid in ids if games[gid].rtp <= high}
        if query.q:
            needle, text = query.q.casefold(), self._text
            ids = {gid for gid in ids if needle in text[gid]}
        order, rank = self._orders[query.sort], self._ranks[query.sort]
        matched = [order[p] for p in sorted(rank[gid] for gid in ids)]
        if query.descending:
            matched.reverse()
            start = 0 if query.after is None else _bisect_desc(matched, query.after)
        else:
            start = 0 if query.after is None else bisect.bisect_right(matched, query.after)
        page = matched[start : start + query.limit]
        more = start + query.limit < len(matched)
        return Page([gid for _, gid in page], len(matched), page[-1] if more and page else None)

    def answered(self, api: Api, raw_query: str) -> tuple[str, bytes] | None:
        """The ETag and body already served for this exact query string at this catalogue version."""
        hit = self._raw.get((api, self.version, raw_query))
        if hit is not None:
            self._raw.move_to_end((api, self.version, raw_query))
        return hit

    def remember(self, api: Api, raw_query: str, etag: str, body: bytes) -> None:
        self._raw[(api, self.version, raw_query)] = (etag, body)
        if len(self._raw) > PAGE_CACHE:
            self._raw.popitem(last=False)

    def page_body(self, api: Api, query: GameQuery, render: Callable[[Page], bytes]) -> bytes:
        key = (api, self.version, query)
        body = self._pages.get(key)
        if body is None:
            body = render(self.select(query))
            self._pages[key] = body
            if len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return body

    def changes_since(self, since: int, limit: int) -> tuple[list[int], bool]:
        """Indexes into ``changes`` of those after ``since``, at most ``limit``, and whether more follow."""
        seqs = [c.seq for c in self.changes]
        start = bisect.bisect_right(seqs, since)
        picked = list(range(start, min(start + limit, len(seqs))))
        return picked, start + limit < len(seqs)

    def change_json(self, api: Api, position: int) -> bytes:
        change = self.changes[position]
        game = self._json[api].get(change.game_id, b"null")
        return self._change_json[position][:-1] + b',"game":' + game + b"}"

    def etag(self, *parts: object) -> str:
        digest = hashlib.sha256(repr((self.blueprint.fingerprint, self.version, parts)).encode()).hexdigest()
        return f'"{digest[:24]}"'


def _revised(game: Game, fields: dict[str, Any]) -> Game:
    """``game`` with ``fields`` replaced and validated again (changes read from the database hold lists)."""
    return Game.model_validate(game.model_dump() | fields)


def _bisect_desc(items: list[tuple[SortKey, str]], after: tuple[SortKey, str]) -> int:
    """First index in a descending list whose item sorts strictly before ``after``."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] >= after:
            lo = mid + 1
        else:
            hi = mid
    return lo


def build_catalog(seed: int, rates: Rates | None = None, studio_dialects: Mapping[str, str] | None = None) -> Catalog:
    """A live catalogue over the (per-process cached) blueprint of ``seed`` and the registered engines, with bet
    limits in each currency from ``rates``; ``studio_dialects`` makes the named studios speak another dialect (their
    games keep their currencies, so a currency the new dialect cannot carry is refused at the bet,
    ``AMOUNT_NOT_REPRESENTABLE``)."""
    from simulator.catalog.builder import blueprint_for

    return Catalog(blueprint_for(seed, rates), studio_dialects)

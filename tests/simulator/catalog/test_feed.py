"""The catalogue API: pages, filters, sorting, conditional requests, versions and thumbnails."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest

from simulator.catalog import live
from simulator.catalog.builder import _cached
from simulator.openapi import build_openapi
from simulator.state import CATALOG
from tests.harness import Sim

Game = dict[str, Any]


async def all_games(sim: Sim, query: str = "status=all", version: str = "v1") -> list[Game]:
    games: list[Game] = []
    cursor = ""
    while True:
        reply = await sim.request("GET", f"/{version}/games?{query}&limit=500{cursor}")
        assert reply.status == 200, reply.body
        games += reply.body["games"]
        if reply.body["next_cursor"] is None:
            assert reply.body["total"] == len(games)
            return games
        cursor = f"&cursor={reply.body['next_cursor']}"


async def test_pages_walk_the_whole_catalogue_once(sim: Sim) -> None:
    seen: list[str] = []
    cursor = ""
    while True:
        reply = await sim.request("GET", f"/v1/games?limit=137{cursor}")
        assert reply.status == 200
        assert reply.body["total"] == 1000
        seen += [g["game_id"] for g in reply.body["games"]]
        if reply.body["next_cursor"] is None:
            break
        cursor = f"&cursor={reply.body['next_cursor']}"
    assert len(seen) == 1000 == len(set(seen))
    assert seen == sorted(seen)
    default = await sim.request("GET", "/v1/games")
    assert len(default.body["games"]) == 100


def _playable(country: str) -> Callable[[Game], bool]:
    def check(g: Game) -> bool:
        allowed = g["allowed_countries"]
        return country not in g["blocked_countries"] and (allowed is None or country in allowed)

    return check


FILTERS = [
    pytest.param("category=slots", lambda g: g["category"] == "slots", id="category"),
    pytest.param("category=live,table", lambda g: g["category"] in ("live", "table"), id="categories"),
    pytest.param("engine=dice", lambda g: g["engine_id"] == "dice", id="engine"),
    pytest.param("volatility=low", lambda g: g["volatility"] == "low", id="volatility"),
    pytest.param("feature=bonus_buy", lambda g: "bonus_buy" in g["features"], id="feature"),
    pytest.param("reference=true", lambda g: g["reference"], id="reference"),
    pytest.param("engine=dice&reference=false", lambda g: g["engine_id"] == "dice" and not g["reference"], id="no-ref"),
    pytest.param("feature=bonus_buy,jackpot", lambda g: {"bonus_buy", "jackpot"} & set(g["features"]), id="features"),
    pytest.param("currency=BTC", lambda g: "BTC" in g["currencies"], id="currency"),
    pytest.param("country=US", _playable("US"), id="country-US"),
    pytest.param("country=SE", _playable("SE"), id="country-SE"),
    pytest.param("language=ja", lambda g: "ja" in g["languages"], id="language"),
    pytest.param("rtp_min=96&rtp_max=98", lambda g: 96 <= g["rtp"] <= 98, id="rtp-range"),
    pytest.param("demo=false", lambda g: not g["demo"], id="no-demo"),
    pytest.param("q=DELUXE", lambda g: "deluxe" in g["name"].lower(), id="text"),
    pytest.param(
        "category=slots&currency=JPY&country=DE",
        lambda g: g["category"] == "slots" and "JPY" in g["currencies"] and _playable("DE")(g),
        id="combined",
    ),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
async def test_filters_return_exactly_the_matching_games(
    sim: Sim, query: str, expected: Callable[[Game], bool]
) -> None:
    everything = await all_games(sim)
    wanted = [g["game_id"] for g in everything if expected(g) and g["enabled"]]
    got = [g["game_id"] for g in await all_games(sim, query)]
    assert got == wanted
    assert 0 < len(got) < 1000


async def test_filters_by_studio_id_or_slug_and_text_in_other_languages(sim: Sim) -> None:
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    studio = studios[3]
    by_id = await all_games(sim, f"studio={studio['studio_id']}")
    by_slug = await all_games(sim, f"studio={studio['slug']}")
    assert by_id == by_slug and len(by_id) == studio["game_count"]
    assert {g["studio_id"] for g in by_id} == {studio["studio_id"]}
    game = next(g for g in by_id if "de" in g["names"])
    found = await all_games(sim, f"q={quote(game['names']['de'])}")
    assert game["game_id"] in {g["game_id"] for g in found}


@pytest.mark.parametrize("sort", ["name", "-rtp", "release_date", "-max_win_multiplier", "studio"])
async def test_sorting_is_total_and_stable_across_pages(sim: Sim, sort: str) -> None:
    everything = await all_games(sim)
    names = {s["studio_id"]: s["name"] for s in (await sim.request("GET", "/v1/studios")).body["studios"]}
    keys: dict[str, Callable[[Game], Any]] = {
        "name": lambda g: g["name"].casefold(),
        "rtp": lambda g: g["rtp"],
        "release_date": lambda g: g["release_date"],
        "max_win_multiplier": lambda g: float("inf") if g["max_win_multiplier"] is None else g["max_win_multiplier"],
        "studio": lambda g: names[g["studio_id"]].casefold(),
    }
    field = sort.removeprefix("-")
    expected = sorted(everything, key=lambda g: (keys[field](g), g["game_id"]), reverse=sort.startswith("-"))
    walked: list[str] = []
    cursor = ""
    while True:
        reply = await sim.request("GET", f"/v1/games?sort={sort}&limit=90{cursor}")
        walked += [g["game_id"] for g in reply.body["games"]]
        if reply.body["next_cursor"] is None:
            break
        cursor = f"&cursor={reply.body['next_cursor']}"
    assert walked == [g["game_id"] for g in expected]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param("limit=0", "INVALID_REQUEST", id="limit-zero"),
        pytest.param("limit=501", "INVALID_REQUEST", id="limit-too-big"),
        pytest.param("limit=ten", "INVALID_REQUEST", id="limit-text"),
        pytest.param("sort=price", "INVALID_REQUEST", id="unknown-sort"),
        pytest.param("categroy=slots", "INVALID_REQUEST", id="typo-in-a-filter"),
        pytest.param("category=poker", "INVALID_REQUEST", id="unknown-category"),
        pytest.param("currency=XYZ", "UNKNOWN_CURRENCY", id="unknown-currency"),
        pytest.param("country=germany", "INVALID_REQUEST", id="bad-country"),
        pytest.param("rtp_min=abc", "INVALID_REQUEST", id="bad-rtp"),
        pytest.param("rtp_min=nan", "INVALID_REQUEST", id="nan-rtp"),
        pytest.param("demo=yes", "INVALID_REQUEST", id="bad-bool"),
        pytest.param("q=", "INVALID_REQUEST", id="empty-text"),
        pytest.param("cursor=@@@", "INVALID_CURSOR", id="garbage-cursor"),
        pytest.param("cursor=WyJuYW1lIiwxLCJ4Il0", "INVALID_CURSOR", id="cursor-of-another-sort"),
        pytest.param("sort=rtp&cursor=WyJydHAiLCJ4IiwieCJd", "INVALID_CURSOR", id="cursor-key-wrong-type"),
        pytest.param("limit=1&limit=2", "INVALID_REQUEST", id="repeated"),
    ],
)
async def test_bad_queries_are_4xx_with_a_code(sim: Sim, query: str, code: str) -> None:
    reply = await sim.request("GET", f"/v1/games?{query}")
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == code
    assert reply.body["error"]["message"]


async def test_etag_and_last_modified_give_304(sim: Sim) -> None:
    first = await sim.http.get(sim.url + "/v1/games?category=slots&limit=5")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = await sim.http.get(sim.url + "/v1/games?category=slots&limit=5", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag and await again.read() == b""
    weak = await sim.http.get(sim.url + "/v1/games?category=slots&limit=5", headers={"If-None-Match": f"W/{etag}"})
    assert weak.status == 304
    other = await sim.http.get(sim.url + "/v1/games?category=table&limit=5", headers={"If-None-Match": etag})
    assert other.status == 200 and other.headers["ETag"] != etag
    since = await sim.http.get(sim.url + "/v1/studios", headers={"If-Modified-Since": modified})
    assert since.status == 304
    old = await sim.http.get(sim.url + "/v1/studios", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status == 200
    game_id = (await first.json())["games"][0]["game_id"]
    one = await sim.http.get(f"{sim.url}/v1/games/{game_id}")
    assert (
        await sim.http.get(f"{sim.url}/v1/games/{game_id}", headers={"If-None-Match": one.headers["ETag"]})
    ).status == 304
    await sim.request("POST", f"/admin/games/{game_id}/disable")
    after = await sim.http.get(sim.url + "/v1/games?category=slots&limit=5", headers={"If-None-Match": etag})
    assert after.status == 200, "a change makes every cached page stale"


async def test_v1_is_deprecated_and_v2_writes_limits_as_decimal_strings(sim: Sim) -> None:
    v1 = await sim.http.get(sim.url + "/v1/games?currency=KWD&limit=50")
    v2 = await sim.http.get(sim.url + "/v2/games?currency=KWD&limit=50")
    assert v1.headers["Deprecation"].startswith("@") and "GMT" in v1.headers["Sunset"]
    assert 'rel="successor-version"' in v1.headers["Link"] and "/v2/games" in v1.headers["Link"]
    assert "Deprecation" not in v2.headers and "Sunset" not in v2.headers
    old, new = (await v1.json())["games"], (await v2.json())["games"]
    assert [g["game_id"] for g in old] == [g["game_id"] for g in new]
    for a, b in zip(old, new, strict=True):
        assert "min_bet" not in b and "max_bet" not in b
        for currency in a["currencies"]:
            limit = b["bet_limits"][currency]
            scale = Decimal(10) ** limit["exponent"]
            assert Decimal(limit["min"]) * scale == a["min_bet"][currency]
            assert Decimal(limit["max"]) * scale == a["max_bet"][currency]
        assert b["bet_limits"]["KWD"]["exponent"] == 3 and len(b["bet_limits"]["KWD"]["min"].split(".")[1]) == 3
        assert b["thumbnail_url"].startswith("/v2/")
    single = await sim.request("GET", f"/v2/games/{new[0]['game_id']}")
    assert single.body == new[0]


async def test_one_game_and_unknown_game(sim: Sim) -> None:
    first = (await sim.request("GET", "/v1/games?limit=1")).body["games"][0]
    assert (await sim.request("GET", f"/v1/games/{first['game_id']}")).body == first
    missing = await sim.request("GET", "/v1/games/no-such-game")
    assert (missing.status, missing.body["error"]["code"]) == (404, "UNKNOWN_GAME")


async def test_thumbnails_are_deterministic_svg(sim: Sim) -> None:
    games = (await sim.request("GET", "/v1/games?limit=200")).body["games"]
    picks = [next(g for g in games if g["category"] == c) for c in ("slots", "table", "instant")]
    for game in picks:
        first = await sim.http.get(sim.url + game["thumbnail_url"])
        assert first.status == 200 and first.content_type == "image/svg+xml"
        body = await first.read()
        root = ET.fromstring(body)  # noqa: S314 - our own output
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert (await (await sim.http.get(sim.url + game["thumbnail_url"])).read()) == body
        cached = await sim.http.get(sim.url + game["thumbnail_url"], headers={"If-None-Match": first.headers["ETag"]})
        assert cached.status == 304
    missing = await sim.request("GET", "/v1/games/nope/thumbnail.svg")
    assert missing.status == 404


async def test_studios_list_their_dialect_and_games(sim: Sim) -> None:
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    assert len(studios) == 40
    assert {s["dialect"] for s in studios} == {"native", "rsa_json", "md5_form", "token_query"}
    assert sum(s["game_count"] for s in studios) == 1000
    assert (await sim.request("GET", "/v2/studios")).body["studios"] == studios


async def test_pages_are_not_rebuilt_per_request(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = sim.app[CATALOG]
    calls = {"select": 0, "index": 0, "blueprint": _cached.cache_info().misses}
    select, index = catalog.select, catalog._index

    def counting_select(query: live.GameQuery) -> live.Page:
        calls["select"] += 1
        return select(query)

    def counting_index() -> None:
        calls["index"] += 1
        index()

    monkeypatch.setattr(catalog, "select", counting_select)
    monkeypatch.setattr(catalog, "_index", counting_index)
    for _ in range(20):
        for query in ("limit=100", "category=slots&sort=-rtp", "q=mega"):
            reply = await sim.request("GET", f"/v1/games?{query}")
            assert reply.status == 200
    assert calls == {"select": 3, "index": 0, "blueprint": _cached.cache_info().misses}


async def test_openapi_documents_every_route(sim: Sim) -> None:
    _, undocumented = build_openapi(sim.app, title="t", version="0")
    assert undocumented == []
    document = (await sim.request("GET", "/openapi.json")).body
    for path in (
        "/v1/games",
        "/v2/games",
        "/v1/games/changes",
        "/admin/games/{game_id}/disable",
        "/wallet/md5_form/endRound",
        "/wallet/rsa_json/transaction/bet",
        "/wallet/token_query/check",
    ):
        assert path in document["paths"], path
    form = document["paths"]["/wallet/md5_form/bet"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in form

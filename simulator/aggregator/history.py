"""``GET /v1/players/{player_id}/rounds``: a player's game history for the operator's back office and for a player
who disputes a round. Newest first, filtered by game, time range and status, paged with an opaque cursor, with
totals per currency over every page of the selection."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from simulator.aggregator.round_json import round_json
from simulator.errors import RequestError
from simulator.http import IntRange, RouteDoc, documented, int_query, json_response
from simulator.lifecycle import ROUND_STATUSES
from simulator.state import STORE
from simulator.store.history import HistoryQuery, Totals
from simulator.store.records import Round

_LIMIT = IntRange(1, 500)
_QUERY = ("game_id", "from", "to", "status", "limit", "cursor")


class HistoryRound(BaseModel):
    round_id: str
    game_id: str
    studio_id: str
    engine_id: str
    currency: str
    amount: int = Field(description="Total stake, minor units.")
    win: int
    status: str
    created_at: float
    updated_at: float
    details_url: str | None = Field(None, description="A page showing the round, where the simulator has one.")


class HistoryTotals(BaseModel):
    currency: str
    rounds: int
    staked: int = Field(description="Stakes of the rounds that moved money (not void or rolled back).")
    won: int
    net: int = Field(description="won - staked: the player's result.")


class HistoryPage(BaseModel):
    player_id: str
    rounds: list[HistoryRound]
    next_cursor: str | None
    totals: list[HistoryTotals] = Field(description="Per currency, over every page of the selection.")


def _time(name: str, raw: str) -> float:
    """Epoch seconds, or an ISO 8601 time with its offset (``2026-12-07T10:00:00Z``)."""
    try:
        return float(raw) if raw.replace(".", "", 1).isdigit() else _iso(raw)
    except ValueError:
        raise RequestError(
            f"query parameter {name} must be epoch seconds or an ISO 8601 time with an offset, e.g."
            " 2026-12-07T10:00:00Z"
        ) from None


def _iso(raw: str) -> float:
    when = dt.datetime.fromisoformat(raw)
    if when.tzinfo is None:
        raise ValueError("no offset")
    return when.timestamp()


def encode_cursor(round_: Round) -> str:
    return base64.urlsafe_b64encode(json.dumps([round_.created_at, round_.round_id]).encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[float, str]:
    try:
        at, round_id = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if isinstance(at, bool) or not isinstance(at, int | float) or not isinstance(round_id, str):
            raise ValueError(raw)
    except (ValueError, TypeError, binascii.Error):
        raise RequestError(
            "cursor is not one this API gave; pass next_cursor unchanged", code="INVALID_CURSOR"
        ) from None
    return float(at), round_id


def parse_history_query(player_id: str, request: web.Request) -> HistoryQuery:
    q = request.query
    for name in q:
        if name not in _QUERY:
            raise RequestError(f"unknown query parameter {name!r}; use {', '.join(_QUERY)}")
        if len(q.getall(name)) > 1:
            raise RequestError(f"query parameter {name} given more than once")
    statuses: tuple[str, ...] = ()
    if "status" in q:
        statuses = tuple(s.strip() for s in q["status"].split(","))
        unknown = [s for s in statuses if s not in ROUND_STATUSES]
        if unknown:
            raise RequestError(f"unknown status {unknown[0]!r}; use {', '.join(ROUND_STATUSES)}")
    since = _time("from", q["from"]) if "from" in q else None
    until = _time("to", q["to"]) if "to" in q else None
    if since is not None and until is not None and since >= until:
        raise RequestError("from must be before to")
    return HistoryQuery(
        player_id=player_id,
        game_id=q.get("game_id"),
        since=since,
        until=until,
        statuses=statuses,
        before=decode_cursor(q["cursor"]) if "cursor" in q else None,
        limit=int_query(request, "limit", 100, _LIMIT),
    )


def totals_json(t: Totals) -> dict[str, Any]:
    return {"currency": t.currency, "rounds": t.rounds, "staked": t.staked, "won": t.won, "net": t.net}


@documented(
    RouteDoc(
        "A player's rounds, newest first, with totals per currency over the whole selection (game history)",
        "rounds",
        auth="operator",
        response=HistoryPage,
        errors=("INVALID_REQUEST", "INVALID_CURSOR"),
        query=(
            ("game_id", "only this game"),
            ("from", "created at or after: epoch seconds or ISO 8601 with offset"),
            ("to", "created before: epoch seconds or ISO 8601 with offset"),
            ("status", f"round statuses, comma-separated: {', '.join(ROUND_STATUSES)}"),
            ("limit", "1 to 500 (default 100)", _LIMIT.schema),
            ("cursor", "next_cursor of the previous page"),
        ),
    )
)
async def player_rounds(request: web.Request) -> web.Response:
    player_id = request.match_info["player_id"]
    query = parse_history_query(player_id, request)
    history = request.app[STORE].history
    rounds = await history.page(query)
    totals = await history.totals(query)
    return json_response(
        {
            "player_id": player_id,
            "rounds": [round_json(r, HistoryRound, details_url=None) for r in rounds],
            "next_cursor": encode_cursor(rounds[-1]) if len(rounds) == query.limit else None,
            "totals": [totals_json(t) for t in totals],
        }
    )

"""Settlement as operators see it: rounds by status (``manual`` ones need a human) and a summary report."""

from __future__ import annotations

from aiohttp import web

from simulator.aggregator.round_json import round_json
from simulator.errors import RequestError
from simulator.http import IntRange, RouteDoc, documented, int_query, json_response
from simulator.lifecycle import ROUND_STATUSES, UNSETTLED_ROUND_STATUSES
from simulator.settlement.models import RoundPage, RoundSummary, SettlementReport
from simulator.state import CLOCK, STORE

_LIMIT = IntRange(1, 1000)
_STATUS_HELP = "comma-separated: " + ", ".join(ROUND_STATUSES) + "; or 'unsettled' for every non-final one"


def _statuses(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    out: list[str] = []
    for status in raw.split(","):
        status = status.strip()
        if status == "unsettled":
            out += UNSETTLED_ROUND_STATUSES
        elif status in ROUND_STATUSES:
            out.append(status)
        else:
            raise RequestError(f"unknown round status {status!r}; use {_STATUS_HELP}", code="INVALID_STATUS")
    return sorted(set(out))


@documented(
    RouteDoc(
        "Rounds oldest first, by status: status=manual lists those that need reconciliation by hand",
        "rounds",
        auth="operator",
        response=RoundPage,
        errors=("INVALID_STATUS", "INVALID_REQUEST"),
        query=(
            ("status", _STATUS_HELP),
            ("cursor", "next_cursor of the previous page"),
            ("limit", "1 to 1000", _LIMIT.schema),
        ),
    )
)
async def list_rounds(request: web.Request) -> web.Response:
    statuses = _statuses(request.query.get("status"))
    limit = int_query(request, "limit", 500, _LIMIT)
    rounds = await request.app[STORE].rounds.page(statuses=statuses, after=request.query.get("cursor"), limit=limit)
    next_cursor = rounds[-1].round_id if len(rounds) == limit else None
    return json_response({"rounds": [round_json(r, RoundSummary) for r in rounds], "next_cursor": next_cursor})


@documented(
    RouteDoc(
        "Settlement report: rounds and transactions by status, retries, the oldest pending delivery",
        "admin",
        auth="admin",
        response=SettlementReport,
    )
)
async def settlement_report(request: web.Request) -> web.Response:
    summary = await request.app[STORE].outbox.summary()
    oldest = summary.oldest_pending_at
    return json_response(
        {
            "rounds": summary.rounds,
            "transactions": summary.transactions,
            "retries": summary.retries,
            "pending": summary.pending,
            "oldest_pending_age": None if oldest is None else max(0.0, request.app[CLOCK].now() - oldest),
            "needs_attention": summary.rounds.get("manual", 0),
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/v1/rounds", list_rounds)
    app.router.add_get("/admin/settlement", settlement_report)

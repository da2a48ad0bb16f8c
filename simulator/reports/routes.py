"""Report routes of the operator API: money by group (``/v1/reports/money``), observed RTP (``/v1/reports/rtp``) and
the audit export (``/v1/reports/audit``)."""

from __future__ import annotations

from aiohttp import web

from simulator.errors import RequestError
from simulator.http import IntRange, RouteDoc, documented, enum_schema, int_query, json_response
from simulator.reports.audit import AuditSelection, audit_lines
from simulator.reports.models import MoneyReportOut, RtpReportOut
from simulator.reports.money import money_report
from simulator.reports.query import DIMENSIONS, FILTERS, MAX_LIMIT, ReportQuery
from simulator.reports.rtp import rtp_report
from simulator.state import CATALOG, CLOCK, FAULTS, RATES, REPORTS, STORE

_LIMIT = IntRange(1, MAX_LIMIT)
_RANGE = (
    ("from", "UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH, included"),
    ("to", "UTC date or hour, excluded"),
    *((name, f"only this {name.removesuffix('_id')}") for name in FILTERS),
)


def _query(request: web.Request) -> ReportQuery:
    q = request.query
    return ReportQuery.parse(q.get("group_by"), q.get("from"), q.get("to"), q)


@documented(
    RouteDoc(
        "Bets, wins, rollbacks, every other transaction kind, rounds, GGR and NGR, grouped; one currency per row",
        "reports",
        auth="operator",
        response=MoneyReportOut,
        errors=("INVALID_REQUEST", "UNKNOWN_CURRENCY"),
        query=(
            ("group_by", f"comma-separated: {', '.join(DIMENSIONS)} (currency is always added)"),
            *_RANGE,
            ("convert_to", "ISO currency code: also give the totals converted into it with the rates table"),
            ("cursor", "next_cursor of the previous page"),
            ("limit", f"1 to {MAX_LIMIT}", _LIMIT.schema),
        ),
    )
)
async def money(request: web.Request) -> web.Response:
    query = _query(request)
    limit = int_query(request, "limit", 500, _LIMIT)
    target = request.query.get("convert_to")
    report = await money_report(
        request.app[STORE].db,
        request.app[REPORTS],
        query,
        cursor=request.query.get("cursor"),
        limit=limit,
        convert=None if target is None else (request.app[RATES], target),
    )
    return json_response(report.as_json())


_CONFIDENCE = {"0.95": 0.95, "0.99": 0.99, "0.999": 0.999, "0.9999": 0.9999}


@documented(
    RouteDoc(
        "Observed RTP of each game and currency against its declared RTP, with the confidence band and a flag",
        "reports",
        auth="operator",
        response=RtpReportOut,
        errors=("INVALID_REQUEST",),
        query=(*_RANGE, ("confidence", "0.95, 0.99, 0.999 (default) or 0.9999", enum_schema(_CONFIDENCE))),
    )
)
async def rtp(request: web.Request) -> web.Response:
    query = _query(request)
    raw = request.query.get("confidence", "0.999")
    if raw not in _CONFIDENCE:
        raise RequestError(f"confidence must be one of {', '.join(_CONFIDENCE)}")
    lines = await rtp_report(request.app[STORE].db, request.app[CATALOG], query, confidence=_CONFIDENCE[raw])
    return json_response(
        {
            "confidence": _CONFIDENCE[raw],
            "games": [line.as_json() for line in lines],
            "flagged": sum(line.status == "outside" for line in lines),
        }
    )


@documented(
    RouteDoc(
        "Audit export as JSON Lines: rounds with outcomes and fairness proofs, their transactions and wallet exchanges",
        "reports",
        auth="operator",
        content_type="application/x-ndjson",
        errors=("INVALID_REQUEST",),
        query=(
            ("round_id", "one round"),
            ("player_id", "a player's rounds (within from and to when given)"),
            ("from", "UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH, included"),
            ("to", "UTC date or hour, excluded"),
        ),
    )
)
async def audit(request: web.Request) -> web.StreamResponse:
    q = request.query
    selection = AuditSelection.parse(q.get("round_id"), q.get("player_id"), q.get("from"), q.get("to"))
    app = request.app
    lines = [
        line
        async for line in audit_lines(app[STORE], selection, journal=app[FAULTS].journal, generated_at=app[CLOCK].now())
    ]
    return web.Response(
        text="".join(line + "\n" for line in lines),
        content_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/v1/reports/money", money)
    app.router.add_get("/v1/reports/rtp", rtp)
    app.router.add_get("/v1/reports/audit", audit)

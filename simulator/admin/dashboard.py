"""``/admin/``: the live dashboard for QA and load testers, and the small JSON it reads besides ``/metrics``.

The page itself holds no data, so it is served to anyone; it asks for the admin token once (kept in the tab's
``sessionStorage``, or taken from the ``#token=`` fragment, which never reaches a server or a log) and sends it as
``Authorization: Bearer`` on every call. ``/admin/api/overview`` answers from indexes only (the status index of
rounds, the pending index of transactions) and the in-memory journal, so polling it every few seconds during a load
test costs little.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from simulator.http import RouteDoc, documented, json_response, read_model
from simulator.lifecycle import RoundStatus
from simulator.play.assets import page
from simulator.reports.query import ReportQuery
from simulator.reports.rtp import rtp_report
from simulator.state import CATALOG, CLOCK, FAULTS, ROUND_LINKS, STORE

RECENT = 15
"""Rounds and journal entries the overview lists."""

_UNFINISHED = (RoundStatus.OPEN, RoundStatus.ACTING)


class FaultSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool


@documented(
    RouteDoc(
        "The live dashboard page (its data calls need the admin token)", "admin", content_type="text/html", auth="none"
    )
)
async def dashboard_page(request: web.Request) -> web.Response:
    return page("dashboard.html")


async def _rounds(request: web.Request) -> tuple[dict[str, int], list[dict[str, Any]]]:
    links = request.app[ROUND_LINKS]
    counts: dict[str, int] = {}
    recent: list[dict[str, Any]] = []
    async with request.app[STORE].db.transaction() as tx:
        for status in RoundStatus:  # one index range per status: no scan of the whole table
            row = await tx.fetchone("SELECT COUNT(*) AS n FROM rounds WHERE status = ?", str(status))
            counts[status] = int(row["n"]) if row is not None else 0
            rows = await tx.fetchall(
                "SELECT round_id, game_id, studio_id, engine_id, player_id, currency, stake, win, status, created_at"
                " FROM rounds WHERE status = ? ORDER BY created_at DESC LIMIT ?",
                str(status),
                RECENT,
            )
            recent += [dict(r) for r in rows]
    recent.sort(key=lambda r: r["created_at"], reverse=True)
    for r in recent[:RECENT]:
        r["details_url"] = links.path(r["round_id"])
    return counts, recent[:RECENT]


async def _queue(request: web.Request) -> dict[str, int]:
    """Pending wallet operations: ``pending`` not yet answered, ``retrying`` after at least one failed attempt."""
    async with request.app[STORE].db.transaction() as tx:
        rows = await tx.fetchall(
            "SELECT CASE WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END AS state, COUNT(*) AS n"
            " FROM transactions WHERE status = 'pending' GROUP BY 1"
        )
    queue = {"pending": 0, "retrying": 0}
    queue |= {str(r["state"]): int(r["n"]) for r in rows}
    return queue


def _exchange(entry: dict[str, Any]) -> dict[str, Any]:
    """A journal entry without headers and bodies: what a table row shows."""
    request, response = entry["request"], entry["response"]
    return {
        "seq": entry["seq"],
        "side": entry["side"],
        "operation": entry["operation"],
        "method": request["method"],
        "path": request["path"],
        "status": None if response is None else response["status"],
        "outcome": entry["outcome"],
        "elapsed": entry.get("elapsed"),
        "faults": entry["faults"],
        "round": entry["ids"].get("round"),
    }


@documented(RouteDoc("What the dashboard shows besides /metrics: rounds, settlement queue, faults, journal", "admin"))
async def overview(request: web.Request) -> web.Response:
    counts, recent = await _rounds(request)
    queue = await _queue(request) | {"manual": counts[RoundStatus.MANUAL]}
    faults = request.app[FAULTS]
    journal = [_exchange(entry) for entry in reversed(faults.journal.query(limit=RECENT))]
    return json_response(
        {
            "time": request.app[CLOCK].now(),
            "rounds": counts,
            "open_rounds": sum(counts[s] for s in _UNFINISHED),
            "settlement": queue,
            "recent_rounds": recent,
            "faults": [rule.to_json() for rule in faults.rules],
            "journal": journal,
        }
    )


@documented(
    RouteDoc(
        "The RTP monitor: each game's observed RTP against its declared RTP and band, the games outside it first",
        "admin",
    )
)
async def rtp_monitor(request: web.Request) -> web.Response:
    lines = await rtp_report(request.app[STORE].db, request.app[CATALOG], ReportQuery())
    order = {"outside": 0, "ok": 1, "too_few_rounds": 2}
    lines.sort(key=lambda line: (order.get(line.status, 3), -line.rounds))
    return json_response({"games": [line.as_json() for line in lines]})


@documented(
    RouteDoc(
        "Turn one fault rule on or off (its counters start again)",
        "admin",
        request=FaultSwitch,
        errors=("UNKNOWN_FAULT", "INVALID_REQUEST", "INVALID_JSON"),
    )
)
async def switch_fault(request: web.Request) -> web.Response:
    body = await read_model(request, FaultSwitch)
    rules = request.app[FAULTS].rules
    rule_id = request.match_info["rule_id"]
    current = rules.get(rule_id).rule
    return json_response(rules.replace(rule_id, current.model_copy(update={"enabled": body.enabled})).to_json())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/", dashboard_page)
    app.router.add_get("/admin/api/overview", overview)
    app.router.add_get("/admin/api/rtp", rtp_monitor)
    app.router.add_post("/admin/api/faults/{rule_id}/enabled", switch_fault)

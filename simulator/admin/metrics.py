"""``/metrics``: the app's counters (``app[METRICS]``, counted into by the fault middleware and the wallet hook)
and gauges measured when scraped: rounds and transactions in the store by status, exchanges in the journal."""

from __future__ import annotations

from aiohttp import web

from simulator.http import RouteDoc, documented
from simulator.metrics import Labels
from simulator.state import FAULTS, METRICS, STORE

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def _gauges(request: web.Request) -> list[tuple[str, Labels, float]]:
    gauges: list[tuple[str, Labels, float]] = []
    async with request.app[STORE].db.transaction() as tx:
        for row in await tx.fetchall("SELECT status, COUNT(*) AS n FROM rounds GROUP BY status"):
            gauges.append(("casino_sim_rounds", (("status", str(row["status"])),), int(row["n"])))
        for row in await tx.fetchall("SELECT kind, status, COUNT(*) AS n FROM transactions GROUP BY kind, status"):
            labels = (("kind", str(row["kind"])), ("status", str(row["status"])))
            gauges.append(("casino_sim_transactions", labels, int(row["n"])))
    gauges.append(("casino_sim_journal_entries", (), len(request.app[FAULTS].journal)))
    return gauges


@documented(RouteDoc("Counters and gauges in the Prometheus text format", "admin", content_type="text/plain"))
async def metrics(request: web.Request) -> web.Response:
    text = request.app[METRICS].render(await _gauges(request))
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)

"""``/metrics``: the app's counters and histograms (``app[METRICS]``: the fault middleware, the wallet hook, the
round routes and the settler count into them; every worker's, in multiprocess mode) and gauges measured when
scraped: rounds and transactions in the store by status, the settlement queue, exchanges in the journal."""

from __future__ import annotations

from aiohttp import web

from simulator.http import RouteDoc, documented
from simulator.lifecycle import TransactionKind, TransactionStatus
from simulator.metrics import Gauge
from simulator.state import FAULTS, METRICS, STORE

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def _gauges(request: web.Request) -> list[Gauge]:
    gauges: list[Gauge] = []
    queue: dict[str, int] = {TransactionKind.WIN: 0, TransactionKind.ROLLBACK: 0}
    async with request.app[STORE].db.transaction() as tx:
        for row in await tx.fetchall("SELECT status, COUNT(*) AS n FROM rounds GROUP BY status"):
            gauges.append(("casino_sim_rounds", (("status", str(row["status"])),), int(row["n"])))
        for row in await tx.fetchall("SELECT kind, status, COUNT(*) AS n FROM transactions GROUP BY kind, status"):
            kind, status, n = str(row["kind"]), str(row["status"]), int(row["n"])
            gauges.append(("casino_sim_transactions", (("kind", kind), ("status", status)), n))
            if status == TransactionStatus.PENDING and kind in queue:
                queue[kind] += n
    gauges += [("casino_sim_settlement_queue", (("kind", kind),), n) for kind, n in queue.items()]
    gauges.append(("casino_sim_journal_entries", (), len(request.app[FAULTS].journal)))
    return gauges


@documented(
    RouteDoc("Counters, histograms and gauges in the Prometheus text format", "admin", content_type="text/plain")
)
async def metrics(request: web.Request) -> web.Response:
    text = request.app[METRICS].render(await _gauges(request))
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)

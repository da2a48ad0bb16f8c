"""Health and the API description."""

from __future__ import annotations

from aiohttp import web

from simulator.http import RouteDoc, documented, json_response
from simulator.openapi import build_openapi
from simulator.state import OPENAPI, STORE


@documented(RouteDoc("Liveness and readiness: the store answers", "admin", auth="none"))
async def healthz(request: web.Request) -> web.Response:
    async with request.app[STORE].db.transaction() as tx:
        await tx.fetchone("SELECT 1 AS ok")
    return json_response({"status": "ok"})


@documented(RouteDoc("This document", "admin", auth="none"))
async def openapi(request: web.Request) -> web.Response:
    return json_response(request.app[OPENAPI])


async def _build_openapi(app: web.Application) -> None:
    from simulator import __version__

    app[OPENAPI], _ = build_openapi(app, title="casino-provider-simulator", version=__version__)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/openapi.json", openapi)
    app.on_startup.append(_build_openapi)

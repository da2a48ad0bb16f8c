"""The live tables' part of the application: their store, the tables, this process's sockets and the bus between
processes (PostgreSQL LISTEN/NOTIFY when the store is PostgreSQL, in-process otherwise), opened after the services
and closed before them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from simulator.live.bus import Bus, LocalBus, PostgresBus
from simulator.live.hub import Hub
from simulator.live.store import LiveStore
from simulator.live.tables import LiveTables, Timing
from simulator.state import CATALOG, CLOCK, IDS, LIVE, LIVE_HUB, LIVE_LOOPS, SETTINGS, SETTLER, STORE, WORKER


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, store = app[SETTINGS], app[STORE]
    live = LiveStore(store.db, store.history)
    await live.migrate()
    worker = app[WORKER]
    lease = 2 * settings.wallet_timeout + 5  # as the round service's: the worker takes a send over after it
    timing = Timing(
        settings.live_betting_seconds, settings.live_draw_seconds, settings.live_pause_seconds, settings.live_lease
    )
    tables = LiveTables(
        store,
        live,
        app[CATALOG],
        app[SETTLER],
        worker,
        app[CLOCK],
        app[IDS],
        owner=app[IDS].uuid(),
        timing=timing,
        settlement_lease=lease,
        loops=app[LIVE_LOOPS],
    )
    hub = Hub(tables)
    bus: Bus
    if store.db.dialect == "postgresql":
        bus = await PostgresBus.connect(settings.effective_database_url, hub.handle)
    else:
        bus = LocalBus(hub.handle)
    tables.bus = hub.bus = bus
    app[LIVE], app[LIVE_HUB] = tables, hub
    for table_id in await live.tables_in_play():
        if table_id in app[CATALOG].games:
            tables.start(table_id)
    yield
    await tables.stop()
    await hub.close_all()
    await bus.close()

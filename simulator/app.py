"""Application assembly: ``create_app(settings)`` builds the simulator (and, by default, the reference
wallet under ``/wallet``) with every long-lived resource opened and closed in ``cleanup_ctx``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from simulator.admin import dashboard as dashboard_routes
from simulator.admin import faults as fault_routes
from simulator.admin import metrics as metrics_routes
from simulator.admin import routes as admin_routes
from simulator.aggregator import routes as aggregator_routes
from simulator.auth.keys import load_auth_keys
from simulator.auth.middleware import request_guards
from simulator.auth.nonces import NonceStore
from simulator.bonus import routes as bonus_routes
from simulator.catalog import build_catalog
from simulator.catalog import routes as catalog_routes
from simulator.clock import Clock, SystemClock
from simulator.compat import groove as groove_api
from simulator.compat import groove_frb, hub88_freebets
from simulator.compat import hub88 as hub88_api
from simulator.dialects import config as dialect_config
from simulator.dialects.protocol import WalletDialects
from simulator.faults.outbound import Sleep
from simulator.faults.runtime import FaultRuntime
from simulator.http import error_middleware
from simulator.ids import Ids, RandomIds, SeededIds
from simulator.live import setup as live_setup
from simulator.live import socket as live_socket
from simulator.metrics import Metrics
from simulator.play import assets as asset_routes
from simulator.play import details as details_routes
from simulator.play import routes as play_routes
from simulator.play.links import RoundLinks
from simulator.rates import load_rates
from simulator.reports import routes as report_routes
from simulator.reports.buckets import Buckets
from simulator.services import build_services
from simulator.settings import Settings
from simulator.settlement import routes as settlement_routes
from simulator.state import (
    AUTH,
    CAMPAIGNS,
    CATALOG,
    CLOCK,
    CREDENTIALS,
    DEMO,
    ENDPOINTS,
    EPOCH,
    FAULTS,
    IDS,
    LIVE_LOOPS,
    MARKETS,
    METRICS,
    NONCES,
    OWN_IDS,
    PROMOTIONS,
    RATES,
    REPORTS,
    ROUND_LINKS,
    ROUNDS,
    SETTINGS,
    SETTLER,
    STORE,
    WALLETS,
    WEBHOOKS,
    WORKER,
    WORKER_ENABLED,
)
from simulator.store.database import open_database
from simulator.store.epochs import next_epoch
from simulator.store.provider import ProviderStore
from simulator.wallet.app import create_wallet_app
from simulator.webhooks import routes as webhook_routes


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    db = await open_database(app[SETTINGS].effective_database_url)
    store = ProviderStore(db)
    await store.migrate()
    app[STORE] = store
    buckets = Buckets(db)
    await buckets.migrate()
    app[REPORTS] = buckets
    app[EPOCH] = await next_epoch(db, "simulator", app[CLOCK].now()) if app[SETTINGS].deterministic else 0
    ids = app[IDS]
    if app[OWN_IDS] and isinstance(ids, SeededIds):
        ids.begin_epoch(app[EPOCH])
    if app[SETTINGS].auth:
        nonces = NonceStore(db, app[CLOCK], capacity=app[SETTINGS].nonce_capacity)
        await nonces.migrate()
        app[NONCES] = nonces
    yield
    await store.close()


async def _services_ctx(app: web.Application) -> AsyncIterator[None]:
    faults = app[FAULTS]
    services = await build_services(
        app[SETTINGS],
        store=app[STORE],
        catalog=app[CATALOG],
        endpoints=app[ENDPOINTS],
        clock=app[CLOCK],
        ids=app[IDS],
        epoch=app[EPOCH],
        hook=faults.hook,
        metrics=app[METRICS],
        webhook_hook=faults.webhooks,
    )
    app[WALLETS] = services.wallets
    app[DEMO] = services.demo
    app[WORKER] = services.worker
    app[SETTLER] = services.settler
    app[ROUNDS] = services.rounds
    app[WEBHOOKS] = services.webhooks
    app[CAMPAIGNS] = services.campaigns
    app[PROMOTIONS] = services.promotions
    app[MARKETS] = services.markets
    task = asyncio.create_task(services.worker.run()) if app[WORKER_ENABLED] else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await faults.hook.flush()
    await services.close()


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: Ids | None = None,
    settlement_worker: bool = True,
    sleep: Sleep | None = None,
    live_loops: bool = True,
) -> web.Application:
    """The simulator app. ``clock``, ``ids`` and ``sleep`` (fault delays) are the test seams;
    ``settlement_worker=False`` leaves retries to explicit ``app[WORKER].run_once()`` calls; ``live_loops=False``
    leaves live tables' clocks to explicit ``app[LIVE].tick(table_id)`` calls. With ``settings.auth``
    (the default) every route is guarded as its ``RouteDoc.auth`` says, the embedded wallet's routes included."""
    clock = clock or SystemClock()
    own_ids = ids is None and settings.deterministic
    if ids is None:
        ids = SeededIds(settings.seed) if settings.deterministic else RandomIds()
    wallet_ids: Ids = SeededIds(settings.seed, "wallet") if settings.deterministic else RandomIds()
    creds = dialect_config.credentials_for(settings)
    dialect_config.ensure_dev_keys(settings)
    endpoints = dialect_config.resolve(settings, creds)
    secrets = [creds.wallet_secret, *(e.secret.decode(errors="replace") for e in endpoints.values())]
    keys = load_auth_keys(settings) if settings.auth else None
    if keys is not None:
        secrets += keys.secrets()
    metrics = Metrics()  # the app's counters: the fault middleware and the wallet hook count into them
    faults = FaultRuntime.create(settings, clock=clock, sleep=sleep, secrets=secrets, metrics=metrics)
    guards = request_guards(settings, clock=clock, keys=keys, nonces=lambda _request: app[NONCES])
    middlewares = [faults.middleware, error_middleware, *guards]
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_body_bytes)
    app[FAULTS] = faults
    app[METRICS] = metrics
    if keys is not None:
        app[AUTH] = keys
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[IDS] = ids
    app[CREDENTIALS] = creds
    app[WORKER_ENABLED] = settlement_worker
    app[LIVE_LOOPS] = live_loops
    app[OWN_IDS] = own_ids
    app[ENDPOINTS] = endpoints
    app[RATES] = load_rates(settings.rates_file)
    app[CATALOG] = build_catalog(settings.seed, app[RATES], settings.studio_dialects)
    app[ROUND_LINKS] = RoundLinks.for_server(
        keys.admin_token if keys else None,
        settings.base_url,
        seed=settings.seed if settings.deterministic else None,
    )
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(catalog_routes.catalog_ctx)
    app.cleanup_ctx.append(_services_ctx)
    app.cleanup_ctx.append(live_setup.live_ctx)
    catalog_routes.add_routes(app)
    aggregator_routes.add_routes(app)
    bonus_routes.add_routes(app)
    hub88 = hub88_api.Hub88OperatorApi.from_settings(settings)
    hub88_api.add_routes(app, hub88)
    hub88_freebets.add_routes(app, hub88)
    groove_api.add_routes(app)
    groove_frb.add_routes(app, groove_frb.GrooveFrb.from_settings(settings, app[RATES]))
    play_routes.add_routes(app)
    live_socket.add_routes(app)
    details_routes.add_routes(app)
    asset_routes.add_routes(app)
    dashboard_routes.add_routes(app)
    admin_routes.add_routes(app)
    settlement_routes.add_routes(app)
    report_routes.add_routes(app)
    webhook_routes.add_routes(app)
    fault_routes.add_routes(app)
    metrics_routes.add_routes(app)
    if settings.embedded_wallet:
        wallet_keys = {creds.wallet_key_id: creds.wallet_secret.encode()}
        dialects = WalletDialects(endpoints)
        wallet = create_wallet_app(
            settings, clock=clock, ids=wallet_ids, keys=wallet_keys, dialects=dialects, embedded=True
        )
        app.add_subapp("/wallet", wallet)
    return app

"""Application assembly: ``create_app(settings)`` builds the simulator (and, by default, the reference
wallet under ``/wallet``) with every long-lived resource opened and closed in ``cleanup_ctx``."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

from aiohttp import web

from simulator.admin import faults as fault_routes
from simulator.admin import routes as admin_routes
from simulator.aggregator import routes as aggregator_routes
from simulator.auth.keys import AuthKeys, load_auth_keys
from simulator.auth.middleware import request_guards
from simulator.auth.nonces import NonceStore
from simulator.catalog import build_catalog
from simulator.catalog import routes as catalog_routes
from simulator.clock import Clock, SystemClock
from simulator.credentials import Credentials
from simulator.dialects import config as dialect_config
from simulator.dialects.protocol import WalletDialects
from simulator.dialects.registry import make_dialect
from simulator.faults.outbound import SkewClock, Sleep
from simulator.faults.runtime import FAULTS, FaultRuntime
from simulator.http import error_middleware
from simulator.ids import Ids, RandomIds, SeededIds
from simulator.play import routes as play_routes
from simulator.play.demo import DEMO, DemoWallet, StudioWallet
from simulator.play.rounds import RoundService
from simulator.settings import Settings
from simulator.settlement import routes as settlement_routes
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.state import CATALOG, CLOCK, IDS, ROUNDS, SETTINGS, STORE, WALLETS, WORKER
from simulator.store.database import open_database
from simulator.store.epochs import next_epoch
from simulator.store.provider import ProviderStore
from simulator.wallet.app import create_wallet_app
from simulator.wallet_client.client import WalletClient, wallet_ssl_context
from simulator.wallet_client.transport import WalletTransport

CREDENTIALS = web.AppKey("credentials", Credentials)
AUTH = web.AppKey("auth", AuthKeys)
NONCES = web.AppKey("nonces", NonceStore)
WORKER_ENABLED = web.AppKey("worker_enabled", bool)
EPOCH = web.AppKey("epoch", int)
OWN_IDS = web.AppKey("own_ids", bool)  # deterministic ids made here, to be moved past earlier starts
ENDPOINTS = web.AppKey("wallet_endpoints", dict[str, dialect_config.DialectEndpoint])

credentials_for = dialect_config.credentials_for


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    db = await open_database(app[SETTINGS].effective_database_url)
    store = ProviderStore(db)
    await store.migrate()
    app[STORE] = store
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
    settings, clock, ids, store = app[SETTINGS], app[CLOCK], app[IDS], app[STORE]
    faults = app[FAULTS]
    transport = WalletTransport(settings.wallet_pool_size, tls=wallet_ssl_context(settings))
    demo = DemoWallet(store.db, clock)
    await demo.migrate()
    signing_clock = SkewClock(clock)  # a fault rule can sign one call with a clock that is off
    request_ids = None
    if settings.deterministic:
        seeded = SeededIds(settings.seed, "request")
        seeded.begin_epoch(app[EPOCH])
        request_ids = seeded.uuid
    clients = {
        name: StudioWallet(
            transport,
            make_dialect(endpoint, signing_clock, request_ids=request_ids),
            timeout=settings.wallet_timeout,
            demo=demo,
        )
        for name, endpoint in app[ENDPOINTS].items()
    }
    for client in clients.values():
        client.hook = faults.hook
    catalog = app[CATALOG]

    def wallet_for(studio_id: str) -> WalletClient:
        """The client of the studio's wallet dialect (all share one pooled transport)."""
        return clients[catalog.studio(studio_id).dialect]

    settler = Settler(
        store,
        wallet_for,
        clock,
        random.Random(settings.seed),
        base_delay=settings.retry_base_delay,
        max_delay=settings.retry_max_delay,
        max_age=settings.retry_max_age,
    )
    lease = 2 * settings.wallet_timeout + 5
    worker = SettlementWorker(store, settler, clock, ids, orphan_age=lease)
    app[WALLETS] = wallet_for
    app[DEMO] = demo
    app[WORKER] = worker
    app[ROUNDS] = RoundService(store, app[CATALOG], settler, worker, wallet_for, clock, ids, lease=lease)
    task = asyncio.create_task(worker.run()) if app[WORKER_ENABLED] else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await faults.hook.flush()
    await transport.close()


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: Ids | None = None,
    settlement_worker: bool = True,
    sleep: Sleep | None = None,
) -> web.Application:
    """The simulator app. ``clock``, ``ids`` and ``sleep`` (fault delays) are the test seams;
    ``settlement_worker=False`` leaves retries to explicit ``app[WORKER].run_once()`` calls. With ``settings.auth``
    (the default) every route is guarded as its ``RouteDoc.auth`` says, the embedded wallet's routes included."""
    clock = clock or SystemClock()
    own_ids = ids is None and settings.deterministic
    if ids is None:
        ids = SeededIds(settings.seed) if settings.deterministic else RandomIds()
    wallet_ids: Ids = SeededIds(settings.seed, "wallet") if settings.deterministic else RandomIds()
    creds = credentials_for(settings)
    dialect_config.ensure_dev_keys(settings)
    endpoints = dialect_config.resolve(settings, creds)
    secrets = [creds.wallet_secret, *(e.secret.decode(errors="replace") for e in endpoints.values())]
    keys = load_auth_keys(settings) if settings.auth else None
    if keys is not None:
        secrets += keys.secrets()
    faults = FaultRuntime.create(settings, clock=clock, sleep=sleep, secrets=secrets)
    guards = request_guards(settings, clock=clock, keys=keys, nonces=lambda _request: app[NONCES])
    middlewares = [faults.middleware, error_middleware, *guards]
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_body_bytes)
    app[FAULTS] = faults
    if keys is not None:
        app[AUTH] = keys
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[IDS] = ids
    app[CREDENTIALS] = creds
    app[WORKER_ENABLED] = settlement_worker
    app[OWN_IDS] = own_ids
    app[ENDPOINTS] = endpoints
    app[CATALOG] = build_catalog(settings.seed)
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(catalog_routes.catalog_ctx)
    app.cleanup_ctx.append(_services_ctx)
    catalog_routes.add_routes(app)
    aggregator_routes.add_routes(app)
    play_routes.add_routes(app)
    admin_routes.add_routes(app)
    settlement_routes.add_routes(app)
    fault_routes.add_routes(app)
    if settings.embedded_wallet:
        wallet_keys = {creds.wallet_key_id: creds.wallet_secret.encode()}
        dialects = WalletDialects(endpoints)
        wallet = create_wallet_app(
            settings, clock=clock, ids=wallet_ids, keys=wallet_keys, dialects=dialects, embedded=True
        )
        app.add_subapp("/wallet", wallet)
    return app

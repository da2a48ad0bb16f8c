"""Every ``web.AppKey`` of the simulator and of the reference wallet, in one place.

A key names one long-lived object an application holds; route modules read the objects through these keys, and
``simulator.app`` (the simulator) and ``simulator.wallet.app`` (the reference wallet) put them there. The types are
imported for the type checker only, so this module depends on nothing of the simulator and any module may import it
without pulling in the services it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from simulator.auth.keys import AuthKeys
    from simulator.auth.nonces import NonceStore
    from simulator.bonus.campaigns import CampaignService
    from simulator.bonus.promotions import PromotionService
    from simulator.catalog.changes import CatalogSync
    from simulator.catalog.models import Catalog
    from simulator.clock import Clock
    from simulator.credentials import Credentials
    from simulator.demo import DemoWallet
    from simulator.dialects.protocol import DialectEndpoint
    from simulator.faults.runtime import FaultRuntime
    from simulator.ids import Ids
    from simulator.live.hub import Hub
    from simulator.live.tables import LiveTables
    from simulator.markets.gate import MarketGate
    from simulator.metrics import Metrics
    from simulator.play.links import RoundLinks
    from simulator.play.rounds import RoundService
    from simulator.rates import Rates
    from simulator.reports.buckets import Buckets
    from simulator.settings import Settings
    from simulator.settlement.settler import Settler
    from simulator.settlement.worker import SettlementWorker
    from simulator.store.provider import ProviderStore
    from simulator.wallet.ledger import Ledger
    from simulator.wallet.sandbox import Sandbox
    from simulator.wallet_client.client import WalletClient
    from simulator.webhooks.publisher import WebhookPublisher

# the simulator: what it is given
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
IDS: web.AppKey[Ids] = web.AppKey("ids")
OWN_IDS: web.AppKey[bool] = web.AppKey("own_ids")  # deterministic ids made here, to be moved past earlier starts
WORKER_ENABLED: web.AppKey[bool] = web.AppKey("worker_enabled")
CREDENTIALS: web.AppKey[Credentials] = web.AppKey("credentials")
AUTH: web.AppKey[AuthKeys] = web.AppKey("auth")
ENDPOINTS: web.AppKey[dict[str, DialectEndpoint]] = web.AppKey("wallet_endpoints")

# the simulator: what it builds at start-up (simulator.app, simulator.services)
CATALOG: web.AppKey[Catalog] = web.AppKey("catalog")
RATES: web.AppKey[Rates] = web.AppKey("rates")  # the exchange rates table (rates_file or the built-in one)
CATALOG_SYNC: web.AppKey[CatalogSync] = web.AppKey("catalog_sync")
STORE: web.AppKey[ProviderStore] = web.AppKey("store")
REPORTS: web.AppKey[Buckets] = web.AppKey("report_buckets")
EPOCH: web.AppKey[int] = web.AppKey("epoch")
NONCES: web.AppKey[NonceStore] = web.AppKey("nonces")
WALLETS: web.AppKey[Callable[[str], WalletClient]] = web.AppKey("wallets")
DEMO: web.AppKey[DemoWallet] = web.AppKey("demo_wallet")
WORKER: web.AppKey[SettlementWorker] = web.AppKey("worker")
SETTLER: web.AppKey[Settler] = web.AppKey("settler")
ROUNDS: web.AppKey[RoundService] = web.AppKey("rounds")
WEBHOOKS: web.AppKey[WebhookPublisher] = web.AppKey("webhooks")  # publish(event_type, data, now) for any feature
CAMPAIGNS: web.AppKey[CampaignService] = web.AppKey("campaigns")
PROMOTIONS: web.AppKey[PromotionService] = web.AppKey("promotions")
MARKETS: web.AppKey[MarketGate] = web.AppKey("markets")
LIVE: web.AppKey[LiveTables] = web.AppKey("live_tables")
LIVE_HUB: web.AppKey[Hub] = web.AppKey("live_hub")
LIVE_LOOPS: web.AppKey[bool] = web.AppKey("live_loops")  # tables run their own clocks (tests tick them instead)
ROUND_LINKS: web.AppKey[RoundLinks] = web.AppKey("round_links")  # signs shareable round-details URLs
FAULTS: web.AppKey[FaultRuntime] = web.AppKey("faults")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
OPENAPI: web.AppKey[dict[str, Any]] = web.AppKey("openapi")

# the reference wallet (simulator.wallet.app)
LEDGER: web.AppKey[Ledger] = web.AppKey("ledger")
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox")

"""The simulator's services, built once per start from what the app was given and the store it opened: one pooled
wallet transport, a wallet client per dialect (demo calls answered at home, every call through the fault hook), the
settler, the settlement worker, the round service, and the campaign and promotion services. Everything each one needs
is passed to its constructor; ``simulator.app`` puts the results under their keys and closes them on stop."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from simulator.bonus.campaigns import CampaignService
from simulator.bonus.jackpots import JackpotBook
from simulator.bonus.promotions import PromotionService
from simulator.catalog.models import Catalog
from simulator.clock import Clock
from simulator.demo import DemoWallet, StudioWallet
from simulator.dialects.protocol import DialectEndpoint
from simulator.dialects.registry import make_dialect
from simulator.faults.outbound import SkewClock
from simulator.ids import Ids, SeededIds
from simulator.markets.gate import MarketGate
from simulator.markets.profiles import load_profiles
from simulator.markets.store import MarketStore
from simulator.metrics import Metrics
from simulator.play.rounds import RoundService
from simulator.rates import load_rates
from simulator.reports.buckets import Buckets
from simulator.settings import Settings
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.provider import ProviderStore
from simulator.wallet_client.client import WalletClient, WalletHook, wallet_ssl_context
from simulator.wallet_client.transport import WalletTransport
from simulator.webhooks.delivery import DeliveryHook, WebhookDeliverer
from simulator.webhooks.publisher import WebhookPublisher
from simulator.webhooks.registry import WebhookRegistry


@dataclass(frozen=True, eq=False)
class Services:
    wallets: Callable[[str], WalletClient]  # studio id -> the client of its wallet dialect
    demo: DemoWallet
    settler: Settler
    worker: SettlementWorker
    rounds: RoundService
    campaigns: CampaignService
    promotions: PromotionService
    markets: MarketGate
    transport: WalletTransport
    webhooks: WebhookPublisher
    deliverer: WebhookDeliverer
    buckets: Buckets

    async def close(self) -> None:
        await self.transport.close()
        await self.deliverer.close()


async def build_services(
    settings: Settings,
    *,
    store: ProviderStore,
    catalog: Catalog,
    endpoints: dict[str, DialectEndpoint],
    clock: Clock,
    ids: Ids,
    epoch: int,
    hook: WalletHook | None,
    metrics: Metrics | None = None,
    webhook_hook: DeliveryHook | None = None,
) -> Services:
    """``epoch`` moves deterministic request ids past the ones of earlier starts on the same database; ``hook``
    wraps every real wallet call (fault injection, journal, counters); ``metrics`` counts the settler's retries;
    ``webhook_hook`` wraps every webhook delivery attempt (fault injection, journal)."""
    transport = WalletTransport(settings.wallet_pool_size, tls=wallet_ssl_context(settings))
    demo = DemoWallet(store.db, clock)
    await demo.migrate()
    market_store = MarketStore(store.db)
    await market_store.migrate()
    markets = MarketGate(
        market_store, load_profiles(settings.market_profiles_dir), load_rates(settings.rates_file), clock
    )
    signing_clock = SkewClock(clock)  # a fault rule can sign one call with a clock that is off
    request_ids = None
    if settings.deterministic:
        seeded = SeededIds(settings.seed, "request")
        seeded.begin_epoch(epoch)
        request_ids = seeded.uuid
    clients = {
        name: StudioWallet(
            transport,
            make_dialect(endpoint, signing_clock, request_ids=request_ids),
            timeout=settings.wallet_timeout,
            demo=demo,
            hook=hook,
        )
        for name, endpoint in endpoints.items()
    }

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
        on_retry=None if metrics is None else metrics.settlement_retry,
    )
    lease = 2 * settings.wallet_timeout + 5
    hooks = WebhookRegistry(store.db, settings.webhooks)
    await hooks.migrate()
    await hooks.load(clock.now())
    publisher = WebhookPublisher(store.db, hooks, ids)

    jackpots = JackpotBook(catalog, lease=lease)

    # until an endpoint exists, nothing writes events: settling a round, closing a campaign share or a session, or
    # winning a jackpot cost nothing more
    def publish_events() -> None:
        store.outbox.subscribe(publisher.on_settled)
        store.campaigns.subscribe(publisher.on_share_closed)
        market_store.subscribe(publisher.on_session_closed)
        store.sessions.subscribe(publisher.on_session_closed)
        jackpots.subscribe(publisher.on_jackpot_won)

    hooks.on_first_endpoint(publish_events)
    deliverer = WebhookDeliverer(
        store.events,
        hooks,
        clock,
        random.Random(settings.seed + 1),
        timeout=settings.wallet_timeout,
        base_delay=settings.retry_base_delay,
        max_delay=settings.retry_max_delay,
        max_age=settings.retry_max_age,
        lease=lease,
        hook=webhook_hook,
    )
    buckets = Buckets(store.db)
    await buckets.migrate()
    # the reports' totals are folded in the background, at most 50,000 log rows a minute, so a report rarely waits
    # for a fold and the worker never stalls on one
    worker = SettlementWorker(
        store,
        settler,
        clock,
        ids,
        orphan_age=lease,
        webhooks=deliverer,
        chores=lambda: buckets.fold(chunk=50_000, most=1),
    )
    store.outbox.on_bet_taken(jackpots.bet_taken)
    rounds = RoundService(store, catalog, settler, worker, wallet_for, clock, ids, lease=lease, markets=markets)
    campaigns = CampaignService(store.campaigns, catalog, clock, ids)
    promotions = PromotionService(store, catalog, settler, worker, clock, lease=lease)
    return Services(
        wallet_for,
        demo,
        settler,
        worker,
        rounds,
        campaigns,
        promotions,
        markets,
        transport,
        publisher,
        deliverer,
        buckets,
    )

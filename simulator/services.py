"""The simulator's services, built once per start from what the app was given and the store it opened: one pooled
wallet transport, a wallet client per dialect (demo calls answered at home, every call through the fault hook), the
settler, the settlement worker and the round service. Everything each one needs is passed to its constructor;
``simulator.app`` puts the results under their keys and closes them on stop."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from simulator.catalog.models import Catalog
from simulator.clock import Clock
from simulator.demo import DemoWallet, StudioWallet
from simulator.dialects.protocol import DialectEndpoint
from simulator.dialects.registry import make_dialect
from simulator.faults.outbound import SkewClock
from simulator.ids import Ids, SeededIds
from simulator.metrics import Metrics
from simulator.play.rounds import RoundService
from simulator.settings import Settings
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.provider import ProviderStore
from simulator.wallet_client.client import WalletClient, WalletHook, wallet_ssl_context
from simulator.wallet_client.transport import WalletTransport


@dataclass(frozen=True, eq=False)
class Services:
    wallets: Callable[[str], WalletClient]  # studio id -> the client of its wallet dialect
    demo: DemoWallet
    settler: Settler
    worker: SettlementWorker
    rounds: RoundService
    transport: WalletTransport

    async def close(self) -> None:
        await self.transport.close()


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
) -> Services:
    """``epoch`` moves deterministic request ids past the ones of earlier starts on the same database; ``hook``
    wraps every real wallet call (fault injection, journal, counters); ``metrics`` counts the settler's retries."""
    transport = WalletTransport(settings.wallet_pool_size, tls=wallet_ssl_context(settings))
    demo = DemoWallet(store.db, clock)
    await demo.migrate()
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
    worker = SettlementWorker(store, settler, clock, ids, orphan_age=lease)
    rounds = RoundService(store, catalog, settler, worker, wallet_for, clock, ids, lease=lease)
    return Services(wallet_for, demo, settler, worker, rounds, transport)

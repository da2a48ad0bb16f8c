"""Typed application state shared by route modules (one ``web.AppKey`` per long-lived object)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from simulator.catalog.models import Catalog
from simulator.clock import Clock
from simulator.ids import Ids
from simulator.play.rounds import RoundService
from simulator.settings import Settings
from simulator.settlement.worker import SettlementWorker
from simulator.store.provider import ProviderStore
from simulator.wallet_client.client import WalletClient

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
IDS: web.AppKey[Ids] = web.AppKey("ids")
CATALOG = web.AppKey("catalog", Catalog)
STORE = web.AppKey("store", ProviderStore)
ROUNDS = web.AppKey("rounds", RoundService)
WORKER = web.AppKey("worker", SettlementWorker)
WALLETS: web.AppKey[Callable[[str], WalletClient]] = web.AppKey("wallets")

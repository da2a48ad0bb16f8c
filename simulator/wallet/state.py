"""Typed state of the reference wallet application."""

from __future__ import annotations

from aiohttp import web

from simulator.wallet.ledger import Ledger
from simulator.wallet.sandbox import Sandbox

LEDGER = web.AppKey("ledger", Ledger)
SANDBOX = web.AppKey("sandbox", Sandbox)

"""Everything fault injection needs at run time, built once per app from the settings: the rule set (loaded from
``faults_file``), the seeded fault RNG, the journal, the counters, the wallet hook, the inbound middleware, the
webhook deliveries' hook and the live sockets' faults."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.clock import Clock
from simulator.faults.inbound import fault_middleware
from simulator.faults.journal import Journal
from simulator.faults.loader import load_rules
from simulator.faults.outbound import FaultHook, Sleep
from simulator.faults.requested import RequestedFaults
from simulator.faults.ruleset import FaultSet, Target
from simulator.faults.sockets import SocketFaults
from simulator.faults.webhooks import WebhookFaults
from simulator.jsonbytes import loads
from simulator.metrics import Metrics
from simulator.settings import Settings
from simulator.state import CATALOG, STORE


def fault_rng(seed: int) -> random.Random:
    """The fault RNG, derived from the root seed so that it never shares a stream with the catalogue or the jitter."""
    return random.Random(int.from_bytes(hashlib.sha256(f"{seed}:faults".encode()).digest()[:8], "big"))


@dataclass(eq=False)
class FaultRuntime:
    rules: FaultSet
    rng: random.Random
    journal: Journal
    metrics: Metrics
    hook: FaultHook
    requested: RequestedFaults
    middleware: Middleware
    webhooks: WebhookFaults
    sockets: SocketFaults

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        clock: Clock,
        sleep: Sleep | None = None,
        secrets: Iterable[str] = (),
        metrics: Metrics | None = None,
    ) -> FaultRuntime:
        """``metrics``: the app's counters, which the faults count into (a fresh set without it)."""
        sleep = sleep or asyncio.sleep
        rng = fault_rng(settings.seed)
        rules = FaultSet(load_rules(settings.faults_file) if settings.faults_file else (), clock=clock, rng=rng)
        journal = Journal(settings.journal_size, clock=clock, secrets=secrets)
        metrics = Metrics() if metrics is None else metrics
        requested = RequestedFaults(
            rules,
            max_active=settings.fault_header_max_active,
            clock=clock,
            rng=rng,
            enabled=settings.fault_header,
            metrics=metrics,
        )
        hook = FaultHook(rules, sleep=sleep, journal=journal, metrics=metrics, serial=settings.deterministic)
        middleware = fault_middleware(
            rules=rules, rng=rng, sleep=sleep, journal=journal, metrics=metrics, resolve=resolve, requested=requested
        )
        webhooks = WebhookFaults(rules, sleep=sleep, journal=journal, metrics=metrics)
        sockets = SocketFaults(rules, sleep=sleep, metrics=metrics)
        return cls(rules, rng, journal, metrics, hook, requested, middleware, webhooks, sockets)


async def resolve(request: web.Request, target: Target) -> None:
    """Fill in who and what an inbound request is about, for rules that match on player, game, studio or currency."""
    if target.resolved:
        return
    target.resolved = True
    app = request.app
    store, catalog = app[STORE], app[CATALOG]
    if target.session is not None:
        session = await store.sessions.get(target.session)
        if session is not None:
            target.player, target.currency = session.player_id, session.currency
            target.game, target.studio = session.game_id, session.studio_id
    elif target.round is not None:
        round_ = await store.rounds.get(target.round)
        if round_ is not None:
            target.player, target.currency, target.game = round_.player_id, round_.currency, round_.game_id
    elif target.operation == "launch" and request.can_read_body:
        length = request.content_length
        if length is not None and length <= request.client_max_size:
            try:
                body = loads(await request.read())
            except (ValueError, web.HTTPException):
                body = None
            if isinstance(body, dict):
                for attr, name in (("player", "player_id"), ("game", "game_id"), ("currency", "currency")):
                    if isinstance(body.get(name), str):
                        setattr(target, attr, body[name])
    if target.game is not None and target.studio is None and (game := catalog.games.get(target.game)) is not None:
        target.studio = game.studio_id
    if target.studio is not None and (studio := catalog.studios.get(target.studio)) is not None:
        target.dialect = studio.dialect

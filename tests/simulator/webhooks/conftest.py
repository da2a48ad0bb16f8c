"""A simulator whose webhook endpoint is a receiver built on the recipe of docs/webhooks.md, on a port that survives
the receiver being stopped and started again; one manual clock drives the worker."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.settings import OperatorKeySettings, WebhookEndpointSettings
from tests.databases import ENGINES, database_url_for
from tests.simulator.settlement.conftest import World, engines, running_world

__all__ = ["HOOK_SECRETS", "Receiver", "doc_recipe", "documented_fields", "engines", "hooked"]

DOC = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text()
HOOK_SECRETS = {"hook-old": "o" * 24, "hook-new": "n" * 24}


def doc_recipe() -> Callable[..., str]:
    """The receiver's check exactly as docs/webhooks.md prints it."""
    code = re.search(r"```python\n(.*?)```", DOC, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own document's example, run as the test of it
    check: Callable[..., str] = namespace["verify_webhook"]
    return check


def documented_fields(event_type: str) -> set[str]:
    """The ``data`` fields docs/webhooks.md's table of events lists for ``event_type`` (what a field's parentheses
    say about it left out)."""
    row = re.search(rf"^\| `{re.escape(event_type)}` \|[^|]*\|(.*)\|$", DOC, re.M)
    assert row is not None, f"{event_type} has no row in docs/webhooks.md"
    cell = row.group(1)
    while (bare := re.sub(r"\([^()]*\)", "", cell)) != cell:
        cell = bare
    return set(re.findall(r"`([a-z_]+)`", cell))


@dataclass
class Receiver:
    """An operator's webhook endpoint that deduplicates by event id, as docs/webhooks.md asks."""

    clock: ManualClock
    secrets: dict[str, str]
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: list[tuple[str, str]] = field(default_factory=list)  # (event id, verdict) per request
    lose_answer_once: bool = False
    runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        verdict = doc_recipe()(request.headers, body, self.secrets, self.clock.now(), self.processed)
        self.answers.append((request.headers.get("Webhook-Id", ""), verdict))
        if verdict == "ok":
            self.processed[request.headers["Webhook-Id"]] = json.loads(body)
            if self.lose_answer_once:  # processed, but the answer never reaches the simulator
                self.lose_answer_once = False
                return web.Response(status=503)
        if verdict in ("ok", "duplicate"):
            return web.Response(text="ok")
        return web.Response(status=401, text=verdict)

    async def start(self, where: int | socket.socket) -> None:
        """Listen on a socket already bound, or bind ``port`` again (a restart)."""
        app = web.Application()
        app.router.add_post("/hooks", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        if isinstance(where, socket.socket):
            await web.SockSite(self.runner, where).start()
        else:
            await web.TCPSite(self.runner, "127.0.0.1", where).start()

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture(params=ENGINES)
async def hooked(
    request: pytest.FixtureRequest, engines: None, tmp_path: Path
) -> AsyncIterator[tuple[World, Receiver, int]]:
    clock = ManualClock(1_767_225_600.0)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    receiver = Receiver(clock, {"hook-new": HOOK_SECRETS["hook-new"]})  # it already trusts the new key only
    # listening before the world's servers start: a port closed and bound again later could be one of theirs by then
    await receiver.start(sock)
    # the simulator signs with both keys of a rotation
    keys = [OperatorKeySettings(key_id=k, secret=SecretStr(v)) for k, v in HOOK_SECRETS.items()]
    webhooks = {"ops": WebhookEndpointSettings(url=f"http://127.0.0.1:{port}/hooks", keys=keys)}
    try:
        async with (
            database_url_for(request.param, tmp_path) as url,
            running_world(
                tmp_path,
                clock,
                sim={"database_url": url, "webhooks": webhooks},
                wallet_timeout=5.0,  # the round and the deliveries, on a loaded machine too: no test here waits one out
                session_ttl=10**7,
            ) as world,
        ):
            yield world, receiver, port
    finally:
        if receiver.runner is not None:
            await receiver.runner.cleanup()

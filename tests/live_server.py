"""The simulator on a live loopback socket for synchronous clients (schemathesis, requests), and a ``requests``
auth that signs what it sends as ``simulator.auth.client`` says."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import requests

from simulator.auth.client import ClientAuth
from simulator.clock import Clock
from simulator.settings import Settings
from tests.harness import Sim, running_sim

T = TypeVar("T")


class LiveServer:
    """The simulator on its own event loop in a thread, because schemathesis calls it synchronously."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, **options: Any) -> None:
        """``options`` go to ``create_app`` (``live_loops=False``: live tables move only when a test ticks them)."""
        self._settings = settings
        self._clock = clock
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.url = ""
        self.sim: Sim | None = None
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        try:
            async with running_sim(self._settings, clock=self._clock, **self._options) as sim:
                self.url = sim.url
                self.sim = sim
                self._stop = asyncio.Event()
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:
            self._failed = exc
            self._ready.set()
            raise

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(120) or self._failed is not None:
            raise RuntimeError("simulator did not start") from self._failed
        return self

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coroutine`` on the simulator's own event loop (a live table's tick) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        self._loop.close()


class SignedRequests(requests.auth.AuthBase):
    """Signs a prepared request exactly as it goes on the wire, as ``simulator.auth.client`` says."""

    def __init__(self, auth: ClientAuth) -> None:
        self._auth = auth

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        assert isinstance(raw, bytes)
        request.headers.update(self._auth.headers(request.method or "GET", request.path_url, raw))
        return request

"""Requests per second of the catalogue feed against a bare aiohttp handler serving a static body, same run.

Everything runs in one process and one event loop (servers and load generator alike), so the figures are only
meaningful relative to each other: the baseline shows what this machine does with aiohttp and no work at all.

    python bench/catalog_feed.py [--requests 4000] [--concurrency 16]

Scenarios:
- baseline: a handler returning a static body the size of a 100-game page;
- page walk: /v1/games?limit=100 following next_cursor through the 1,000 games (from the page cache);
- filtered: 58 distinct filter and sort queries in rotation (cached after their first request; many of
  these pages hold fewer than 100 games, so their bodies are smaller than the baseline's);
- uncached: the same queries with the page caches bypassed: each filters, sorts and joins pre-rendered JSON;
- 304: conditional requests answered from the ETag alone.
Every /v1 request is signed as an operator's would be (auth is on, as by default), so the figures include the
signature check and the replay store's insert; the operator's rate limit is off, as it would cap the run.
At the end it checks that the catalogue was built once and never rebuilt while serving.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.app import create_app
from simulator.auth.client import ClientAuth, client_middleware
from simulator.catalog import builder, live
from simulator.settings import Settings
from simulator.state import AUTH, CATALOG

ROUNDS = 5
QUERIES = [
    f"/v1/games?{q}"
    for q in (
        *(
            f"category={c}&sort={s}"
            for c in ("slots", "table", "instant", "live")
            for s in ("name", "-rtp", "release_date")
        ),
        *(f"currency={c}&country={k}" for c in ("USD", "JPY", "BTC") for k in ("DE", "SE", "BR", "US")),
        *(f"studio=studio-{n:03d}" for n in range(1, 21)),
        *(f"rtp_min={lo}&rtp_max={lo + 2}&limit=50" for lo in (90, 92, 94, 96, 97)),
        *(f"feature={f}&volatility={v}" for f in ("free_spins", "jackpot") for v in ("low", "medium")),
        *(f"q={t}" for t in ("mega", "live", "deluxe", "of", "roulette")),
    )
]


def listen() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    sock = listen()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}"


async def drive(
    http: aiohttp.ClientSession,
    urls: Callable[[], str],
    total: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> float:
    remaining = itertools.count()

    async def worker() -> None:
        while next(remaining) < total:
            async with http.get(urls(), headers=headers) as response:
                await response.read()
                if response.status != expect:
                    raise RuntimeError(f"{response.url}: HTTP {response.status}")

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start)


def cycle(items: list[str]) -> Callable[[], str]:
    it: Iterator[str] = itertools.cycle(items)
    return lambda: next(it)


async def main(requests: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        settings = Settings(data_dir=Path(tmp), port=0, catalog_change_interval=0, rate_limit=0)
        sim_app = create_app(settings)
        built = time.perf_counter() - started
        sim, sim_url = await serve(sim_app)
        catalog = sim_app[CATALOG]
        builds_before = builder._cached.cache_info().misses
        keys = sim_app[AUTH]
        signing = [client_middleware(ClientAuth(keys.first_key(), keys.admin_token))]
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency), middlewares=signing
        ) as http:
            first = await http.get(f"{sim_url}/v1/games?limit=100")
            body = await first.read()
            static = web.Application()

            async def fixed(request: web.Request) -> web.Response:
                return web.Response(body=body, content_type="application/json")

            static.router.add_get("/", fixed)
            base, base_url = await serve(static)
            pages, cursor = [], ""
            while True:
                pages.append(f"{sim_url}/v1/games?limit=100{cursor}")
                reply = await (await http.get(pages[-1])).json()
                if reply["next_cursor"] is None:
                    break
                cursor = f"&cursor={reply['next_cursor']}"
            etag = first.headers["ETag"]
            queries = [sim_url + q for q in QUERIES]
            for url in queries:  # every query answers 200 before timing starts
                async with http.get(url) as response:
                    assert response.status == 200, (url, response.status)
            cached = catalog.page_body

            def no_page_cache(api: live.Api, query: live.GameQuery, render: Callable[[live.Page], bytes]) -> bytes:
                return render(catalog.select(query))

            async def uncached() -> float:
                catalog.page_body = no_page_cache  # type: ignore[method-assign]
                catalog.answered = lambda api, raw_query: None  # type: ignore[method-assign]
                try:
                    return await drive(http, cycle(queries), share, concurrency)
                finally:
                    del catalog.page_body, catalog.answered  # back to the class's methods
                    assert catalog.page_body == cached

            scenarios: list[tuple[str, Callable[[], Awaitable[float]]]] = [
                ("baseline: static body", lambda: drive(http, lambda: base_url + "/", share, concurrency)),
                ("/v1/games page walk", lambda: drive(http, cycle(pages), share, concurrency)),
                (
                    f"/v1/games {len(queries)} filters",
                    lambda: drive(http, cycle(queries), share, concurrency),
                ),
                ("/v1/games filters, no page cache", uncached),
                (
                    "/v1/games If-None-Match -> 304",
                    lambda: drive(http, lambda: pages[0], share, concurrency, {"If-None-Match": etag}, 304),
                ),
            ]
            share = max(1, requests // ROUNDS)
            rates: dict[str, list[float]] = {name: [] for name, _ in scenarios}
            for _ in range(ROUNDS):  # interleaved, so a busy moment on the machine hits every scenario alike
                for name, run in scenarios:
                    rates[name].append(await run())
            results = [(name, statistics.median(values)) for name, values in rates.items()]
        await base.cleanup()
        await sim.cleanup()
    baseline = results[0][1]
    print(
        f"catalogue: {len(catalog.games)} games, {len(catalog.studios)} studios; app built in {built:.2f} s "
        f"(page body {len(body) / 1024:.0f} KiB, {requests} requests per scenario, concurrency {concurrency})"
    )
    print(f"{'scenario (median of ' + str(ROUNDS) + ' interleaved rounds)':38} {'req/s':>9} {'vs baseline':>12}")
    for name, rate in results:
        print(f"{name:38} {rate:9.0f} {rate / baseline:11.0%}")
    rebuilt = builder._cached.cache_info().misses - builds_before
    print(f"catalogue rebuilt while serving: {rebuilt} times (must be 0)")
    if rebuilt:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))

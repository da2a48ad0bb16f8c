"""``casino-sim webhook-check`` passes a receiver built on the docs' recipe and fails receivers that trust anything
or refuse a redelivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from simulator import cli
from simulator.commands.serve import bind
from simulator.webhooks.check import check_receiver
from tests.simulator.webhooks.conftest import doc_recipe

SECRETS = {"k1": "k" * 24}
Handler = Callable[[web.Request], Awaitable[web.Response]]


def recipe_receiver(*, idempotent: bool = True) -> Handler:
    seen: set[str] = set()
    check = doc_recipe()

    async def handle(request: web.Request) -> web.Response:
        import time

        verdict = check(request.headers, await request.read(), SECRETS, time.time(), seen)
        if verdict == "ok":
            seen.add(request.headers["Webhook-Id"])
            return web.Response(text="ok")
        if verdict == "duplicate":
            return web.Response(text="ok") if idempotent else web.Response(status=409)
        return web.Response(status=401)

    return handle


async def trusting(request: web.Request) -> web.Response:
    return web.Response(text="ok")


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hooks", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hooks"
    finally:
        await runner.cleanup()


async def test_a_receiver_following_the_recipe_passes_every_check() -> None:
    async with serving(recipe_receiver()) as url:
        results = await check_receiver(url, "k1", SECRETS["k1"])
    assert len(results) == 9
    assert all(r.passed for r in results), results


@pytest.mark.parametrize(
    ("handler", "failing"),
    [
        pytest.param(trusting, 7, id="trusts-anything"),
        pytest.param(recipe_receiver(idempotent=False), 1, id="refuses-redelivery"),
    ],
)
async def test_receivers_that_fall_short_fail_the_checks_they_should(handler: Handler, failing: int) -> None:
    async with serving(handler) as url:
        results = await check_receiver(url, "k1", SECRETS["k1"])
    assert sum(not r.passed for r in results) == failing, results


async def test_the_command_exits_1_on_a_failure_and_2_when_nobody_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serving(trusting) as url:
        code = await asyncio.to_thread(cli.main, ["webhook-check", url, "--key-id", "k1", "--secret", "k" * 24])
    assert code == 1
    assert "FAIL  wrong signature refused" in capsys.readouterr().out
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    code = await asyncio.to_thread(
        cli.main, ["webhook-check", f"http://127.0.0.1:{port}/", "--key-id", "k1", "--secret", "k" * 24]
    )
    assert code == 2

"""The wallet client treats the wallet as untrusted: a redirect (to another host or not) is never followed, a reply
larger than ``MAX_REPLY_BYTES`` (also once decompressed) is a protocol error, and a wallet that hangs times out."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.dialects.call import WalletCall
from simulator.dialects.native import NativeDialect
from simulator.errors import WalletProtocolError, WalletTimeout
from simulator.wallet_client.client import MAX_REPLY_BYTES, WalletClient
from simulator.wallet_client.transport import WalletTransport

CALL = WalletCall("balance", "p-1", "token", "USD")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[tuple[str, list[str]]]:
    """A one-route server on loopback; yields its URL and the paths it was asked for."""
    seen: list[str] = []

    async def record(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", seen
    finally:
        await runner.cleanup()


@asynccontextmanager
async def client_for(url: str, limit: float = 5.0) -> AsyncIterator[WalletClient]:
    transport = WalletTransport(4)
    try:
        yield WalletClient(transport, NativeDialect(url, "casino-sim", b"secret", ManualClock()), timeout=limit)
    finally:
        await transport.close()


async def balance_reply(request: web.Request) -> web.Response:
    return web.json_response({"balance": 1, "currency": "USD"})


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_to_another_host_is_not_followed(status: int) -> None:
    async with serving(balance_reply) as (elsewhere, elsewhere_seen):

        async def redirect(request: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": f"{elsewhere}/balance"})

        async with serving(redirect) as (wallet, wallet_seen), client_for(wallet) as client:
            with pytest.raises(WalletProtocolError):
                await client.call(CALL)
    assert wallet_seen == ["/balance"]
    assert elsewhere_seen == []


async def test_an_oversize_reply_is_a_protocol_error() -> None:
    async def huge(request: web.Request) -> web.Response:
        padding = "x" * (MAX_REPLY_BYTES + 1)
        return web.json_response({"balance": 1, "currency": "USD", "padding": padding})

    async with serving(huge) as (wallet, _), client_for(wallet) as client:
        with pytest.raises(WalletProtocolError, match="exceeds"):
            await client.call(CALL)


async def test_a_compressed_reply_is_measured_once_decompressed() -> None:
    bomb = gzip.compress(b'{"balance": 1, "currency": "USD", "padding": "' + b"0" * (4 * MAX_REPLY_BYTES) + b'"}')
    assert len(bomb) < MAX_REPLY_BYTES // 10

    async def compressed(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})

    async with serving(compressed) as (wallet, _), client_for(wallet) as client:
        with pytest.raises(WalletProtocolError, match="exceeds"):
            await client.call(CALL)


async def test_a_reply_just_under_the_cap_is_read() -> None:
    async def big(request: web.Request) -> web.Response:
        return web.json_response({"balance": 7, "currency": "USD", "padding": "x" * (MAX_REPLY_BYTES - 100)})

    async with serving(big) as (wallet, _), client_for(wallet) as client:
        assert (await client.call(CALL)).balance == 7


async def test_a_hanging_wallet_times_out() -> None:
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"balance": 1, "currency": "USD"})

    async with serving(hang) as (wallet, _), client_for(wallet, limit=0.3) as client:
        started = time.monotonic()
        with pytest.raises(WalletTimeout):
            await client.call(CALL)
        assert time.monotonic() - started < 1.5
        release.set()


async def test_a_wallet_that_trickles_its_reply_times_out_as_a_whole() -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for _ in range(40):
            await response.write(b" ")
            await asyncio.sleep(0.05)
        await response.write(b'{"balance": 1, "currency": "USD"}')
        return response

    async with serving(trickle) as (wallet, _), client_for(wallet, limit=0.4) as client:
        started = time.monotonic()
        with pytest.raises(WalletTimeout):
            await client.call(CALL)
        assert time.monotonic() - started < 1.5

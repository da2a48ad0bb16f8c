"""The two trivial servers the round benchmark compares the simulator against, each run in its own process.

``wallet``: speaks the native wallet protocol and answers every call OK with a fixed body, without verifying anything,
so the wallet costs as little as an aiohttp server can.

``baseline``: the cheapest possible "game server": for each inbound request it makes two keep-alive POSTs (a bet and a
win) to a wallet and answers with a fixed JSON body. This is the ceiling a Python/aiohttp provider can reach on this
machine; the simulator is measured as a fraction of it.

    python bench/stubs.py wallet --port 0
    python bench/stubs.py baseline --port 0 --wallet-url http://127.0.0.1:PORT

Each prints ``listening on http://host:port`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

WALLET_REPLY = b'{"balance":100000000,"currency":"USD","transaction_id":"tx","request_id":"r"}'
ROUND_REPLY = b'{"round_id":"r","status":"closed","amount":100,"win":0,"balance":100000000}'
BET = b'{"request_id":"r","player_id":"p","session_id":"s","currency":"USD","transaction_id":"t","amount":100}'
JSON = {"Content-Type": "application/json"}

HTTP = web.AppKey("http", aiohttp.ClientSession)


def wallet_app() -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=WALLET_REPLY, content_type="application/json")

    app = web.Application()
    app.router.add_post("/{operation}", answer)
    return app


def baseline_app(wallet_url: str, pool: int) -> web.Application:
    bet_url, win_url = f"{wallet_url}/bet", f"{wallet_url}/win"

    async def client_ctx(app: web.Application) -> AsyncIterator[None]:
        app[HTTP] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool))
        yield
        await app[HTTP].close()

    async def round_(request: web.Request) -> web.Response:
        await request.read()
        http = request.app[HTTP]
        for url in (bet_url, win_url):
            async with http.post(url, data=BET, headers=JSON) as reply:
                await reply.read()
        return web.Response(body=ROUND_REPLY, content_type="application/json")

    app = web.Application()
    app.cleanup_ctx.append(client_ctx)
    app.router.add_post("/play/{token}/rounds", round_)
    return app


async def serve(app: web.Application, host: str, port: int) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock, backlog=1024).start()
    print(f"listening on http://{host}:{sock.getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("wallet", "baseline"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--wallet-url", help="baseline only: the wallet to call")
    parser.add_argument("--pool", type=int, default=256, help="baseline only: keep-alive connections to the wallet")
    args = parser.parse_args()
    if args.kind == "wallet":
        app = wallet_app()
    else:
        if not args.wallet_url:
            parser.error("baseline needs --wallet-url")
        app = baseline_app(args.wallet_url.rstrip("/"), args.pool)
    asyncio.run(serve(app, args.host, args.port))


if __name__ == "__main__":
    main()

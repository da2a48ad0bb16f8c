"""The wallet transport against raw servers that answer with exactly the bytes a test chooses."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from simulator.wallet_client.transport import BadReply, ConnectFailed, ConnectionLost, WalletTransport

Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # request bytes -> keep the connection open?


class Server:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


@asynccontextmanager
async def serving(reply: Reply) -> AsyncIterator[Server]:
    server = Server()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.connections += 1
        try:
            while True:
                request = await _read_request(reader)
                server.requests.append(request)
                if not await reply(request, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    try:
        yield server
    finally:
        listener.close()
        await listener.wait_closed()


def answer(raw: bytes, *, keep: bool = True) -> Reply:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(raw)
        await writer.drain()
        return keep

    return reply


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


@pytest.fixture
async def transport() -> AsyncIterator[WalletTransport]:
    made = WalletTransport(4)
    yield made
    await made.close()


async def post(
    transport: WalletTransport, url: str, body: bytes = b"{}", limit: int = 1000, within: float = 5
) -> tuple[int, bytes]:
    return await transport.post(
        url, {"Content-Type": "application/json", "X-Sig": "abc"}, body, limit=limit, within=within
    )


async def test_the_request_is_one_post_with_host_length_and_the_given_headers(transport: WalletTransport) -> None:
    async with serving(answer(OK)) as server:
        assert await post(transport, f"{server.url}/wallet/bet?token=a%20b", b'{"amount":1}') == (200, b'{"ok":true}')
    head, body = server.requests[0].split(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /wallet/bet?token=a%20b HTTP/1.1"
    assert f"Host: {server.url.removeprefix('http://')}".encode() in lines
    assert b"Content-Length: 12" in lines and b"X-Sig: abc" in lines
    assert body == b'{"amount":1}'


async def test_a_kept_alive_connection_is_reused(transport: WalletTransport) -> None:
    async with serving(answer(OK)) as server:
        for _ in range(5):
            assert (await post(transport, f"{server.url}/bet"))[0] == 200
    assert server.connections == 1


async def test_connection_close_is_honoured(transport: WalletTransport) -> None:
    closing = OK.replace(b"Content-Length", b"Connection: close\r\nContent-Length")
    async with serving(answer(closing, keep=False)) as server:
        for _ in range(3):
            assert (await post(transport, f"{server.url}/bet"))[0] == 200
    assert server.connections == 3


async def test_a_chunked_reply_is_joined(transport: WalletTransport) -> None:
    chunked = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"ok\r\n7\r\n":true}\r\n0\r\n\r\n'
    async with serving(answer(chunked)) as server:
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')
    assert server.connections == 1


async def test_a_reply_without_a_length_ends_with_the_connection(transport: WalletTransport) -> None:
    async with serving(answer(b'HTTP/1.0 200 OK\r\n\r\n{"ok":true}', keep=False)) as server:
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')


async def test_an_interim_reply_is_skipped(transport: WalletTransport) -> None:
    async with serving(answer(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)) as server:
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        (b"gzip", lambda data: zlib.compress(data, wbits=31)),
        (b"deflate", zlib.compress),
        (b"deflate", lambda data: zlib.compress(data, wbits=-15)),
    ],
    ids=["gzip", "deflate", "raw-deflate"],
)
async def test_compressed_replies_are_decoded(
    transport: WalletTransport, encoding: bytes, pack: Callable[[bytes], bytes]
) -> None:
    packed = pack(b'{"ok":true}')
    raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (encoding, len(packed), packed)
    async with serving(answer(raw)) as server:
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')


async def test_an_unknown_encoding_is_a_bad_reply(transport: WalletTransport) -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}"
    async with serving(answer(raw)) as server:
        with pytest.raises(BadReply, match="unsupported Content-Encoding"):
            await post(transport, f"{server.url}/bet")


async def test_garbage_is_a_bad_reply_and_the_connection_is_not_reused(transport: WalletTransport) -> None:
    async with serving(answer(b"SPAM/9 what\r\n\r\n")) as server:
        with pytest.raises(BadReply, match="unreadable"):
            await post(transport, f"{server.url}/bet")
        with pytest.raises(BadReply):
            await post(transport, f"{server.url}/bet")
    assert server.connections == 2


async def test_a_reply_over_the_limit_is_a_bad_reply(transport: WalletTransport) -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000
    async with serving(answer(raw)) as server:
        with pytest.raises(BadReply, match="exceeds 1000 bytes"):
            await post(transport, f"{server.url}/bet", limit=1000)


async def test_a_connection_that_sent_two_replies_for_one_request_is_not_reused(transport: WalletTransport) -> None:
    second = OK.replace(b'{"ok":true}', b'{"ok":"no"}')
    async with serving(answer(OK + second)) as server:
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')
        assert await post(transport, f"{server.url}/bet") == (200, b'{"ok":true}')
    assert server.connections == 2


async def test_a_connection_closed_before_the_reply_is_lost(transport: WalletTransport) -> None:
    async def hang_up(request: bytes, writer: asyncio.StreamWriter) -> bool:
        return False

    async with serving(hang_up) as server:
        with pytest.raises(ConnectionLost):
            await post(transport, f"{server.url}/bet")


async def test_a_half_sent_reply_is_lost_not_truncated(transport: WalletTransport) -> None:
    async with serving(answer(OK[:-4], keep=False)) as server:
        with pytest.raises(ConnectionLost):
            await post(transport, f"{server.url}/bet")


async def test_an_idle_connection_the_wallet_closed_is_replaced(transport: WalletTransport) -> None:
    async with serving(answer(OK, keep=False)) as server:  # keep-alive promised, then closed after each reply
        assert (await post(transport, f"{server.url}/bet"))[0] == 200
        for _ in range(1000):  # let the close arrive while the connection is idle
            if not any(conn.open for idle in transport._idle.values() for conn in idle):
                break
            await asyncio.sleep(0)
        assert (await post(transport, f"{server.url}/bet"))[0] == 200
    assert server.connections == 2


async def test_idle_connections_older_than_the_keep_alive_are_not_reused() -> None:
    now = [0.0]
    transport = WalletTransport(4, keepalive=15.0, monotonic=lambda: now[0])
    try:
        async with serving(answer(OK)) as server:
            await post(transport, f"{server.url}/bet")
            now[0] = 14.0
            await post(transport, f"{server.url}/bet")
            now[0] = 30.0
            await post(transport, f"{server.url}/bet")
        assert server.connections == 2
    finally:
        await transport.close()


async def test_concurrent_calls_share_at_most_pool_size_connections() -> None:
    transport = WalletTransport(3)
    release = asyncio.Event()

    async def slow(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        writer.write(OK)
        await writer.drain()
        return True

    try:
        async with serving(slow) as server:
            calls = [asyncio.create_task(post(transport, f"{server.url}/bet")) for _ in range(10)]
            for _ in range(50):
                await asyncio.sleep(0)
            assert server.connections == 3
            release.set()
            assert [status for status, _ in await asyncio.gather(*calls)] == [200] * 10
        assert server.connections == 3
    finally:
        await transport.close()


def hang_on(body: bytes, never: asyncio.Event) -> Reply:
    """Answers every request at once, except those whose body is ``body``: those never."""

    async def reply(request: bytes, writer: asyncio.StreamWriter) -> bool:
        if request.endswith(b"\r\n\r\n" + body):
            await never.wait()
            return False
        return await answer(OK)(request, writer)

    return reply


async def test_a_deadline_closes_the_connection(transport: WalletTransport) -> None:
    never = asyncio.Event()
    async with serving(hang_on(b"{}", never)) as server:
        with pytest.raises(TimeoutError):
            await transport.post(f"{server.url}/bet", {}, b"{}", limit=100, within=0.05)
        assert not any(transport._idle.values())
        never.set()


async def test_calls_in_flight_each_keep_their_deadline(transport: WalletTransport) -> None:
    """Replies that come are unaffected by one that never does; a shorter deadline that starts later ends first."""
    never = asyncio.Event()
    async with serving(hang_on(b"hang", never)) as server:
        url = f"{server.url}/bet"
        slow = asyncio.create_task(post(transport, url, b"hang", within=0.3))
        quick = asyncio.create_task(post(transport, url, b"hang", within=0.02))
        assert await post(transport, url, within=0.3) == (200, b'{"ok":true}')
        done, _ = await asyncio.wait([slow, quick], return_when=asyncio.FIRST_COMPLETED)
        assert done == {quick} and isinstance(quick.exception(), TimeoutError)
        with pytest.raises(TimeoutError):
            await slow
        assert await post(transport, url, within=0.3) == (200, b'{"ok":true}')  # the pool is usable afterwards
        never.set()


async def test_waiting_for_a_busy_pool_counts_against_the_deadline() -> None:
    transport = WalletTransport(1)
    never = asyncio.Event()
    try:
        async with serving(hang_on(b"hang", never)) as server:
            url = f"{server.url}/bet"
            holder = asyncio.create_task(post(transport, url, b"hang", within=5))
            await asyncio.sleep(0.01)  # the holder has the only connection
            with pytest.raises(TimeoutError):
                await post(transport, url, within=0.02)
            holder.cancel()
            never.set()
            assert await post(transport, url) == (200, b'{"ok":true}')
    finally:
        await transport.close()


async def test_nothing_listening_is_a_failed_connect(transport: WalletTransport) -> None:
    async with serving(answer(OK)) as server:
        url = server.url
    with pytest.raises(ConnectFailed, match="cannot connect"):
        await post(transport, f"{url}/bet")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/bet", "http:///bet", "http://127.0.0.1:99999/bet"])
async def test_a_url_that_is_not_http_is_a_failed_connect(transport: WalletTransport, url: str) -> None:
    with pytest.raises(ConnectFailed):
        await post(transport, url)


@pytest.mark.parametrize("header", [("X-Bad", "a\r\nInjected: 1"), ("X:Bad", "a"), ("X-Bad", "\u20ac")])
async def test_a_header_that_cannot_be_sent_is_refused_before_connecting(
    transport: WalletTransport, header: tuple[str, str]
) -> None:
    with pytest.raises(ValueError, match="header"):
        await transport.post("http://127.0.0.1:9/bet", dict([header]), b"{}", limit=100, within=5)

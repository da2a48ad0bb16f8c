"""Slow and greedy clients cannot pin connections: headers trickled in are cut at ``header_timeout`` (on a fresh
connection and on a kept-alive one), a body trickled in is cut at ``read_timeout``, and connections beyond
``max_connections`` are turned away at once. These speak raw HTTP over sockets and take real time, with limits
of a fraction of a second. How idle connections make room, and the limit per client address, are in
test_connection_limits.py."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.listener import YOUNG_COLLECTION_EVERY, freeze_start_up
from simulator.settings import Settings
from tests.harness import Sim, running_sim

HEADER_TIMEOUT = 0.4
READ_TIMEOUT = 2.0  # far past the header timeout: a body trickled past the header deadline stays well within it
SLACK = 1.0  # scheduling on a loaded machine; a server without the limit would hold on for seconds more


@pytest.fixture
async def guarded(tmp_path: Path) -> AsyncIterator[Sim]:
    settings = Settings(
        data_dir=tmp_path / "data",
        port=0,
        header_timeout=HEADER_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )
    async with running_sim(settings) as sim:
        yield sim


async def connect(sim: Sim) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", sim.settings.port)


async def trickle(writer: asyncio.StreamWriter, data: bytes, *, every: float, until: float) -> None:
    """Send ``data`` a byte at a time, ``every`` seconds, for ``until`` seconds at most; stop when cut off."""
    deadline = time.monotonic() + until
    for byte in data:
        if time.monotonic() > deadline:
            return
        try:
            writer.write(bytes([byte]))
            await writer.drain()
        except ConnectionError:
            return
        await asyncio.sleep(every)


async def read_until_closed(reader: asyncio.StreamReader, limit: float = READ_TIMEOUT + SLACK + 2) -> bytes:
    return await asyncio.wait_for(reader.read(), limit)


def status_and_body(raw: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"p" * 200 + b"\r\n\r\n"


async def test_headers_sent_slowly_are_cut_at_the_header_timeout(guarded: Sim) -> None:
    reader, writer = await connect(guarded)
    started = time.monotonic()
    sender = asyncio.create_task(trickle(writer, SLOW_HEADERS, every=0.05, until=3))
    raw = await read_until_closed(reader)
    elapsed = time.monotonic() - started
    sender.cancel()
    writer.close()
    assert HEADER_TIMEOUT * 0.9 <= elapsed < HEADER_TIMEOUT + SLACK, elapsed
    status, body = status_and_body(raw)
    assert status == 408 and body["error"]["code"] == "REQUEST_TIMEOUT"  # type: ignore[index]


async def test_a_connection_that_sends_nothing_is_cut_too(guarded: Sim) -> None:
    reader, writer = await connect(guarded)
    started = time.monotonic()
    raw = await read_until_closed(reader)
    writer.close()
    assert time.monotonic() - started < HEADER_TIMEOUT + SLACK
    assert raw.startswith(b"HTTP/1.1 408")


async def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(guarded: Sim) -> None:
    reader, writer = await connect(guarded)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    await reader.readexactly(length)
    assert head.startswith(b"HTTP/1.1 200")
    await asyncio.sleep(HEADER_TIMEOUT * 1.5)  # idle between requests is the keep-alive timeout's business
    started = time.monotonic()
    sender = asyncio.create_task(trickle(writer, SLOW_HEADERS, every=0.05, until=3))
    raw = await read_until_closed(reader)
    sender.cancel()
    writer.close()
    assert time.monotonic() - started < HEADER_TIMEOUT + SLACK
    assert raw.startswith(b"HTTP/1.1 408")


async def test_a_body_sent_slowly_is_cut_at_the_read_timeout(guarded: Sim) -> None:
    reader, writer = await connect(guarded)
    body = json.dumps({"amount": 100, "params": {"pad": "x" * 200}}).encode()
    writer.write(
        b"POST /play/no-such-session/rounds HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()
    started = time.monotonic()
    sender = asyncio.create_task(trickle(writer, body, every=0.05, until=3))
    raw = await read_until_closed(reader)
    sender.cancel()
    writer.close()
    elapsed = time.monotonic() - started
    assert READ_TIMEOUT * 0.9 <= elapsed < READ_TIMEOUT + SLACK, elapsed
    status, reply = status_and_body(raw)
    assert status == 408 and reply["error"]["code"] == "REQUEST_TIMEOUT"  # type: ignore[index]


async def test_a_body_slower_than_the_header_timeout_but_within_the_read_timeout_is_served(guarded: Sim) -> None:
    reader, writer = await connect(guarded)
    body = b'{"amount": 100}'
    writer.write(
        b"POST /play/no-such-session/rounds HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    await trickle(writer, body, every=(HEADER_TIMEOUT * 1.2) / len(body), until=READ_TIMEOUT * 0.9)
    raw = await read_until_closed(reader)
    writer.close()
    status, reply = status_and_body(raw)
    assert status == 404 and reply["error"]["code"] == "UNKNOWN_SESSION"  # type: ignore[index]


@pytest.fixture
async def capped(tmp_path: Path) -> AsyncIterator[Sim]:
    """Three connections at most, and a header deadline long enough that busy ones are not cut during the test."""
    async with running_sim(Settings(data_dir=tmp_path / "data", port=0, max_connections=3, header_timeout=30)) as sim:
        yield sim


async def test_connections_beyond_the_cap_are_turned_away_at_once(capped: Sim) -> None:
    """When all of them are busy (their requests begun): an idle one would make room instead."""
    guarded = capped
    held = [await connect(guarded) for _ in range(3)]
    for _, writer in held:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    await asyncio.sleep(0.05)
    reader, writer = await connect(guarded)
    started = time.monotonic()
    raw = await read_until_closed(reader)
    writer.close()
    assert time.monotonic() - started < 0.3
    status, body = status_and_body(raw)
    assert status == 503 and body["error"]["code"] == "TOO_MANY_CONNECTIONS"  # type: ignore[index]
    assert b"Retry-After: 1" in raw

    _, first = held.pop()
    first.close()
    await first.wait_closed()
    await asyncio.sleep(0.05)
    reader, writer = await connect(guarded)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    assert (await read_until_closed(reader)).startswith(b"HTTP/1.1 200")
    writer.close()
    for _, other in held:
        other.close()


def test_start_up_objects_are_frozen_out_of_the_collectors_way_and_collections_become_rarer() -> None:
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        freeze_start_up()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY > thresholds[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

"""The operator API takes signed requests only: unsigned, wrongly signed, tampered, stale, replayed and wrong-key
requests are refused with a 401 JSON error; both keys of an operator work; nonces are shared through the database
and purged once expired; every operator key has its rate limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from simulator.auth.nonces import NonceStore, ReplayCacheFull
from simulator.auth.signing import SIGNATURE_HEADER, sign, signature_valid, signed_headers
from simulator.clock import ManualClock
from simulator.openapi import iter_routes
from simulator.settings import Settings
from simulator.state import CLOCK
from simulator.store.database import Database
from tests.harness import Reply, Sim, running_sim

WINDOW = 300


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def timed(settings: Settings, clock: ManualClock) -> AsyncIterator[Sim]:
    async with running_sim(settings, clock=clock) as sim:
        yield sim


async def signed(
    sim: Sim,
    method: str,
    target: str,
    body: Any = None,
    *,
    key: int = 0,
    secret: str | None = None,
    at: float | None = None,
    nonce: str | None = None,
    send_target: str | None = None,
    send_body: bytes | None = None,
) -> tuple[Reply, dict[str, str]]:
    """A request signed by hand, so each part can be got wrong on purpose; returns the headers for replays."""
    raw = b"" if body is None else json.dumps(body).encode()
    operator = list(sim.keys.operator_keys.values())[key]
    now = at if at is not None else sim.app[CLOCK].now()
    headers = signed_headers(
        operator.key_id, (secret or operator.secret).encode(), method, target, raw, now=now, nonce=nonce
    )
    headers["Content-Type"] = "application/json"
    data = send_body if send_body is not None else raw
    reply = await sim.request(method, send_target or target, data=data or None, headers=headers, auth=False)
    return reply, headers


def refused(reply: Reply, code: str) -> None:
    assert reply.status == 401, reply.body
    assert reply.body["error"]["code"] == code, reply.body
    assert reply.body["error"]["message"]


async def test_a_signed_request_is_served(timed: Sim) -> None:
    reply, _ = await signed(timed, "GET", "/v1/studios")
    assert reply.status == 200, reply.body


async def test_unsigned_request_is_refused_with_a_json_401(timed: Sim) -> None:
    async with timed.http.get(timed.url + "/v1/studios", middlewares=()) as response:
        assert response.status == 401
        assert response.content_type == "application/json"
        assert "HMAC-SHA256" in response.headers["WWW-Authenticate"]
        body = await response.json()
    assert body["error"]["code"] == "MISSING_SIGNATURE"
    assert "X-Operator-Signature" in body["error"]["message"]


async def test_every_operator_route_refuses_an_unsigned_request(timed: Sim) -> None:
    operator_routes = [
        (method, path.replace("{", "").replace("}", ""))
        for method, path, handler in iter_routes(timed.app)
        if handler.__route_doc__.auth == "operator"
    ]
    assert {p.split("/")[1] for _, p in operator_routes} == {"v1", "v2"}
    for method, path in operator_routes:
        refused(await timed.request(method, path, {} if method == "POST" else None, auth=False), "MISSING_SIGNATURE")


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        pytest.param({"secret": "not-the-secret-at-all"}, "INVALID_SIGNATURE", id="wrong-secret"),
        pytest.param({"send_target": "/v1/games?limit=2"}, "INVALID_SIGNATURE", id="query-changed"),
        pytest.param({"send_target": "/v2/games?limit=1"}, "INVALID_SIGNATURE", id="path-changed"),
        pytest.param({"nonce": "short"}, "INVALID_NONCE", id="nonce-malformed"),
    ],
)
async def test_wrong_signatures_are_refused(timed: Sim, tamper: dict[str, Any], code: str) -> None:
    reply, _ = await signed(timed, "GET", "/v1/games?limit=1", **tamper)
    refused(reply, code)


async def test_a_changed_body_breaks_the_signature_and_the_reply_shows_what_was_signed(timed: Sim) -> None:
    body = {"round_id": "r-1", "server_seed": "00"}
    reply, _ = await signed(timed, "POST", "/v1/fairness/verify", body, send_body=b'{"round_id": "r-2"}')
    refused(reply, "INVALID_SIGNATURE")
    lines = reply.body["string_to_sign"].split("\n")
    assert lines[:2] == ["POST", "/v1/fairness/verify"]
    assert len(lines) == 5 and len(lines[4]) == 64


@pytest.mark.parametrize(
    ("header", "value", "code"),
    [
        pytest.param("X-Operator-Timestamp", "yesterday", "INVALID_TIMESTAMP", id="timestamp-not-a-number"),
        pytest.param("X-Operator-Key", "nobody", "UNKNOWN_KEY", id="unknown-key"),
        pytest.param(SIGNATURE_HEADER, "sha256=\u00e9\u00e9", "INVALID_SIGNATURE", id="non-ascii-signature"),
        pytest.param("X-Operator-Nonce", "", "MISSING_SIGNATURE", id="nonce-missing"),
    ],
)
async def test_malformed_headers_are_refused(timed: Sim, header: str, value: str, code: str) -> None:
    _, headers = await signed(timed, "GET", "/v1/studios")
    headers = headers | {header: value, "X-Operator-Nonce": headers["X-Operator-Nonce"][::-1]}
    if header == "X-Operator-Nonce":
        headers[header] = value
    refused(await timed.request("GET", "/v1/studios", headers=headers, auth=False), code)


async def test_stale_and_future_timestamps_are_refused(timed: Sim, clock: ManualClock) -> None:
    now = clock.now()
    refused((await signed(timed, "GET", "/v1/studios", at=now - WINDOW - 1))[0], "STALE_TIMESTAMP")
    refused((await signed(timed, "GET", "/v1/studios", at=now + WINDOW + 1))[0], "STALE_TIMESTAMP")
    assert (await signed(timed, "GET", "/v1/studios", at=now - WINDOW))[0].status == 200


async def test_a_replayed_request_is_refused(timed: Sim) -> None:
    first, headers = await signed(timed, "GET", "/v1/studios")
    assert first.status == 200
    refused(await timed.request("GET", "/v1/studios", headers=headers, auth=False), "REPLAYED_NONCE")


async def test_a_nonce_is_per_key(timed: Sim) -> None:
    nonce = "n" * 32
    assert (await signed(timed, "GET", "/v1/studios", key=0, nonce=nonce))[0].status == 200
    assert (await signed(timed, "GET", "/v1/studios", key=1, nonce=nonce))[0].status == 200
    refused((await signed(timed, "GET", "/v1/studios", key=1, nonce=nonce))[0], "REPLAYED_NONCE")


async def test_one_keys_secret_does_not_sign_for_the_other(timed: Sim) -> None:
    other = list(timed.keys.operator_keys.values())[1].secret
    refused((await signed(timed, "GET", "/v1/studios", key=0, secret=other))[0], "INVALID_SIGNATURE")


async def test_both_keys_of_the_development_operator_work(timed: Sim) -> None:
    keys = list(timed.keys.operator_keys.values())
    assert len(keys) == 2 and keys[0].operator_id == keys[1].operator_id
    for index in (0, 1):
        reply, _ = await signed(timed, "GET", "/v1/studios", key=index)
        assert reply.status == 200, reply.body


async def test_rotation_without_downtime(tmp_path: Path) -> None:
    """Old key live, new key added (both work), old key retired (only the new one works)."""
    old = {"key_id": "acme-2025", "secret": "o" * 40}
    new = {"key_id": "acme-2026", "secret": "n" * 40}
    base = Settings(data_dir=tmp_path / "data", port=0)
    stages = [([old], ["acme-2025"], []), ([old, new], ["acme-2025", "acme-2026"], []), ([new], ["acme-2026"], [0])]
    for keys, works, gone in stages:
        settings = base.model_copy(update={"operators": Settings(operators={"acme": {"keys": keys}}).operators})
        async with running_sim(settings) as sim:
            assert list(sim.keys.operator_keys) == works
            for index in range(len(works)):
                assert (await signed(sim, "GET", "/v1/studios", key=index))[0].status == 200
            for _ in gone:
                headers = signed_headers(old["key_id"], old["secret"].encode(), "GET", "/v1/studios", b"", now=0)
                refused(await sim.request("GET", "/v1/studios", headers=headers, auth=False), "UNKNOWN_KEY")


async def test_nonces_are_shared_by_processes_on_one_database(tmp_path: Path, database_url: str) -> None:
    """Two simulators on one database (SQLite file or PostgreSQL schema): a request one served, the other refuses."""
    settings = Settings(data_dir=tmp_path / "data", port=0, database_url=database_url)
    async with running_sim(settings) as a, running_sim(settings) as b:
        first, headers = await signed(a, "GET", "/v1/studios")
        assert first.status == 200
        refused(await b.request("GET", "/v1/studios", headers=headers, auth=False), "REPLAYED_NONCE")


async def test_expired_nonces_are_purged_and_the_store_is_bounded(db: Database) -> None:
    clock = ManualClock()
    store = NonceStore(db, clock, capacity=3, purge_interval=10)
    await store.migrate()
    expires = clock.now() + 60
    assert [await store.remember("k", f"n{i}", expires) for i in range(2)] == [True] * 2
    assert not await store.remember("k", "n0", expires)
    assert await store.remember("k", "n2", expires)
    with pytest.raises(ReplayCacheFull):
        await store.remember("k", "n3", expires)
    clock.advance(61)
    assert await store.remember("k", "n3", clock.now() + 60)  # the expired three were purged first
    assert await store.count() == 1
    assert await store.remember("k", "n0", clock.now() + 60)  # a nonce may come back once its time is over


async def test_an_expired_nonce_may_be_reused(timed: Sim, clock: ManualClock) -> None:
    nonce = "r" * 24
    assert (await signed(timed, "GET", "/v1/studios", nonce=nonce))[0].status == 200
    clock.advance(2 * WINDOW + 1)
    assert (await signed(timed, "GET", "/v1/studios", nonce=nonce))[0].status == 200


async def test_rate_limit_per_key_with_retry_after(tmp_path: Path) -> None:
    clock = ManualClock()
    settings = Settings(data_dir=tmp_path / "data", port=0, rate_limit=2.0, rate_burst=3)
    async with running_sim(settings, clock=clock) as sim:
        statuses = [(await signed(sim, "GET", "/v1/studios"))[0].status for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited, _ = await signed(sim, "GET", "/v1/studios")
        assert limited.status == 429 and limited.body["error"]["code"] == "RATE_LIMITED"
        async with sim.http.get(sim.url + "/v1/studios") as response:
            assert response.status == 429
            assert response.headers["Retry-After"] == "1"
        assert (await signed(sim, "GET", "/v1/studios", key=1))[0].status == 200  # the other key has its own
        clock.advance(0.5)
        assert (await signed(sim, "GET", "/v1/studios"))[0].status == 200
        assert (await signed(sim, "GET", "/v1/studios"))[0].status == 429
        assert (await sim.request("GET", "/healthz")).status == 200  # only operator keys are limited


@hypothesis.given(
    method=st.text(max_size=8),
    target=st.text(max_size=200),
    timestamp=st.text(max_size=20),
    nonce=st.text(max_size=80),
    body=st.binary(max_size=300),
    signature=st.text(max_size=100),
)
@hypothesis.settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_signature_check_only_answers_true_or_false(
    method: str, target: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> None:
    secret = b"s" * 32
    assert signature_valid(secret, method, target, timestamp, nonce, body, signature) is False
    good = sign(secret, method, target, timestamp, nonce, body)
    assert signature_valid(secret, method, target, timestamp, nonce, body, good) is True

"""The operator-facing settlement routes: rounds by status, the transaction feed, the report."""

from __future__ import annotations

from simulator import __version__
from simulator.openapi import build_openapi
from tests.simulator.settlement.conftest import World


async def play_rounds(world: World, n: int) -> list[str]:
    player = await world.player(100_000)
    token = await world.session(player)
    ids = []
    for _ in range(n):
        reply = await world.sim.play(token, 100)
        assert reply.status == 200, reply.body
        ids.append(str(reply.body["round_id"]))
        world.clock.advance(1)  # rounds are listed by creation time
    return ids


async def test_rounds_page_by_status_with_a_cursor(world: World) -> None:
    ids = await play_rounds(world, 5)
    await world.settle()  # a win that missed the 0.2 s wallet timeout on a busy machine is closed by the worker
    first = await world.sim.request("GET", "/v1/rounds?status=closed&limit=3")
    assert first.status == 200
    assert [r["round_id"] for r in first.body["rounds"]] == ids[:3]
    rest = await world.sim.request("GET", f"/v1/rounds?status=closed&cursor={first.body['next_cursor']}")
    assert [r["round_id"] for r in rest.body["rounds"]] == ids[3:]
    assert rest.body["next_cursor"] is None
    unsettled = await world.sim.request("GET", "/v1/rounds?status=unsettled")
    assert unsettled.body["rounds"] == []


async def test_bad_round_queries_are_4xx_json(world: World) -> None:
    for query, code in (
        ("status=lost", "INVALID_STATUS"),
        ("limit=0", "INVALID_REQUEST"),
        ("limit=x", "INVALID_REQUEST"),
    ):
        reply = await world.sim.request("GET", f"/v1/rounds?{query}")
        assert reply.status == 400 and reply.body["error"]["code"] == code, query


async def test_transaction_feed_filters_and_carries_what_reconciliation_needs(world: World) -> None:
    ids = await play_rounds(world, 3)
    feed = await world.sim.request("GET", f"/v1/transactions?round_id={ids[1]}")
    assert [t["kind"] for t in feed.body["transactions"]] == ["bet", "win"]
    bet, win = feed.body["transactions"]
    assert win["reference_transaction_id"] == bet["transaction_id"]
    assert {"game_id", "studio_id", "updated_at", "next_attempt_at", "round_closed"} <= set(win)
    wins = await world.sim.request("GET", "/v1/transactions?kind=win&status=acked&limit=2")
    assert [t["kind"] for t in wins.body["transactions"]] == ["win", "win"]
    after = await world.sim.request("GET", f"/v1/transactions?kind=win&after={wins.body['next_after']}")
    assert len(after.body["transactions"]) == 1
    for query in ("kind=deposit", "status=done", "after=-1", "limit=5000"):
        reply = await world.sim.request("GET", f"/v1/transactions?{query}")
        assert reply.status == 400 and reply.body["error"]["code"] == "INVALID_REQUEST", query


async def test_settlement_report_counts(world: World) -> None:
    await play_rounds(world, 2)
    report = await world.sim.request("GET", "/admin/settlement")
    assert report.status == 200
    assert report.body["rounds"] == {"closed": 2}
    assert report.body["transactions"] == {"bet": {"acked": 2}, "win": {"acked": 2}}
    assert (report.body["pending"], report.body["oldest_pending_age"], report.body["needs_attention"]) == (
        0,
        None,
        0,
    )


async def test_every_route_is_documented(world: World) -> None:
    document, undocumented = build_openapi(world.sim.app, title="t", version=__version__)
    assert undocumented == []
    assert {"/v1/rounds", "/admin/settlement"} <= set(document["paths"])

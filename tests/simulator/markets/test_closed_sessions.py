"""A regulated session's close is written on the session's own row too, once, so the expiry sweep never closes it
again; sessions the gate closed before that row recorded closes are marked by the markets' migration 2."""

from __future__ import annotations

from dataclasses import replace

from simulator.markets import store as markets
from simulator.store.database import Database, Tx
from simulator.store.provider import ProviderStore
from tests.simulator.store.test_provider_store import NOW, session


async def test_the_gates_close_is_the_sessions_and_the_sweep_leaves_it(db: Database) -> None:
    store = ProviderStore(db)
    await store.migrate()
    market = markets.MarketStore(db)
    await market.migrate()
    announced: list[tuple[str, str]] = []

    async def sink(tx: Tx, token: str, now: float) -> None:
        row = await tx.fetchone("SELECT closed_reason FROM sessions WHERE token = ?", token)
        assert row is not None
        announced.append((token, row["closed_reason"]))

    market.subscribe(sink)
    store.sessions.subscribe(sink)
    await store.sessions.create(replace(session("limited"), expires_at=NOW + 60))
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO session_markets (token, rules, started_at, status, updated_at) VALUES (?, '{}', ?, ?, ?)",
            "limited",
            NOW,
            markets.ACTIVE,
            NOW,
        )
    assert await market.move("limited", markets.ACTIVE, markets.CLOSED, NOW + 10, reason="loss_limit")
    assert await store.sessions.close_expired(NOW + 3_600) == 0
    assert announced == [("limited", "loss_limit")]


async def test_sessions_the_gate_closed_before_the_upgrade_are_marked_closed(db: Database) -> None:
    store = ProviderStore(db)
    await store.migrate()
    await db.migrate("markets", markets.MIGRATIONS[:1])  # the release before sessions recorded closes
    for token in ("quit", "open"):
        await store.sessions.create(replace(session(token), expires_at=NOW + 60))
    async with db.transaction() as tx:
        for token, status, reason in (("quit", markets.CLOSED, "player_quit"), ("open", markets.ACTIVE, None)):
            await tx.execute(
                "INSERT INTO session_markets (token, rules, started_at, status, closed_reason, updated_at)"
                " VALUES (?, '{}', ?, ?, ?, ?)",
                token,
                NOW,
                status,
                reason,
                NOW + 30,
            )
    await markets.MarketStore(db).migrate()
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT token, closed_at, closed_reason FROM sessions ORDER BY token")
    assert [(r["token"], r["closed_at"], r["closed_reason"]) for r in rows] == [
        ("open", None, None),
        ("quit", NOW + 30, "player_quit"),
    ]
    assert await store.sessions.close_expired(NOW + 60) == 1  # the open one, expired

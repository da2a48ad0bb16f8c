"""The store moves a round only by the lifecycle's table: every event from a status the table does not allow it from
is refused, with the round as it was; every allowed one moves it to the event's target."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator.lifecycle import ROUND_TRANSITIONS, RoundEvent, RoundStatus
from simulator.store.database import Database
from simulator.store.provider import ProviderStore
from simulator.store.transitions import transition
from tests.simulator.store.test_provider_store import NOW, open_with, round_, session, tx

ILLEGAL = [
    pytest.param(status, event, id=f"{status}-{event.replace(' ', '_')}")
    for status in RoundStatus
    for event in RoundEvent
    if status not in ROUND_TRANSITIONS[event].sources
]
LEGAL = [
    pytest.param(status, event, id=f"{status}-{event.replace(' ', '_')}")
    for event, move in ROUND_TRANSITIONS.items()
    for status in move.sources
]


@pytest.fixture
async def store(db: Database) -> AsyncIterator[ProviderStore]:
    s = ProviderStore(db)
    await s.migrate()
    await s.sessions.create(session())
    yield s


async def apply(store: ProviderStore, status: RoundStatus, event: RoundEvent) -> bool:
    await open_with(store, round_("r1", status=status), tx("r1"))
    async with store.db.transaction() as t:
        return await transition(t, "r1", event, NOW + 1)


def test_every_status_and_event_is_either_legal_or_illegal() -> None:
    assert len(ILLEGAL) + len(LEGAL) == len(RoundStatus) * len(RoundEvent)
    assert ILLEGAL and LEGAL


@pytest.mark.parametrize(("status", "event"), ILLEGAL)
async def test_an_illegal_transition_is_refused_and_changes_nothing(
    store: ProviderStore, status: RoundStatus, event: RoundEvent
) -> None:
    before = await store.rounds.get("r1")
    assert before is None
    assert not await apply(store, status, event)
    after = await store.rounds.get("r1")
    assert after is not None
    assert (after.status, after.version, after.updated_at) == (status, 0, NOW)


@pytest.mark.parametrize(("status", "event"), LEGAL)
async def test_a_legal_transition_moves_the_round_to_its_target(
    store: ProviderStore, status: RoundStatus, event: RoundEvent
) -> None:
    assert await apply(store, status, event)
    after = await store.rounds.get("r1")
    assert after is not None
    move = ROUND_TRANSITIONS[event]
    assert (after.status, after.version, after.updated_at) == (move.target, int(move.versioned), NOW + 1)

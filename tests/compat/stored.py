"""What the simulator stored, read from its store: the tests of both profiles count the campaigns a race left."""

from __future__ import annotations

from simulator.state import STORE
from tests.harness import Sim


async def campaigns(sim: Sim) -> list[tuple[str, list[str]]]:
    """Every campaign on the server with its players."""
    store = sim.app[STORE].campaigns
    return [
        (c.campaign_id, [a.player_id for a in await store.assignments(c.campaign_id)])
        for c in await store.page(after=None, limit=100)
    ]

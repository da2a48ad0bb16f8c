"""Every engine variant by id. The catalogue, the play API and the RTP tools look engines up here and nowhere else."""

from __future__ import annotations

from functools import cache

from games.engine import AnyEngine
from games.errors import UnknownEngine


@cache
def _engines() -> dict[str, AnyEngine]:
    from games.instant import ENGINES as instant
    from games.slots import ENGINES as slots
    from games.table import ENGINES as table

    merged: dict[str, AnyEngine] = {}
    for group in (slots, table, instant):
        for engine_id, engine in group.items():
            if engine_id in merged:
                raise RuntimeError(f"engine id {engine_id!r} is registered twice")
            merged[engine_id] = engine
    return merged


def engine_ids() -> list[str]:
    return sorted(_engines())


def get_engine(engine_id: str) -> AnyEngine:
    try:
        return _engines()[engine_id]
    except KeyError:
        raise UnknownEngine(f"no game engine {engine_id!r}") from None

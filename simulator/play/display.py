"""What a game client needs to draw an engine's rounds: its family (which browser module draws it) and the fixed
shape of its board (a slot's rows, paylines and special symbols, a roulette table's pockets, the mines grid...).

It is read from the engines themselves, never restated, so a client draws the board the engine plays on.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from games.engine import AnyEngine
from games.instant import keno, mines, plinko, wheel
from games.registry import get_engine
from games.slots.engine import SlotEngine
from games.table.roulette import RouletteEngine

FAMILIES = ("slots", "roulette", "blackjack", "baccarat", "dice", "limbo", "crash", "plinko", "mines", "keno", "wheel")
"""Every client family; ``simulator/play/static/<module>.js`` draws each (``MODULES``)."""

MODULES = {
    "slots": "slots.js",
    "roulette": "roulette.js",
    "blackjack": "cards.js",
    "baccarat": "cards.js",
    "mines": "mines.js",
    **{name: "instant.js" for name in ("dice", "limbo", "crash", "plinko", "keno", "wheel")},
}


def family(engine_id: str) -> str:
    """The client family that draws ``engine_id``'s outcomes; a live table's bets (``live-roulette-european``...)
    are drawn by the family of the game the table deals (the table's own page is ``simulator/live/client.html``)."""
    engine_id = engine_id.removeprefix("live-")
    for name in FAMILIES:
        if engine_id == name or engine_id.startswith("slot-" if name == "slots" else name + "-"):
            return name
    raise ValueError(f"no game client draws engine {engine_id!r}")


@cache
def board(engine_id: str) -> dict[str, Any]:
    """The engine's family, client module, default bet parameters and board shape (JSON, cached per engine)."""
    engine = get_engine(engine_id)
    kind = family(engine_id)
    shape: dict[str, Any] = {
        "family": kind,
        "module": MODULES[kind],
        "multi_step": engine.multi_step,
        "reference_params": engine.reference_params(),
    }
    return shape | _shape(kind, engine)


def _shape(kind: str, engine: AnyEngine) -> dict[str, Any]:
    if isinstance(engine, SlotEngine):
        model = engine.model
        return {
            "rows": model.rows,
            "reels": 5,
            "ways": model.ways,
            "lines": [list(line) for line in model.lines],
            "wild": model.symbols[model.wild],
            "scatter": model.symbols[model.scatter],
            "bet_units": model.bet_units,
        }
    if isinstance(engine, RouletteEngine):
        return engine.felt()
    if kind == "mines":
        return {"tiles": mines.TILES}
    if kind == "keno":
        return {"numbers": keno.NUMBERS, "max_picks": keno.MAX_PICKS, "drawn": keno.DRAWN}
    if kind == "plinko":
        return {"risks": list(plinko.RISKS), "min_rows": plinko.MIN_ROWS, "max_rows": plinko.MAX_ROWS}
    if kind == "wheel":
        return {"risks": list(wheel.RISKS), "segments": list(wheel.SEGMENTS)}
    return {}

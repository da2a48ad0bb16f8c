"""Slot engines: every RTP variant of every model in ``games/slots/sheets``, by engine id ``slot-<model>-<rtp>``.

- ``classic20``: 5x3, 20 lines, low volatility; free spins pay double.
- ``jungle25``: 5x3, 25 lines, medium volatility; free spins pay triple on wild-rich strips.
- ``temple30``: 5x3, 30 lines, high volatility; stacked premium symbols, free spins pay five times.
- ``ways243``: 5x3, 243 ways (wilds on reels 2-4), medium volatility; free spins pay double.
- ``boost20``: 5x3, 20 lines; each free spin draws a win multiplier (x1 to x10); the feature can be bought for 100x.

Every model has a wild, a scatter that pays anywhere and triggers free spins, and retriggers; the RTP variants (96.5,
94.0, 92.0) differ only in their base-game strips (and, for ``boost20``, free-spin strips, so the bonus buy tracks the
variant).
"""

from games.engine import AnyEngine
from games.slots.engine import SlotEngine
from games.slots.model import load_model

MODELS = ("classic20", "jungle25", "temple30", "ways243", "boost20")

ENGINES: dict[str, AnyEngine] = {
    engine.engine_id: engine
    for engine in (SlotEngine(model, variant) for model in map(load_model, MODELS) for variant in model.variants)
}

__all__ = ["ENGINES", "MODELS", "SlotEngine"]

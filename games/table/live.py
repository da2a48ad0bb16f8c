"""Live tables' game math: the same roulette and baccarat as the single-player tables, shared by every player.

A live table draws one result per table round and settles every player's bets against it. Each player's round is
played by ``play`` over the table round's own random stream, so the first draws (the pocket, the cards) are the same
for everyone at the table, and any player's round can be recomputed like any other round. ``table_result`` is that
shared part alone, as the table shows it before anyone's bets are settled.

The engines differ from their single-player twins only in their category (``live``): the catalogue lists them in the
live category and the play API refuses single-player rounds on them.
"""

from __future__ import annotations

from typing import Any

from games.engine import JSON
from games.instant.live_crash import LiveCrashEngine
from games.rng import RandomSource
from games.table.baccarat import BaccaratEngine
from games.table.roulette import RouletteEngine
from games.table.roulette_layout import make_layout

_SHARED_ROULETTE = ("pocket", "label", "color")
_SHARED_BACCARAT = ("player", "banker", "result", "player_pair", "banker_pair")


class LiveRouletteEngine(RouletteEngine):
    category = "live"

    def table_result(self, rng: RandomSource) -> JSON:
        """The pocket the ball fell in, with its label and colour."""
        detail = self.play(1, self.reference_params(), rng).detail
        return {key: detail[key] for key in _SHARED_ROULETTE}

    @staticmethod
    def road_entry(result: JSON) -> Any:
        return result["pocket"]


class LiveBaccaratEngine(BaccaratEngine):
    engine_id = "live-baccarat"
    category = "live"

    def table_result(self, rng: RandomSource) -> JSON:
        """Both hands, the winner and the pairs."""
        detail = self.play(1, self.reference_params(), rng).detail
        return {key: detail[key] for key in _SHARED_BACCARAT}

    @staticmethod
    def road_entry(result: JSON) -> Any:
        """The bead road's letter: P, B or T, with the pairs that came."""
        letter = {"player": "P", "banker": "B", "tie": "T"}[result["result"]]
        return {"winner": letter, "player_pair": result["player_pair"], "banker_pair": result["banker_pair"]}


LiveEngine = LiveRouletteEngine | LiveBaccaratEngine | LiveCrashEngine


def live_engines() -> dict[str, LiveEngine]:
    european = make_layout("european", american=False, la_partage=False)
    return {
        "live-roulette-european": LiveRouletteEngine("live-roulette-european", european),
        "live-baccarat": LiveBaccaratEngine(),
    }

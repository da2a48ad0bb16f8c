"""Table engines: roulette (European, American, French), blackjack tables, baccarat, and the live roulette and
baccarat tables (``games.table.live``)."""

from games.engine import AnyEngine
from games.table.baccarat import BaccaratEngine
from games.table.blackjack_variants import blackjack_engines
from games.table.live import live_engines
from games.table.roulette import roulette_engines

ENGINES: dict[str, AnyEngine] = {
    **roulette_engines(),
    **blackjack_engines(),
    "baccarat": BaccaratEngine(),
    **live_engines(),
}

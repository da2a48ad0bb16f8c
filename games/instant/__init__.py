"""Instant engines: dice, limbo, crash, plinko, mines, keno and wheel; and live crash, whose table runs on a hash
chain (its category is live)."""

from games.engine import AnyEngine
from games.instant.crash import CrashEngine
from games.instant.dice import DiceEngine
from games.instant.keno import KenoEngine
from games.instant.limbo import LimboEngine
from games.instant.live_crash import LiveCrashEngine
from games.instant.mines import MinesEngine
from games.instant.plinko import PlinkoEngine
from games.instant.wheel import WheelEngine

ENGINES: dict[str, AnyEngine] = {
    engine.engine_id: engine
    for engine in (
        DiceEngine(),
        LimboEngine(),
        CrashEngine(),
        PlinkoEngine(),
        MinesEngine(),
        KenoEngine(),
        WheelEngine(),
        LiveCrashEngine(),
    )
}

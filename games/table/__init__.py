"""table engines."""

from games.engine import AnyEngine

ENGINES: dict[str, AnyEngine] = {}

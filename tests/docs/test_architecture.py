"""docs/architecture.md stays a true map: every path it names exists, and every package and top-level module of
the server, the game library and the client SDK is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = (ROOT / "docs" / "architecture.md").read_text()
ROOMS = "simulator|simulator_sdk|games|tests|bench|loadtests|scenarios|docs|examples"
NAMED = set(re.findall(rf"`((?:{ROOMS})/[^`\s]*)`", MAP))


def test_every_path_the_map_names_exists() -> None:
    assert len(NAMED) > 40
    missing = sorted(path for path in NAMED if not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names rooms that do not exist: {missing}"


def test_every_package_and_top_level_module_is_on_the_map() -> None:
    rooms = [
        f"{top}/{child.name}/" if child.is_dir() else f"{top}/{child.name}"
        for top in ("simulator", "games", "simulator_sdk")
        for child in sorted((ROOT / top).iterdir())
        if (child.is_dir() and (child / "__init__.py").exists())
        or (child.suffix == ".py" and child.name not in {"__init__.py", "__main__.py"})
    ]
    unnamed = [room for room in rooms if room not in NAMED and room.rstrip("/") not in NAMED]
    assert not unnamed, f"docs/architecture.md leaves these rooms off the map: {unnamed}"

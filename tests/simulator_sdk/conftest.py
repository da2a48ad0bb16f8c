from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.settings import Settings
from tests.live_server import LiveServer


@dataclass(frozen=True)
class Live:
    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The simulator on a loopback socket in its own thread, so the sync client may call it from the test."""
    data = tmp_path_factory.mktemp("sdk") / "data"
    with LiveServer(Settings(data_dir=data, port=0, catalog_change_interval=0)) as server:
        yield Live(server.url, data)

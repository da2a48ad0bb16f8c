"""The data directory holds live session tokens, unrevealed server seeds, the ledger, credentials and keys: only
the server's user may read any of it, whatever the umask the server was started with."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.settings import Settings
from tests.harness import running_sim


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


async def test_the_data_directory_is_0700_and_everything_in_it_0600(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    async with running_sim(Settings(data_dir=data, port=0)) as sim:
        player = await sim.create_player(10_000)
        session = await sim.launch(player, await sim.game_for("dice"))
        assert (await sim.play(session["session_token"], 100)).status == 200
        files = sorted(p for p in data.rglob("*") if p.is_file())
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    names = set(modes)
    assert {"simulator.sqlite3", "simulator.sqlite3-wal", "wallet.sqlite3", "credentials.json"} <= names, names
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {name: oct(mode) for name, mode in modes.items() if mode != 0o600} == {}
    assert not [p for p in data.rglob("*") if p.is_dir()]  # nothing hides in a subdirectory with its own mode


async def test_files_from_an_older_release_are_tightened_when_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_sim(Settings(data_dir=data, port=0)):
        pass
    for path in data.iterdir():
        path.chmod(0o644)
    async with running_sim(Settings(data_dir=data, port=0)):
        pass
    for name in ("simulator.sqlite3", "wallet.sqlite3", "credentials.json"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name

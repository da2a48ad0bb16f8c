"""What a round binds to SQLite statements: only the types sqlite3 binds directly. Any other value (an enum member,
a str or int subclass) goes through sqlite3's adaptation protocol, which looks for adapters and raises and clears
AttributeErrors on every bind: a cost every round paid for its statuses and kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.settings import Settings
from simulator.store import sqlite
from tests.harness import running_sim

BOUND_AS_IS = (int, float, str, bytes, type(None))


async def test_a_round_binds_only_plain_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    adapted: list[tuple[str, str]] = []
    bound = 0
    run = sqlite._SqliteTx._run

    def watched(self: sqlite._SqliteTx, sql: str, args: tuple[Any, ...]) -> Any:
        nonlocal bound
        bound += len(args)
        adapted.extend((sql.split(" (")[0], type(a).__name__) for a in args if type(a) not in BOUND_AS_IS)
        return run(self, sql, args)

    async with running_sim(Settings(data_dir=tmp_path / "data", port=0), settlement_worker=False) as sim:
        player = await sim.create_player(10**9)
        token = (await sim.launch(player, await sim.game_for("dice")))["session_token"]
        monkeypatch.setattr(sqlite._SqliteTx, "_run", watched)
        for target in ("2.00", "98.00"):  # mostly a loss, then mostly a win: both kinds of closing win
            for _ in range(5):
                reply = await sim.play(token, 100, {"target": target, "direction": "over"})
                assert reply.status == 200, reply.body
    assert bound > 0  # the watch saw the round's statements
    assert adapted == []

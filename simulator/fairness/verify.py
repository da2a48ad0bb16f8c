"""Recompute a round from its fairness inputs: the same engine, stake and parameters over the same byte stream give
the same outcome, bit for bit, so anyone holding the revealed server seed can check any round."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from games.engine import Outcome
from games.registry import get_engine
from simulator.fairness.source import RngMapping, RngMode, round_source


def recompute(
    engine_id: str,
    server_seed: str,
    client_seed: str,
    nonce: int,
    stake: int,
    params: Mapping[str, Any],
    *,
    mode: RngMode = "provably-fair",
    mapping: RngMapping = "compatible",
) -> dict[str, Any]:
    """The outcome as the play API reported it: ``detail`` plus ``win`` for single-step games, and the opening
    state of multi-step games (everything random in them is decided at opening)."""
    engine = get_engine(engine_id)
    stream = round_source(mode, mapping, server_seed, client_seed, nonce)
    if engine.multi_step:
        result: dict[str, Any] = {"state": engine.open(stake, params, stream).state}
    else:
        outcome: Outcome = engine.play(stake, params, stream)
        result = {"win": outcome.win, "detail": outcome.detail}
    # the same JSON normal form the round record was stored in, so comparisons are exact
    normal: dict[str, Any] = json.loads(json.dumps(result))
    return normal

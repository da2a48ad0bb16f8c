"""The jackpot feed for lobbies: every jackpot of the catalogue with its pools' current values per currency.

A pool no round has fed yet shows its seed. The ``ETag`` is a digest of the answer, so it changes exactly when a
value does: a lobby polling with ``If-None-Match`` gets 304 until someone plays a jackpot game.
"""

from __future__ import annotations

import hashlib
from typing import Any

from simulator.catalog.models import Catalog
from simulator.store.jackpots import Pool


def feed(catalog: Catalog, pools: list[Pool]) -> dict[str, Any]:
    stored = {(p.jackpot_id, p.currency): p for p in pools}
    jackpots: dict[str, dict[str, Any]] = {}
    for game in sorted(catalog.games.values(), key=lambda g: g.game_id):
        terms = game.jackpot
        if terms is None or not game.enabled:
            continue
        entry = jackpots.setdefault(
            terms.jackpot_id,
            {
                "jackpot_id": terms.jackpot_id,
                "games": [],
                "contribution_bp": terms.contribution_bp,
                "trigger_odds": terms.trigger_odds,
                "pools": {},
            },
        )
        entry["games"].append(game.game_id)
        for currency, seed in terms.seed.items():
            pool = stored.get((terms.jackpot_id, currency))
            entry["pools"][currency] = {
                "currency": currency,
                "value": seed if pool is None else pool.value,
                "seed": seed if pool is None else pool.seed,
                "wins": 0 if pool is None else pool.wins,
                "updated_at": None if pool is None else pool.updated_at,
            }
    out = [j | {"pools": [j["pools"][c] for c in sorted(j["pools"])]} for _, j in sorted(jackpots.items())]
    return {"jackpots": out}


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(header: str, tag: str) -> bool:
    return header.strip() == "*" or any(t.strip().removeprefix("W/") == tag for t in header.split(","))

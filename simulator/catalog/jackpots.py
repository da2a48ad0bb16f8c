"""Progressive jackpots declared in the catalogue: which games feed a pool, and on what terms.

A jackpot game's round puts a share of its stake in the pool of its jackpot and currency, then draws the trigger
from the same provably-fair stream, after every draw the engine made, so the game's own outcome is the one it would
be without the jackpot and anyone holding the revealed seed can replay the trigger. The share is
``stake * contribution_bp // 10_000`` minor units: rounded down, so a pool never holds more than the stakes put in
(what the rounding leaves stays with the provider, as the bet does). The trigger fires when ``index(trigger_odds)``
is 0: a probability of exactly ``1 / trigger_odds`` per round, whatever the stake.

The terms are fixed vocabulary: changing them changes every seed's catalogue, like ``simulator.catalog.data``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from games.rng import RandomSource

BASIS_POINTS = 10_000


class JackpotTerms(BaseModel):
    model_config = ConfigDict(frozen=True)

    jackpot_id: str = Field(description="The pool's name; one pool per jackpot and currency.")
    contribution_bp: int = Field(gt=0, lt=BASIS_POINTS, description="Share of each stake fed to the pool (bp).")
    trigger_odds: int = Field(gt=1, description="The pool is won with probability 1 / trigger_odds per round.")
    seed_usd_cents: int = Field(gt=0, description="The value a pool starts at and resets to, in US cents.")
    seed: dict[str, int] = Field(
        default_factory=dict, description="The seed in minor units per currency of the game (from seed_usd_cents)."
    )

    def contribution(self, stake: int) -> int:
        """Minor units of ``stake`` the pool receives (rounded down)."""
        return stake * self.contribution_bp // BASIS_POINTS

    def triggered(self, stream: RandomSource) -> bool:
        """Draws the trigger from what is left of the round's stream."""
        return stream.index(self.trigger_odds) == 0

    @property
    def rtp_share(self) -> float:
        """The jackpot's part of the return to player, as a fraction of stakes (what the pool pays in the long run)."""
        return self.contribution_bp / BASIS_POINTS


JACKPOTS: dict[str, JackpotTerms] = {
    # engine id of a reference title -> its jackpot
    "slot-temple30-940": JackpotTerms(
        jackpot_id="temple-grand", contribution_bp=150, trigger_odds=50_000, seed_usd_cents=50_000
    ),
    "slot-jungle25-940": JackpotTerms(
        jackpot_id="jungle-mega", contribution_bp=100, trigger_odds=20_000, seed_usd_cents=20_000
    ),
}
"""The reference titles that carry a progressive jackpot: only these games advertise the ``jackpot`` feature."""

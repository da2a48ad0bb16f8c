"""Amounts the checks stake, and steps several checks share."""

from __future__ import annotations

from simulator.conformance.context import Context, Sent
from simulator.conformance.players import Player

STAKE = 100  # minor units: 1.00 USD
WIN = 250


async def restore_after(ctx: Context, player: Player, *bets: Sent) -> None:
    """An operator's player gets its stakes back once the check has judged them."""
    await ctx.restore(player, bets)

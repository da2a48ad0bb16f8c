"""Bonus play: free spins that cost no cash, and promotional wins paid once."""

from __future__ import annotations

from simulator.conformance.checks.common import STAKE
from simulator.conformance.context import Context
from simulator.conformance.players import Want
from simulator.conformance.registry import check


@check(
    "bonus.free-spin-bet",
    "A free-spin bet does not debit cash",
    why="""Free spins are granted by the operator and played by the studio; their bets carry the campaign.
    A wallet that ignores it charges the player real money for a spin they were given.""",
)
async def free_spin_bet(ctx: Context) -> None:
    player = await ctx.player(Want(role="bonus"))
    assert player.campaign_id is not None
    before = await ctx.balance(player, "cash balance before")
    bet = await ctx.bet(
        player, STAKE, f"free-spin bet of campaign {player.campaign_id}", bonus={"campaign_id": player.campaign_id}
    )
    ctx.expect_ok(bet, "free-spin bet", before)
    await ctx.expect_balance(player, before, "cash balance afterwards")
    await ctx.restore(player, [bet])


@check(
    "bonus.promo-jackpot-once",
    "Promotional and jackpot wins are paid once per transaction id",
    requires=("win_only",),
    why="""Prizes without a bet are retried like any win. With no bet to tie them to, the transaction id is
    the only thing that makes a retry a retry: a wallet that pays every copy multiplies the prize.""",
)
async def promo_jackpot_once(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    promo = await ctx.send(ctx.call(player, "win", 300, closed=True), "a promotional win")
    ctx.expect_ok(promo, "a promotional win", before + 300, required=True)
    again = await ctx.resend(promo, "the same promotional win again")
    ctx.expect_ok(again, "the same promotional win again", before + 300)
    jackpot = await ctx.send(ctx.call(player, "win", 700, closed=True), "a jackpot win")
    ctx.expect_ok(jackpot, "a jackpot win", before + 1_000, required=True)
    retry = await ctx.send(
        jackpot.call, "a retry of it (new request id)", ctx.wire.renewed(ctx.wire.build(jackpot.call))
    )
    ctx.expect_ok(retry, "a retry of it (new request id)", before + 1_000)
    await ctx.expect_balance(player, before + 1_000)

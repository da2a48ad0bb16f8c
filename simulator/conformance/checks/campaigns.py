"""Provider bonuses: free rounds of a provider's campaign, the campaign's total and promotional payouts (docs/bonus.md).

A wallet may credit bonus wins as cash or as bonus money; these checks hold it to what matters either way: a free
round never debits cash, and a campaign total or promotional payout adds its amount to the player's money once, however
often it is retried. The player's money is the cash balance, plus the bonus balance when the reference wallet's
sandbox can show it; with an operator's players it cannot, and a credit to bonus money is then accepted unseen (a credit
to cash is still counted, so paying cash twice fails all the same).
"""

from __future__ import annotations

from simulator.bonus import context
from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.context import Context
from simulator.conformance.players import Player
from simulator.conformance.registry import check
from simulator.dialects.call import WalletCall


async def _money(ctx: Context, player: Player, label: str) -> tuple[int, bool]:
    """Cash, plus bonus money when the sandbox shows it, and whether it did."""
    cash = await ctx.balance(player, label)
    sandbox = ctx.suite.players.sandbox
    bonus = None if sandbox is None or player.shared else await sandbox.bonus_balance(player, ctx.record)
    return cash + (bonus or 0), bonus is not None


def _credited(ctx: Context, step: str, before: tuple[int, bool], after: tuple[int, bool], amount: int) -> None:
    """The player's money grew by ``amount``, once; unseen bonus money may also leave it as it was."""
    allowed = {before[0] + amount} if after[1] else {before[0] + amount, before[0]}
    expected = " or ".join(str(a) for a in sorted(allowed, reverse=True))
    ctx.expect(step, after[0] in allowed, expected, str(after[0]))


async def _once(ctx: Context, player: Player, call: WalletCall, what: str) -> None:
    """``call`` sent, retried with a new request id and sent again verbatim: the player's money moves once."""
    before = await _money(ctx, player, "money before")
    first = await ctx.send(call, what)
    ctx.expect_ok(first, what, required=True)
    retry = await ctx.send(call, "a retry of it (new request id)", ctx.wire.renewed(ctx.wire.build(call)))
    ctx.expect_ok(retry, "a retry of it (new request id)")
    again = await ctx.resend(first, "the same request again")
    ctx.expect_ok(again, "the same request again")
    _credited(ctx, "money afterwards", before, await _money(ctx, player, "money afterwards"), call.amount)


@check(
    "bonus.provider-free-round",
    "A provider's free-round bet never debits cash and its win is credited",
    why="""A provider that grants free rounds itself sends each round's bet flagged free (amount 0, the campaign and
    the round's stake in the bonus context) and its win naming the campaign. A wallet that reads the stake and debits
    it charges the player for rounds the operator gave away; one that drops the win loses the prize.""",
)
async def provider_free_round(ctx: Context) -> None:
    player = await ctx.player()
    cash = await ctx.balance(player, "cash balance before")
    money = await _money(ctx, player, "money before")
    bonus = context.decode(context.free_round(ctx.new_id("campaign"), STAKE))
    bet = await ctx.bet(player, 0, "a free-round bet", bonus=bonus)
    ctx.expect_ok(bet, "a free-round bet", cash, required=True)
    await ctx.expect_balance(player, cash, "cash balance after the free-round bet")
    win = await ctx.win(player, bet, WIN, "its win", bonus=bonus)
    ctx.expect_ok(win, "its win", required=True)
    _credited(ctx, "money after the win", money, await _money(ctx, player, "money after the win"), WIN)
    ctx.expect(
        "cash never below its start", await ctx.balance(player, "cash balance afterwards") >= cash, str(cash), "less"
    )


@check(
    "bonus.campaign-total-once",
    "A campaign's total is paid once under retries",
    why="""A campaign that pays its total at the end sends one win with no bet, retried until acknowledged (for
    hours, with new request ids). Its transaction id is all that makes a retry a retry: a wallet that credits each
    copy multiplies the campaign's cost.""",
)
async def campaign_total_once(ctx: Context) -> None:
    player = await ctx.player()
    bonus = context.decode(context.campaign_total(ctx.new_id("campaign"), 10))
    call = ctx.call(player, "win", 3 * WIN, closed=True, bonus=bonus)
    await _once(ctx, player, call, "a campaign total")


@check(
    "bonus.promo-reference-once",
    "A promotional payout is paid once under retries",
    why="""Tournament prizes and prize drops are wins with no bet, naming the operator's reference. They are retried
    like any win; a wallet that pays every copy pays the prize many times.""",
)
async def promo_reference_once(ctx: Context) -> None:
    player = await ctx.player()
    bonus = context.decode(context.promo(ctx.new_id("promo"), "tournament"))
    call = ctx.call(player, "win", 2 * WIN, closed=True, bonus=bonus)
    await _once(ctx, player, call, "a promotional payout")


@check(
    "bonus.jackpot-win-once",
    "A progressive jackpot's win is paid once under retries",
    why="""A jackpot win is a win with no bet in a round of its own, naming the round that triggered it and the
    jackpot. It is retried until acknowledged like any win; a wallet that credits each copy pays the pool many times
    over, and the pool was reset to its seed only once.""",
)
async def jackpot_win_once(ctx: Context) -> None:
    player = await ctx.player()
    bonus = context.decode(context.jackpot("conformance-grand", ctx.new_id("round")))
    call = ctx.call(player, "win", 4 * WIN, closed=True, bonus=bonus)
    await _once(ctx, player, call, "a jackpot win")

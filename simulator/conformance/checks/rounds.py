"""Wins and rounds: what settles a round, and that a settled round takes nothing more."""

from __future__ import annotations

from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.context import Context
from simulator.conformance.registry import check


@check(
    "win.unknown-bet",
    "A win for a bet the wallet never saw is refused",
    why="""A win must pay a bet the wallet knows, or money appears from nowhere (a forged or misrouted
    win). The provider expects TRANSACTION_NOT_FOUND and nothing credited; it will then reconcile.""",
)
async def unknown_bet(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    call = ctx.call(player, "win", WIN, reference=ctx.new_id("never-sent"), closed=True)
    win = await ctx.send(call, "win for a bet never sent")
    ctx.expect_refused(win, "win for a bet never sent", {"TRANSACTION_NOT_FOUND"})
    await ctx.expect_balance(player, before)


@check(
    "round.zero-win-closes",
    "A zero win closes the round",
    why="""A lost round ends with a win of 0 (or the dialect's end-of-round call). It moves no money but
    closes the round: a bet arriving in it afterwards is refused with ROUND_CLOSED.""",
)
async def zero_win_closes(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 2 * STAKE)
    bet = await ctx.bet(player, STAKE)
    ctx.expect_ok(bet, "the bet", before - STAKE, required=True)
    win = await ctx.win(player, bet, 0, "a win of zero that closes the round")
    ctx.expect_ok(win, "a win of zero that closes the round", before - STAKE)
    late = await ctx.bet(player, STAKE, "a bet in the closed round", round_id=bet.call.round_id)
    ctx.expect_refused(late, "a bet in the closed round", {"ROUND_CLOSED"})
    await ctx.expect_balance(player, before - STAKE)


@check(
    "round.several-bets-and-wins",
    "Several bets and wins in one round add up",
    why="""Multi-step games (blackjack doubles and splits, bonus buys, cascades) put several bets and wins
    in one round. A wallet that allows one bet per round, or closes the round at the first win, refuses
    the rest of a round the player already paid for.""",
)
async def several_bets_and_wins(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 150)
    first = await ctx.bet(player, 100, "first bet")
    ctx.expect_ok(first, "first bet", before - 100, required=True)
    round_id = first.call.round_id
    if not ctx.wire.open_wins:  # a credit settles its debit and ends the round
        second = await ctx.bet(player, 50, "second bet", round_id=round_id)
        ctx.expect_ok(second, "second bet", before - 150, required=True)
        win = await ctx.win(player, second, 200, "the win that settles the round")
        ctx.expect_ok(win, "the win that settles the round", before + 50)
    else:
        early = await ctx.win(player, first, 30, "a win that keeps the round open", closed=False)
        ctx.expect_ok(early, "a win that keeps the round open", before - 70, required=True)
        second = await ctx.bet(player, 50, "second bet", round_id=round_id)
        ctx.expect_ok(second, "second bet", before - 120, required=True)
        win = await ctx.win(player, second, 200, "the win that closes the round")
        ctx.expect_ok(win, "the win that closes the round", before + 80)
        await ctx.expect_balance(player, before + 80)
        return
    await ctx.expect_balance(player, before + 50)


@check(
    "round.win-only",
    "A round with a win and no bet (jackpot, promotion) is paid",
    requires=("win_only",),
    why="""Jackpots, tournament prizes and promotional drops arrive as wins in rounds that have no bet. A
    wallet that insists on a bet refuses prizes the player was promised.""",
)
async def win_only(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    call = ctx.call(player, "win", 500, closed=True)
    win = await ctx.send(call, "a jackpot win, no bet in its round")
    ctx.expect_ok(win, "a jackpot win, no bet in its round", before + 500)
    await ctx.expect_balance(player, before + 500)


@check(
    "round.closed-refuses",
    "A closed round takes no further bet or win",
    why="""Once the closing win is in, the round is settled. A bet or a new win landing in it afterwards is a
    bug or a replay; accepting it changes a settled round that the provider has already reported.""",
)
async def closed_refuses(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 2 * STAKE)
    bet = await ctx.bet(player, STAKE)
    ctx.expect_ok(bet, "the bet", before - STAKE, required=True)
    win = await ctx.win(player, bet, 50, "the closing win")
    ctx.expect_ok(win, "the closing win", before - STAKE + 50, required=True)
    late_bet = await ctx.bet(player, STAKE, "a bet in the closed round", round_id=bet.call.round_id)
    ctx.expect_refused(late_bet, "a bet in the closed round", {"ROUND_CLOSED"})
    late_win = await ctx.win(player, bet, WIN, "another win in the closed round")
    ctx.expect_refused(late_win, "another win in the closed round", {"ROUND_CLOSED"})
    await ctx.expect_balance(player, before - STAKE + 50)

"""Wins and rounds: what settles a round, and that a settled round takes nothing more."""

from __future__ import annotations

from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.context import Context
from simulator.conformance.players import Want
from simulator.conformance.registry import check


@check(
    "win.unknown-bet",
    "A win for a bet the wallet never saw is refused",
    why="""A win must pay a bet the wallet knows, or money appears from nowhere (a forged or misrouted
    win). The provider expects TRANSACTION_NOT_FOUND and nothing credited; it will then reconcile.""",
    requires=("final_win_refusal",),
)
async def unknown_bet(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    call = ctx.call(player, "win", WIN, reference=ctx.new_id("never-sent"), closed=True)
    win = await ctx.send(call, "win for a bet never sent")
    ctx.expect_refused(win, "win for a bet never sent", {"TRANSACTION_NOT_FOUND"})
    await ctx.expect_balance(player, before)


@check(
    "win.negative-amount",
    "A negative win is refused",
    why="""A negative credit is a debit nobody agreed to: a wallet that adds the amount without validating
    it takes money from the player when the provider pays them. The provider sends a win of minus 2.50 for a
    bet it holds and expects INVALID_REQUEST with nothing applied.""",
    requires=("final_win_refusal",),
)
async def negative_win(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    value = ctx.wire.wire_amount("negative", WIN, player.currency)
    if value is None:
        ctx.skip(f"{ctx.wire.name} cannot write a negative amount in {player.currency}")
    bet = await ctx.bet(player, STAKE)
    ctx.expect_ok(bet, "the bet", before - STAKE, required=True)
    call = ctx.call(player, "win", WIN, round_id=bet.call.round_id, reference=bet.call.transaction_id, closed=True)
    forged = ctx.wire.with_amount(ctx.wire.build(call), value)
    win = await ctx.send(call, f"a win of a negative amount ({value})", forged)
    ctx.expect_refused(win, "a win of a negative amount", {"INVALID_REQUEST"})
    await ctx.expect_balance(player, before - STAKE)
    await ctx.restore(player, [bet])


@check(
    "win.wrong-currency",
    "A win in another currency than the player's is refused",
    why="""A win names its currency. A wallet that ignores it on wins credits 250 yen as 2.50 euros (or the
    other way round); the provider expects CURRENCY_MISMATCH and nothing credited, then settles the round by
    hand.""",
    requires=("currency_field",),
)
async def win_wrong_currency(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    other = next(c for c in ("EUR", "USD", "GBP") if c != player.currency and ctx.wire.supports(c))
    bet = await ctx.bet(player, STAKE)
    ctx.expect_ok(bet, "the bet", before - STAKE, required=True)
    win = await ctx.win(player, bet, WIN, f"its win in {other}", currency=other)
    ctx.expect_refused(win, f"its win in {other}", {"CURRENCY_MISMATCH"})
    await ctx.expect_balance(player, before - STAKE)
    await ctx.restore(player, [bet])


@check(
    "win.after-rollback",
    "A win for a bet that was rolled back is refused",
    why="""A rolled-back bet no longer exists: the provider gave the stake back and reported the round void.
    A win arriving for it afterwards (a stalled process, a replay) must be refused with
    TRANSACTION_ROLLED_BACK (ROUND_CLOSED is accepted too); paying it gives the player a win for a round
    they never paid for.""",
    requires=("final_win_refusal",),
)
async def win_after_rollback(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    rollback = await ctx.rollback(player, bet, "its rollback")
    ctx.expect_ok(rollback, "its rollback", before, required=True)
    win = await ctx.win(player, bet, WIN, "a win for the rolled-back bet")
    ctx.expect_refused(win, "a win for the rolled-back bet", {"TRANSACTION_ROLLED_BACK", "ROUND_CLOSED"})
    await ctx.expect_balance(player, before)


@check(
    "win.other-players-bet",
    "A win naming another player's bet is refused",
    why="""A win pays the player who placed the bet. A wallet that looks the bet up by its id alone pays
    whoever the win names: a misrouted or forged win credits the wrong account. The provider expects
    TRANSACTION_MISMATCH (TRANSACTION_NOT_FOUND is accepted too) and neither balance changed.""",
    requires=("final_win_refusal",),
)
async def win_other_players_bet(ctx: Context) -> None:
    owner, other = await ctx.players(Want(count=2))
    owner_before = await ctx.funds(owner, STAKE, f"balance of {owner.player_id} before")
    other_before = await ctx.balance(other, f"balance of {other.player_id} before")
    bet = await ctx.bet(owner, STAKE, "a bet by the first player")
    ctx.expect_ok(bet, "a bet by the first player", owner_before - STAKE, required=True)
    win = await ctx.win(other, bet, WIN, "a win for the second player naming that bet")
    ctx.expect_refused(
        win, "a win for the second player naming that bet", {"TRANSACTION_MISMATCH", "TRANSACTION_NOT_FOUND"}
    )
    await ctx.expect_balance(other, other_before, "second player's balance")
    await ctx.expect_balance(owner, owner_before - STAKE, "first player's balance")
    await ctx.restore(owner, [bet])


@check(
    "round.zero-win-closes",
    "A zero win closes the round",
    why="""A lost round ends with a win of 0 (or the dialect's end-of-round call). It moves no money but
    closes the round: a bet arriving in it afterwards is refused with ROUND_CLOSED.""",
    requires=("round_closed_code",),
)
async def zero_win_closes(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE, funds=2 * STAKE)
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
    requires=("round_closed_code", "final_win_refusal"),
)
async def closed_refuses(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE, funds=2 * STAKE)
    win = await ctx.win(player, bet, 50, "the closing win")
    ctx.expect_ok(win, "the closing win", before - STAKE + 50, required=True)
    late_bet = await ctx.bet(player, STAKE, "a bet in the closed round", round_id=bet.call.round_id)
    ctx.expect_refused(late_bet, "a bet in the closed round", {"ROUND_CLOSED"})
    late_win = await ctx.win(player, bet, WIN, "another win in the closed round")
    ctx.expect_refused(late_win, "another win in the closed round", {"ROUND_CLOSED"})
    await ctx.expect_balance(player, before - STAKE + 50)

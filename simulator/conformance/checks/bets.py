"""Balance enquiries and bets: exact amounts, refusals that change nothing, amounts that do not exist."""

from __future__ import annotations

from collections.abc import Collection

from simulator.conformance.checks.common import STAKE
from simulator.conformance.client import money
from simulator.conformance.context import Context
from simulator.conformance.players import Want
from simulator.conformance.registry import check
from simulator.conformance.wire import AmountVariant


@check(
    "balance.no-side-effect",
    "A balance enquiry changes nothing",
    why="""Studios ask for the balance at every launch and often between rounds. An enquiry that opens a
    session, reserves funds or charges anything makes the next bet's balance disagree with the provider's
    expectation.""",
)
async def balance_no_side_effect(ctx: Context) -> None:
    player = await ctx.player()
    first = await ctx.funds(player, STAKE, "first enquiry")
    for n in (2, 3):
        await ctx.expect_balance(player, first, f"enquiry {n}")
    bet = await ctx.bet(player, STAKE)
    ctx.expect_ok(bet, "a bet after three enquiries", first - STAKE)
    await ctx.restore(player, [bet])


@check(
    "bet.exact-debit",
    "A bet debits exactly its amount",
    why="""Every spin is a bet. A wallet that rounds, converts through a float or adds a fee makes the
    provider's round totals disagree with the operator's ledger at the first reconciliation.""",
)
async def exact_debit(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 137)
    bet = await ctx.bet(player, 137, "bet of 137 minor units")
    ctx.expect_ok(bet, "bet of 137 minor units", before - 137)
    await ctx.expect_balance(player, before - 137)
    await ctx.restore(player, [bet])


@check(
    "bet.insufficient-funds",
    "A bet above the balance is refused with INSUFFICIENT_FUNDS and the balance",
    why="""The provider shows the player why the spin did not happen and does not roll the bet back: that
    needs the dedicated code (not a generic error, not a 5xx, which would be treated as an unknown outcome)
    and the current balance in the refusal, with nothing debited.""",
)
async def insufficient_funds(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    bet = await ctx.bet(player, before + 1, "bet of the balance plus one minor unit")
    ctx.expect_refused(bet, "bet of the balance plus one minor unit", {"INSUFFICIENT_FUNDS"}, carried=before)
    await ctx.expect_balance(player, before)


@check(
    "bet.whole-balance",
    "A bet of exactly the balance is accepted and leaves zero",
    why="""Off-by-one comparisons (balance > amount instead of >=) refuse the player's last spin; the
    provider bets the whole balance and expects zero, then a bet of one minor unit refused.""",
)
async def whole_balance(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 1)
    bet = await ctx.bet(player, before, "bet of the whole balance")
    ctx.expect_ok(bet, "bet of the whole balance", 0)
    more = await ctx.bet(player, 1, "a further bet of one minor unit")
    ctx.expect_refused(more, "a further bet of one minor unit", {"INSUFFICIENT_FUNDS"}, carried=0)
    await ctx.expect_balance(player, 0)
    await ctx.restore(player, [bet])


@check(
    "bet.zero-amount",
    "A bet of zero changes nothing",
    why="""Some games send a zero stake (a feature round, a free bet settled elsewhere). The wallet may
    accept it or refuse it as INVALID_REQUEST, but it must not fail with an unknown outcome (the provider
    would roll it back) and must not move money.""",
)
async def zero_amount(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    bet = await ctx.bet(player, 0, "bet of zero")
    answer = bet.answer
    ok = (answer.ok and answer.balance == before) or (answer.kind == "refused" and answer.code == "INVALID_REQUEST")
    expected = f"accepted with balance {money(before, player.currency)}, or refused with INVALID_REQUEST"
    ctx.expect("bet of zero", ok, expected, answer.describe())
    await ctx.expect_balance(player, before)


async def _impossible_amount(ctx: Context, variant: AmountVariant, what: str, codes: Collection[str]) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    value = ctx.wire.wire_amount(variant, STAKE, player.currency)
    if value is None:
        ctx.skip(f"{ctx.wire.name} cannot write {what} in {player.currency}")
    call = ctx.call(player, "bet", STAKE)
    sent = await ctx.send(call, f"bet of {what} ({value})", ctx.wire.with_amount(ctx.wire.build(call), value))
    ctx.expect_refused(sent, f"bet of {what}", codes)
    await ctx.expect_balance(player, before)


@check(
    "bet.negative-amount",
    "A negative bet is refused",
    why="""A negative debit is a credit: a wallet that subtracts without validating pays the player for
    betting. The provider sends a bet of minus 1.00 and expects INVALID_REQUEST with nothing applied.""",
)
async def negative_amount(ctx: Context) -> None:
    await _impossible_amount(ctx, "negative", "a negative amount", {"INVALID_REQUEST"})


@check(
    "bet.over-precise-amount",
    "An amount finer than the currency's minor unit is refused, not rounded",
    why="""Money is exact: 1.005 USD does not exist. A wallet that rounds it debits something the provider
    never asked for; the amount must be refused with INVALID_REQUEST.""",
)
async def over_precise_amount(ctx: Context) -> None:
    await _impossible_amount(ctx, "finer", "half a minor unit more", {"INVALID_REQUEST"})


@check(
    "bet.huge-amount",
    "An absurdly large amount is refused cleanly",
    why="""10^20 minor units overflow a 64-bit integer once scaled. The provider expects a definitive
    refusal (INVALID_REQUEST, INSUFFICIENT_FUNDS or LIMIT_EXCEEDED), not a crash answered with a 5xx, and no
    balance that wrapped around.""",
)
async def huge_amount(ctx: Context) -> None:
    await _impossible_amount(
        ctx, "huge", "10^20 minor units", {"INVALID_REQUEST", "INSUFFICIENT_FUNDS", "LIMIT_EXCEEDED"}
    )


@check(
    "bet.wrong-currency",
    "A bet in another currency than the player's is refused",
    why="""A player's session has one currency. A wallet that ignores the currency field debits 100 yen as
    if they were 100 cents; the provider expects CURRENCY_MISMATCH and nothing applied.""",
    requires=("currency_field",),
)
async def wrong_currency(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    other = next(c for c in ("EUR", "USD", "GBP") if c != player.currency and ctx.wire.supports(c))
    bet = await ctx.bet(player, STAKE, f"bet in {other}", currency=other)
    ctx.expect_refused(bet, f"bet in {other}", {"CURRENCY_MISMATCH"})
    await ctx.expect_balance(player, before)


@check(
    "bet.unknown-game",
    "A bet on a game the wallet does not offer is refused",
    why="""Operators disable games (a market closes, a studio is removed) while sessions may still be open.
    The wallet is the last place that can stop the stake: UNKNOWN_GAME, nothing debited.""",
)
async def unknown_game(ctx: Context) -> None:
    player = await ctx.player()
    game = ctx.options.unknown_game
    sandbox = ctx.suite.players.sandbox
    if game is None:
        if sandbox is None or player.shared:
            ctx.skip("no game id the wallet refuses: give one with --unknown-game")
        game = ctx.new_id("disabled-game")
        if not await sandbox.disable_game(game, ctx.record):
            ctx.skip("the sandbox cannot disable a game")
    before = await ctx.balance(player)
    bet = await ctx.bet(player, STAKE, f"bet on game {game}", game_id=game)
    ctx.expect_refused(bet, "bet on a game the wallet does not offer", {"UNKNOWN_GAME"})
    await ctx.expect_balance(player, before)


@check(
    "bet.blocked-player",
    "A blocked player cannot bet",
    why="""Self-excluded or blocked players must not stake, whatever session they still hold. The provider
    expects PLAYER_BLOCKED and nothing debited.""",
)
async def blocked_player(ctx: Context) -> None:
    player = await ctx.player(Want(role="blocked"))
    enquiry = await ctx.enquire(player, "balance before (may be refused)")
    bet = await ctx.bet(player, STAKE, "bet by the blocked player")
    ctx.expect_refused(bet, "bet by the blocked player", {"PLAYER_BLOCKED"})
    if enquiry.ok and enquiry.answer.balance is not None:
        await ctx.expect_balance(player, enquiry.answer.balance)


@check(
    "bet.limit-reached",
    "A bet over a responsible-gaming limit is refused definitively",
    why="""A limit refusal is final: the provider must not roll the bet back, nor retry it. That only works
    when the wallet answers LIMIT_EXCEEDED (a 4xx protocol code), not a 5xx or a generic error, with nothing
    debited.""",
)
async def limit_reached(ctx: Context) -> None:
    player = await ctx.player(Want(role="limited"))
    assert player.limited_bet is not None
    before = await ctx.balance(player)
    bet = await ctx.bet(player, player.limited_bet, f"bet of {money(player.limited_bet, player.currency)}")
    ctx.expect_refused(bet, "bet over the player's limit", {"LIMIT_EXCEEDED"})
    await ctx.expect_balance(player, before)

"""Rollbacks: refunds by transaction id, once, in any order the network delivers them."""

from __future__ import annotations

from simulator.conformance.checks.common import STAKE
from simulator.conformance.context import Context
from simulator.conformance.registry import check


@check(
    "rollback.restores-bet",
    "A rollback refunds exactly what the bet took, by transaction id alone",
    why="""A provider rolls back a bet whose fate it does not know. The rollback names the bet; its amount
    field is informative at best (here it says 0). The wallet must refund what it debited, from its own
    records: trusting the field refunds the wrong amount.""",
)
async def restores_bet(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 250)
    bet = await ctx.bet(player, 250)
    ctx.expect_ok(bet, "the bet", before - 250, required=True)
    rollback = await ctx.rollback(player, bet, "rollback naming the bet, amount field 0", amount=0)
    ctx.expect_ok(rollback, "rollback naming the bet, amount field 0", before)
    await ctx.expect_balance(player, before)


@check(
    "rollback.repeated",
    "A repeated rollback refunds once",
    why="""Rollbacks are retried until acknowledged, and some providers send a second rollback with a new
    id for the same bet. Each must be answered without refunding again, or the player is paid for a bet
    that was only ever refunded once.""",
)
async def repeated(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    rollback = await ctx.rollback(player, bet)
    ctx.expect_ok(rollback, "the rollback", before, required=True)
    again = await ctx.resend(rollback, "the same rollback again")
    ctx.expect_ok(again, "the same rollback again", before)
    renewed = ctx.wire.renewed(ctx.wire.build(rollback.call))
    retry = await ctx.send(rollback.call, "a retry of it (new request id)", renewed)
    ctx.expect_ok(retry, "a retry of it (new request id)", before)
    second = await ctx.rollback(player, bet, "a second rollback id for the same bet")
    answer = second.answer
    ctx.expect(
        "a second rollback id for the same bet",
        (answer.ok and answer.balance == before)
        or (answer.kind == "refused" and answer.code == "TRANSACTION_ROLLED_BACK"),
        "accepted without a second refund, or refused with TRANSACTION_ROLLED_BACK",
        answer.describe(),
    )
    await ctx.expect_balance(player, before)


@check(
    "rollback.unknown-transaction",
    "A rollback of a transaction the wallet never saw follows the declared policy",
    why="""When a bet times out before reaching the wallet, its rollback names a transaction the wallet
    never saw. Providers differ on the answer: accept it as a no-op (and remember it) or refuse it with
    TRANSACTION_NOT_FOUND. The operator declares which (--unknown-rollback); either way no money moves.""",
)
async def unknown_transaction(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    call = ctx.call(player, "rollback", STAKE, reference=ctx.new_id("never-sent"), closed=True)
    rollback = await ctx.send(call, "rollback of a bet never sent")
    if ctx.options.unknown_rollback == "accept":
        ctx.expect_ok(rollback, "rollback of a bet never sent (policy: accept)", before)
    else:
        ctx.expect_refused(rollback, "rollback of a bet never sent (policy: reject)", {"TRANSACTION_NOT_FOUND"})
    await ctx.expect_balance(player, before)


@check(
    "rollback.after-win",
    "A rollback after the round's win is refused",
    why="""Once a bet is settled by its win the round is over; none of these dialects reverses wins through
    a rollback. Refunding the stake on top of the win pays the player twice; the provider expects
    ROUND_CLOSED and nothing refunded.""",
    requires=("round_closed_code",),
)
async def after_win(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    win = await ctx.win(player, bet, 50, "the win that settles it")
    ctx.expect_ok(win, "the win that settles it", before - STAKE + 50, required=True)
    rollback = await ctx.rollback(player, bet, "a rollback of the settled bet")
    ctx.expect_refused(rollback, "a rollback of the settled bet", {"ROUND_CLOSED"})
    await ctx.expect_balance(player, before - STAKE + 50)


@check(
    "rollback.bet-after-rollback",
    "A bet arriving again after its own rollback is refused",
    why="""The provider rolled the bet back because it gave up on it. The same bet arriving afterwards (a
    delayed copy, a retry from a stalled process) must be refused with TRANSACTION_ROLLED_BACK: accepting it
    debits money the provider no longer accounts for, and answering it as if it stood misleads the sender.""",
)
async def bet_after_rollback(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    rollback = await ctx.rollback(player, bet)
    ctx.expect_ok(rollback, "its rollback", before, required=True)
    again = await ctx.send(bet.call, "the bet again (new request id)", ctx.wire.renewed(ctx.wire.build(bet.call)))
    ctx.expect_refused(again, "the bet again (new request id)", {"TRANSACTION_ROLLED_BACK"})
    await ctx.expect_balance(player, before)


@check(
    "rollback.before-bet",
    "A rollback that overtakes its bet leaves the bet unable to debit",
    why="""A timed-out bet is rolled back at once, and the network may deliver the rollback first. With the
    accept policy the wallet must remember the rollback (a tombstone) and refuse the bet when it lands,
    with TRANSACTION_ROLLED_BACK; with the reject policy the rollback is refused, the bet lands, and the
    provider's retried rollback refunds it. Either way the player ends where they started.""",
)
async def before_bet(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    bet_call = ctx.call(player, "bet", STAKE)
    call = ctx.call(
        player, "rollback", STAKE, round_id=bet_call.round_id, reference=bet_call.transaction_id, closed=True
    )
    rollback = await ctx.send(call, "the rollback, first")
    if ctx.options.unknown_rollback == "accept":
        ctx.expect_ok(rollback, "the rollback, first (policy: accept)", before, required=True)
        bet = await ctx.send(bet_call, "its bet, after it")
        ctx.expect_refused(bet, "its bet, after it", {"TRANSACTION_ROLLED_BACK"})
    else:
        ctx.expect_refused(rollback, "the rollback, first (policy: reject)", {"TRANSACTION_NOT_FOUND"})
        bet = await ctx.send(bet_call, "its bet, after it")
        ctx.expect_ok(bet, "its bet, after it", before - STAKE)
        retried = await ctx.resend(rollback, "the rollback, retried")
        ctx.expect_ok(retried, "the rollback, retried", before)
    await ctx.expect_balance(player, before)


@check(
    "rollback.after-session-expiry",
    "A rollback arriving after the session expired is accepted",
    why="""Rollbacks are how a provider returns a stake it could not settle, often minutes later and after
    retries. Refusing them because the session expired keeps the player's money; providers require wallets
    to accept them with any session state.""",
)
async def after_session_expiry(ctx: Context) -> None:
    player, before, bet, expired = await ctx.staked_before_expiry(STAKE)
    rollback = await ctx.rollback(player, bet, "its rollback with the expired token", token=expired)
    ctx.expect_ok(rollback, "its rollback with the expired token", before)
    await ctx.expect_balance(player, before)

"""Idempotency: retries and copies of a transaction apply once and get the first answer."""

from __future__ import annotations

import json

from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.context import Context, Sent
from simulator.conformance.players import Want
from simulator.conformance.registry import check


@check(
    "idem.duplicate-bet",
    "The same bet twice is applied once and answered with the original result",
    why="""Providers retry a bet whose answer they did not read (a timeout, a dropped connection) with the
    same transaction id. A wallet that debits again charges the player twice for one spin: the classic
    double debit.""",
)
async def duplicate_bet(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    again = await ctx.resend(bet, "the same request again")
    ctx.expect_ok(again, "the same request again", before - STAKE)
    retry = await ctx.send(bet.call, "a retry of it (new request id)", ctx.wire.renewed(ctx.wire.build(bet.call)))
    ctx.expect_ok(retry, "a retry of it (new request id)", before - STAKE)
    await ctx.expect_balance(player, before - STAKE)
    await ctx.restore(player, [bet])


@check(
    "idem.duplicate-win",
    "The same win twice is credited once",
    why="""Wins are retried until acknowledged, sometimes for hours. Each retry carries the same transaction
    id and a new request id (and a delayed copy the very same request); crediting any of them again pays the
    player many times over.""",
)
async def duplicate_win(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    win = await ctx.win(player, bet, WIN)
    ctx.expect_ok(win, "the win", before - STAKE + WIN, required=True)
    retry = await ctx.send(win.call, "a retry of it (new request id)", ctx.wire.renewed(ctx.wire.build(win.call)))
    ctx.expect_ok(retry, "a retry of it (new request id)", before - STAKE + WIN)
    again = await ctx.resend(win, "the same request again")
    ctx.expect_ok(again, "the same request again", before - STAKE + WIN)
    await ctx.expect_balance(player, before - STAKE + WIN)


@check(
    "idem.mismatched-duplicate",
    "A transaction id reused with other content is refused",
    why="""A transaction id names one operation. The same id with another amount, round or game is a bug or
    an attack; answering it with the first result (or applying it) hides a wrong amount, so providers expect
    TRANSACTION_MISMATCH and nothing applied.""",
)
async def mismatched_duplicate(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE, funds=STAKE + 1)
    variants = {
        "its id with another amount": ctx.edited(bet.call, amount=STAKE + 1),
        "its id in another round": ctx.edited(bet.call, round_id=ctx.new_id("round")),
        "its id for another game": ctx.edited(bet.call, game_id=ctx.new_id("game")),
    }
    for label, call in variants.items():
        sent = await ctx.send(call, label)
        ctx.expect_refused(sent, label, {"TRANSACTION_MISMATCH"})
    await ctx.expect_balance(player, before - STAKE)
    await ctx.restore(player, [bet])


def _reply(sent: Sent) -> object:
    try:
        return json.loads(sent.answer.body)
    except ValueError:
        return sent.answer.body.decode(errors="replace")


@check(
    "idem.request-id-replay",
    "The same request id is answered exactly as the first time",
    requires=("request_id",),
    why="""Aggregators match replies to requests by request id and resend a request verbatim when the reply
    was lost, even after other traffic changed the balance. The wallet must answer with the very reply it
    gave the first time (the original balance), and move no money.""",
)
async def request_id_replay(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 2 * STAKE)
    first = await ctx.bet(player, STAKE, "a bet")
    ctx.expect_ok(first, "a bet", before - STAKE, required=True)
    other = await ctx.bet(player, STAKE, "another bet")
    ctx.expect_ok(other, "another bet", before - 2 * STAKE)
    replay = await ctx.resend(first, "the first request again")
    ctx.expect(
        "the first request again",
        replay.ok and _reply(replay) == _reply(first),
        f"the first reply, byte for byte in content: {ctx.suite.client.redactor.text(json.dumps(_reply(first)))}",
        f"{replay.answer.describe()}: {ctx.suite.client.redactor.text(json.dumps(_reply(replay)))}",
    )
    await ctx.expect_balance(player, before - 2 * STAKE)
    await ctx.restore(player, [first, other])


@check(
    "idem.request-id-reuse",
    "A request id reused for another operation is refused",
    requires=("request_id",),
    why="""A dialect that answers a repeated request id from memory must tell a replay from a new operation
    that happens to reuse the id (a studio bug, an id generator that wrapped). Answering the second bet with the
    first bet's reply tells the provider it was taken when it was not; applying it breaks the dialect's promise.
    rsa_json promises RS_ERROR_DUPLICATE_TRANSACTION (TRANSACTION_MISMATCH) and nothing applied.""",
)
async def request_id_reuse(ctx: Context) -> None:
    if not ctx.wire.remembers_request_ids:
        ctx.skip(f"{ctx.wire.name} promises no memory of request ids, so reusing one is not its wallet's concern")
    player = await ctx.player()
    before = await ctx.funds(player, 2 * STAKE)
    first = await ctx.bet(player, STAKE, "a bet")
    ctx.expect_ok(first, "a bet", before - STAKE, required=True)
    call = ctx.call(player, "bet", STAKE)
    built = ctx.wire.build(call)
    reused = ctx.wire.with_fields(
        built, ctx.wire.fields(built) | {str(ctx.wire.id_field): ctx.wire.request_id(first.request)}
    )
    label = "another bet under the first bet's request id"
    second = await ctx.send(call, label, reused)
    ctx.expect_refused(second, label, {"TRANSACTION_MISMATCH"})
    await ctx.expect_balance(player, before - STAKE)
    await ctx.restore(player, [first])


@check(
    "idem.same-id-two-players",
    "One transaction id on two players follows the declared rule",
    why="""Providers differ: most mint ids unique across all players, so a wallet should refuse the same id
    for a second player (TRANSACTION_MISMATCH); some scope ids per player. The operator declares which
    (--cross-player-ids); either way the first player's money must not move again and the second player's
    must move exactly as the rule says.""",
)
async def same_id_two_players(ctx: Context) -> None:
    first, second = await ctx.players(Want(count=2))
    a_before = await ctx.funds(first, STAKE, f"balance of {first.player_id} before")
    b_before = await ctx.funds(second, STAKE, f"balance of {second.player_id} before")
    txid = ctx.new_id("shared")
    bet_a = await ctx.bet(first, STAKE, "bet by the first player", transaction_id=txid)
    ctx.expect_ok(bet_a, "bet by the first player", a_before - STAKE, required=True)
    bet_b = await ctx.bet(second, STAKE, "the same transaction id for the second player", transaction_id=txid)
    if ctx.options.cross_player_ids == "refuse":
        ctx.expect_refused(bet_b, "the same id for the second player (rule: refuse)", {"TRANSACTION_MISMATCH"})
        await ctx.expect_balance(second, b_before, "second player's balance")
    else:
        ctx.expect_ok(bet_b, "the same id for the second player (rule: independent)", b_before - STAKE)
        await ctx.expect_balance(second, b_before - STAKE, "second player's balance")
    await ctx.expect_balance(first, a_before - STAKE, "first player's balance")
    await ctx.restore(first, [bet_a])
    await ctx.restore(second, [bet_b])

"""The wire format: reply shapes, request ids, exact amounts at the dialect's scale, and ids of any
length and alphabet."""

from __future__ import annotations

from simulator.conformance.checks.common import STAKE
from simulator.conformance.client import money
from simulator.conformance.context import Context, Sent
from simulator.conformance.players import Want
from simulator.conformance.registry import check
from simulator.conformance.wire import read_object

CURRENCIES = ("JPY", "USD", "KWD", "USDT", "BTC")  # exponents 0, 2, 3, 6, 8
LONG_ID = 128
UNICODE = "ü-€-ラウンド-🎰"


async def _samples(ctx: Context) -> list[tuple[str, Sent]]:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    samples = [
        ("balance enquiry", await ctx.enquire(player)),
        ("accepted bet", await ctx.bet(player, STAKE, "a bet")),
        ("refused bet", await ctx.bet(player, before * 2 + 1, "a bet above the balance")),
    ]
    await ctx.restore(player, [samples[1][1]])
    return samples


@check(
    "format.reply-schema",
    "Replies have the dialect's fields with the right types",
    why="""Providers parse replies strictly: a balance sent as a float or a string where an integer is due,
    a missing currency, an error without its code, and the provider cannot tell whether the money moved.
    It then treats the call as failed: bets are rolled back, wins retried for hours.""",
)
async def reply_schema(ctx: Context) -> None:
    for what, sent in await _samples(ctx):
        answer = sent.answer
        problems = (
            ctx.wire.reply_problems(sent.call, answer.status, answer.body)
            if answer.status is not None
            else [answer.describe()]
        )
        ctx.expect(f"reply to the {what}", not problems, "the documented shape", "; ".join(problems) or "as documented")


@check(
    "format.request-id-echo",
    "Every reply echoes its request id",
    requires=("request_id",),
    why="""Aggregators pair replies with requests by request id, across retries and parallel calls; a reply
    that does not carry it (or carries another) cannot be trusted to belong to the request.""",
)
async def request_id_echo(ctx: Context) -> None:
    for what, sent in await _samples(ctx):
        sent_id = ctx.wire.request_id(sent.request)
        step, expected = f"reply to the {what}", f"request id {sent_id}"
        if sent.answer.status is None:
            ctx.expect(step, False, expected, sent.answer.describe())
            continue
        data, problem = read_object(sent.answer.body, decimals=False)
        if data is None:
            ctx.expect(step, False, expected, problem)
            continue
        echoed = ctx.wire.echoed_id(data)
        ctx.expect(step, echoed == sent_id, expected, f"{echoed!r}")


@check(
    "format.amount-scale",
    "Amounts round-trip exactly at the dialect's scale, in every currency",
    why="""Each dialect writes amounts its own way (integer minor units, 1/100000 of the unit, decimal
    strings). One minor unit and an amount using every digit must come back exact in each currency the
    wallet offers: 0, 2, 3, 6 and 8 decimal places each break a different wrong assumption.""",
)
async def amount_scale(ctx: Context) -> None:
    players = ctx.suite.players
    if players.sandbox is not None and not players.given:
        currencies = [c for c in CURRENCIES if ctx.wire.supports(c)]
    else:
        currencies = players.currencies()
    for currency in currencies:
        player = await ctx.player(Want(currency=currency, balance=1_000_001))
        before = await ctx.funds(player, 12_346, f"{currency}: balance before")
        one = await ctx.bet(player, 1, f"{currency}: bet of one minor unit")
        ctx.expect_ok(one, f"{currency}: bet of {money(1, currency)}", before - 1)
        digits = await ctx.bet(player, 12_345, f"{currency}: bet of 12345 minor units")
        ctx.expect_ok(digits, f"{currency}: bet of {money(12_345, currency)}", before - 12_346)
        win = await ctx.win(player, digits, 12_346, f"{currency}: win of 12346 minor units")
        ctx.expect_ok(win, f"{currency}: win of {money(12_346, currency)}", before)
        await ctx.expect_balance(player, before, f"{currency}: balance afterwards")
        await ctx.restore(player, [one])


def _long(ctx: Context, kind: str, last: str) -> str:
    stem = f"{ctx.new_id(kind)}-{UNICODE}-"
    return stem.ljust(LONG_ID - 1, "x")[: LONG_ID - 1] + last


@check(
    "format.long-unicode-ids",
    f"Ids of {LONG_ID} characters, non-ASCII included, are kept whole",
    why="""Round and transaction ids come from many systems: some are long, some carry non-ASCII text. A
    wallet that truncates ids merges two transactions into one (the second is then answered as a duplicate
    and never applied); one that mangles encodings cannot match a win to its bet.""",
)
async def long_unicode_ids(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 2 * STAKE)
    round_id = _long(ctx, "round", "r")
    txid = _long(ctx, "tx", "1")
    first = await ctx.bet(player, STAKE, "bet with a long id ending in 1", transaction_id=txid, round_id=round_id)
    ctx.expect_ok(first, "bet with a long id ending in 1", before - STAKE)
    twin = txid[:-1] + "2"
    label = "bet whose id differs only in its last character"
    second = await ctx.bet(player, STAKE, label, transaction_id=twin, round_id=round_id)
    ctx.expect_ok(second, label, before - 2 * STAKE)
    label = "win naming the second bet by its id"
    win = await ctx.win(player, second, 3 * STAKE, label, transaction_id=_long(ctx, "win", "w"))
    ctx.expect_ok(win, label, before + STAKE)
    await ctx.expect_balance(player, before + STAKE)

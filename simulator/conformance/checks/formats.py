"""The wire format: reply shapes, request ids, exact amounts at the dialect's scale, and ids of any
length and alphabet."""

from __future__ import annotations

from simulator.conformance.checks.common import DIGITS, STAKE
from simulator.conformance.client import money
from simulator.conformance.context import Context, Sent
from simulator.conformance.players import Want
from simulator.conformance.registry import check
from simulator.conformance.wire import read_object
from simulator.dialects.amounts import from_decimal
from simulator.money import exponent

CURRENCIES = ("JPY", "USD", "KWD", "USDT", "BTC")  # exponents 0, 2, 3, 6, 8
# major units whose binary double is just below the value: 0.29 * 100 is 28.999999999999996, so a wallet that
# keeps amounts in floats and truncates takes 28 cents
FLOAT_TRAPS = ("0.29", "0.57", "1.15")
EXACT_LIMIT = 2**53 - 1  # the largest integer every JSON implementation keeps exact
INT64 = 2**63 - 1
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
        before = await ctx.funds(player, DIGITS + 1, f"{currency}: balance before")
        one = await ctx.bet(player, 1, f"{currency}: bet of one minor unit")
        ctx.expect_ok(one, f"{currency}: bet of {money(1, currency)}", before - 1)
        digits = await ctx.bet(player, DIGITS, f"{currency}: bet of {DIGITS} minor units")
        ctx.expect_ok(digits, f"{currency}: bet of {money(DIGITS, currency)}", before - DIGITS - 1)
        win = await ctx.win(player, digits, DIGITS + 1, f"{currency}: win of {DIGITS + 1} minor units")
        ctx.expect_ok(win, f"{currency}: win of {money(DIGITS + 1, currency)}", before)
        await ctx.expect_balance(player, before, f"{currency}: balance afterwards")
        await ctx.restore(player, [one])


def through_float(amount: int, currency: str) -> int:
    """What a wallet that converts ``amount`` minor units to major units in a binary float, and back, makes of
    it."""
    scale = 10 ** exponent(currency)
    return int(amount / scale * scale)


def largest_inexact(cap: int, currency: str) -> int:
    """The largest amount up to ``cap`` that ``through_float`` changes (``cap`` when none near it does: a
    double holds every integer below 2^53, so a zero-decimal currency has none)."""
    for amount in range(cap, max(cap - 100_000, 0), -1):
        if through_float(amount, currency) != amount:
            return amount
    return cap


@check(
    "format.binary-inexact-amounts",
    "Amounts a binary float cannot hold are debited and credited exactly",
    why="""0.29, 0.57 and 1.15 have no exact binary floating-point value, nor have most large amounts near
    2^53 minor units. A wallet that parses or stores amounts as floats (a JavaScript number, a float column,
    float(amount) * 100) debits 0.28 for a bet of 0.29 and pays a large win off by a few units: the ledger then
    disagrees with the provider's at every reconciliation. The provider bets those amounts, pays such a large
    win and bets it back, each in the dialect's own amount encoding, and expects every balance exact.""",
)
async def binary_inexact_amounts(ctx: Context) -> None:
    player = await ctx.player()
    currency = player.currency
    small = [from_decimal(t, currency) for t in FLOAT_TRAPS] if exponent(currency) >= 2 else []
    before = await ctx.funds(player, max(small, default=1))
    balance, bets = before, []
    for amount in small:
        bet = await ctx.bet(player, amount, f"bet of {money(amount, currency)}")
        balance -= amount
        ctx.expect_ok(bet, f"bet of {money(amount, currency)}", balance)
        bets.append(bet)
    await ctx.expect_balance(player, balance, "balance after the bets")
    balance = await ctx.balance(player, "balance before the large amounts")  # judged afresh from here
    one = ctx.wire.amount(ctx.wire.build(ctx.call(player, "bet", 1)))
    scale = one if isinstance(one, int) and not isinstance(one, bool) else 1  # an integer encoding: int64 bound
    cap = min(EXACT_LIMIT, INT64 // scale) - balance
    if cap > 1:
        big = largest_inexact(cap, currency)
        shown = money(big, currency)
        stake = await ctx.bet(player, 1, "a bet of one minor unit")
        ctx.expect_ok(stake, "a bet of one minor unit", balance - 1, required=True)
        win = await ctx.win(player, stake, big, f"its win of {shown}")
        ctx.expect_ok(win, f"its win of {shown}", balance - 1 + big, required=True)
        back = await ctx.bet(player, big, f"a bet of {shown}")
        ctx.expect_ok(back, f"a bet of {shown}", balance - 1)
        lost = await ctx.win(player, back, 0, "its round lost (a win of zero)")
        ctx.expect_ok(lost, "its round lost (a win of zero)", balance - 1)
        await ctx.expect_balance(player, balance - 1)
    await ctx.restore(player, bets)


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

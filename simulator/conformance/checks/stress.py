"""Timeouts, retries and concurrency: the same money rules when calls are lost, repeated or simultaneous."""

from __future__ import annotations

import asyncio
from collections import Counter

from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.client import money
from simulator.conformance.context import Context, Sent
from simulator.conformance.players import Player
from simulator.conformance.registry import check
from simulator.dialects.call import WalletCall

STORM = 20
PARALLEL = 20
DUPLICATE_WINS = 10


def _balances(balances: list[int], currency: str) -> str:
    if not balances:
        return "none"
    if len(balances) <= 3:
        return ", ".join(money(b, currency) for b in balances)
    return f"{len(balances)} different balances, {money(balances[0], currency)} to {money(balances[-1], currency)}"


def _tally(sents: list[Sent]) -> str:
    kinds = Counter(
        "accepted" if s.ok else f"refused with {s.answer.code}" if s.answer.kind == "refused" else "no usable answer"
        for s in sents
    )
    return ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))


async def _applied_once(ctx: Context, player: Player, call: WalletCall, copies: int, after: int) -> list[Sent]:
    """Send ``copies`` retries of one operation at once, each under a request id of its own (as a retry carries)
    and the same transaction id; every answer must accept (or say "try again"), and the money must move once, to
    ``after``. Returns the accepted sends."""
    label = f"of the {call.operation} (its own request id, the same transaction id)"
    requests = [ctx.wire.renewed(ctx.wire.build(call)) for _ in range(copies)]
    sent = await asyncio.gather(*(ctx.send(call, f"copy {n + 1} {label}", r) for n, r in enumerate(requests)))
    accepted = [s for s in sent if s.ok]
    ctx.expect(
        f"{copies} copies at once",
        bool(accepted) and all(s.ok or s.answer.kind == "unknown" for s in sent),
        "accepted (a retryable 'try again' answer is tolerated), never refused",
        _tally(sent),
    )
    balances = sorted({s.answer.balance for s in accepted if s.answer.balance is not None})
    ctx.expect(
        "balances in the accepted answers",
        balances == [after],
        f"all {money(after, player.currency)}",
        _balances(balances, player.currency),
    )
    await ctx.expect_balance(player, after)
    return accepted


@check(
    "retry.timeout-then-rollback",
    "A timed-out bet, its rollback and a late copy of the bet leave the balance where it was",
    why="""The most common failure in production: the bet reaches the wallet, its answer does not reach the
    provider in time, the provider rolls it back, and the original request (or a retry) arrives once more.
    However the wallet answers each call, the player must end with exactly the balance they started with.""",
)
async def timeout_then_rollback(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    bet = await ctx.bet(player, STAKE, "the bet (its answer is lost: the provider times out)")
    rollback = await ctx.rollback(player, bet, "the provider's rollback")
    ctx.expect_ok(rollback, "the provider's rollback", before)
    late = await ctx.resend(bet, "the bet's request arriving again, late")
    ctx.expect(
        "the late copy",
        late.answer.kind in ("refused", "ok"),
        "a definitive answer (the money check follows)",
        late.answer.describe(),
    )
    await ctx.expect_balance(player, before, "balance at the end")


@check(
    "retry.storm",
    f"{STORM} simultaneous copies of one bet debit once",
    why="""A provider whose connection pool resets can retry the same bet many times within milliseconds,
    each retry under a new request id and the same transaction id. A wallet that checks for a duplicate and
    then writes, without a lock or a unique key, lets several copies through before the first is recorded;
    one that recognises duplicates by request id alone applies every retry.""",
)
async def storm(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    accepted = await _applied_once(ctx, player, ctx.call(player, "bet", STAKE), STORM, before - STAKE)
    await ctx.restore(player, accepted[:1])


@check(
    "concurrency.parallel-bets",
    f"{PARALLEL} different bets at once never overdraw",
    why="""Players with several tabs, bots and multi-game lobbies bet in parallel. Without a lock on the
    balance, two bets read the same balance and both pass the funds check: the account goes below zero, or
    a debit is lost. The bets that do not fit must be refused with INSUFFICIENT_FUNDS.""",
)
async def parallel_bets(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, 100)
    amount = before // 10 + 1
    fits = before // amount
    bets = await asyncio.gather(
        *(
            ctx.bet(player, amount, f"bet {n + 1} of {PARALLEL} ({money(amount, player.currency)})")
            for n in range(PARALLEL)
        )
    )
    accepted = [s for s in bets if s.ok]
    refused = [s for s in bets if s.answer.kind == "refused" and s.answer.code == "INSUFFICIENT_FUNDS"]
    ctx.expect(
        f"{PARALLEL} bets of {money(amount, player.currency)} at once on {money(before, player.currency)}",
        len(accepted) == fits and len(refused) == PARALLEL - fits,
        f"{fits} accepted, {PARALLEL - fits} refused with INSUFFICIENT_FUNDS",
        _tally(bets),
    )
    shown = [s.answer.balance for s in bets if s.answer.balance is not None]
    ctx.expect(
        "balances in the answers",
        all(b >= 0 for b in shown) and len({s.answer.balance for s in accepted}) == len(accepted),
        "never negative, and a different balance after each accepted bet",
        _balances(sorted(set(shown)), player.currency),
    )
    await ctx.expect_balance(player, before - len(accepted) * amount, "balance at the end (start - accepted bets)")
    await ctx.restore(player, accepted)


@check(
    "concurrency.duplicate-wins",
    f"{DUPLICATE_WINS} simultaneous copies of one win credit once",
    why="""Win retries can overlap: a slow first attempt is still being processed when the retry arrives,
    under a new request id and the same transaction id. All must end as one credit, or a player's win is paid
    twice.""",
)
async def duplicate_wins(ctx: Context) -> None:
    player, before, bet = await ctx.staked(STAKE)
    call = ctx.call(player, "win", WIN, round_id=bet.call.round_id, reference=bet.call.transaction_id, closed=True)
    await _applied_once(ctx, player, call, DUPLICATE_WINS, before - STAKE + WIN)

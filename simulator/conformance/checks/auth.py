"""Signatures and sessions: who may move money, and with which session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from simulator.conformance.checks.common import STAKE, WIN
from simulator.conformance.context import Context
from simulator.conformance.players import Want
from simulator.conformance.registry import check
from simulator.conformance.wire import Wire
from simulator.dialects.call import WalletCall, WalletRequest

Forge = Callable[[Wire, WalletCall, WalletRequest], WalletRequest]


async def _forged_bet(ctx: Context, forge: Forge, what: str) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    call = ctx.call(player, "bet", STAKE)
    genuine = ctx.wire.build(call)
    forged = await ctx.send(call, f"bet {what}", forge(ctx.wire, call, genuine))
    ctx.expect_refused(forged, f"bet {what}", {"INVALID_SIGNATURE"})
    await ctx.expect_balance(player, before, "balance after it")
    control = await ctx.send(call, "the same bet, genuine", genuine)
    ctx.expect_ok(control, "the same bet, genuine (the control)", before - STAKE)
    await ctx.restore(player, [control])


@check(
    "auth.signature-missing",
    "A request without its signature is refused and changes nothing",
    why="""Anyone who can reach the wallet URL could otherwise move money. A provider's test tool sends a
    bet with the signature (or the operator token) left out and expects INVALID_SIGNATURE with the balance
    untouched; the same bet, signed, must then go through.""",
)
async def signature_missing(ctx: Context) -> None:
    await _forged_bet(ctx, lambda wire, call, request: wire.unsigned(request), "without a signature")


@check(
    "auth.signature-bad",
    "A request signed with the wrong key is refused and changes nothing",
    why="""A wallet that checks only that a signature is present, or compares it loosely, accepts forged
    calls. The provider signs a bet with another key and expects INVALID_SIGNATURE, nothing applied.""",
)
async def signature_bad(ctx: Context) -> None:
    await _forged_bet(ctx, lambda wire, call, request: wire.wrongly_signed(request), "with a wrong signature")


@check(
    "auth.signature-tampered",
    "A body changed after signing is refused",
    requires=("body_signature",),
    why="""The signature covers the raw body so that nobody between the studio and the wallet can change an
    amount. The provider signs a bet of 1.00, changes it to 0.01 on the way and expects INVALID_SIGNATURE:
    a wallet that verifies a re-serialised body, or only some fields, would take the cheaper bet.""",
)
async def signature_tampered(ctx: Context) -> None:
    def tamper(wire: Wire, call: WalletCall, request: WalletRequest) -> WalletRequest:
        cheap = wire.amount(wire.build(dataclasses.replace(call, amount=1)))
        return wire.with_amount(request, cheap, sign=False)

    await _forged_bet(ctx, tamper, "with its amount changed after signing")


@check(
    "auth.replay-window",
    "A correctly signed request an hour old is refused",
    requires=("timestamp",),
    why="""A captured request replayed later must not move money again. Providers sign a timestamp and
    wallets refuse anything outside a few minutes (300 s here); the provider sends a bet signed an hour ago
    and expects INVALID_SIGNATURE, then the same bet signed now is accepted.""",
)
async def replay_window(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.funds(player, STAKE)
    call = ctx.call(player, "bet", STAKE)
    stale = await ctx.send(call, "bet signed an hour ago", ctx.wire.build(call, age=3600))
    ctx.expect_refused(stale, "bet signed an hour ago", {"INVALID_SIGNATURE"})
    await ctx.expect_balance(player, before, "balance after it")
    fresh = await ctx.send(call, "the same bet signed now")
    ctx.expect_ok(fresh, "the same bet signed now (the control)", before - STAKE)
    await ctx.restore(player, [fresh])


@check(
    "session.unknown-token",
    "An unknown session token is refused",
    why="""Session tokens are the operator's proof that the player launched the game. A bet or a balance
    enquiry with a token the wallet never issued must be refused with INVALID_SESSION, not served from the
    player id alone.""",
)
async def unknown_token(ctx: Context) -> None:
    player = await ctx.player()
    before = await ctx.balance(player)
    bogus = ctx.new_id("no-such-session")
    enquiry = await ctx.send(ctx.call(player, "balance", token=bogus), "balance enquiry with an unknown token")
    ctx.expect_refused(enquiry, "balance enquiry with an unknown token", {"INVALID_SESSION"})
    bet = await ctx.bet(player, STAKE, "bet with an unknown token", token=bogus)
    ctx.expect_refused(bet, "bet with an unknown token", {"INVALID_SESSION"})
    await ctx.expect_balance(player, before)


@check(
    "session.other-players-token",
    "A session token of another player is refused",
    why="""A token proves who launched the game, so it is only good for its own player. A wallet that checks
    only that a token exists lets anyone with a session of their own bet (and read balances) on any player id
    they can guess. The provider sends one player's valid token with another player's id, for a balance
    enquiry and a bet, and expects INVALID_SESSION with neither balance changed.""",
)
async def other_players_token(ctx: Context) -> None:
    owner, other = await ctx.players(Want(count=2))
    owner_before = await ctx.balance(owner, f"balance of {owner.player_id} before")
    other_before = await ctx.funds(other, STAKE, f"balance of {other.player_id} before")
    label = "balance enquiry for the second player with the first player's token"
    enquiry = await ctx.send(ctx.call(other, "balance", token=owner.token), label)
    ctx.expect_refused(enquiry, label, {"INVALID_SESSION"})
    label = "bet for the second player with the first player's token"
    bet = await ctx.bet(other, STAKE, label, token=owner.token)
    ctx.expect_refused(bet, label, {"INVALID_SESSION"})
    await ctx.expect_balance(other, other_before, "second player's balance")
    await ctx.expect_balance(owner, owner_before, "first player's balance")
    await ctx.restore(other, [bet])


@check(
    "session.expired-refuses-bet",
    "An expired session takes no more bets",
    why="""Once the operator's session has expired the player must not be able to stake, or a player who
    logged out (or was logged out by a limit) keeps playing. The provider bets with an expired token and
    expects SESSION_EXPIRED (INVALID_SESSION is accepted too), nothing debited.""",
)
async def expired_refuses_bet(ctx: Context) -> None:
    player = await ctx.player(Want(expired_token=True))
    expired = await ctx.expired_token(player)
    before = await ctx.balance(player)
    bet = await ctx.bet(player, STAKE, "bet with the expired token", token=expired)
    ctx.expect_refused(bet, "bet with the expired token", {"SESSION_EXPIRED", "INVALID_SESSION"})
    await ctx.expect_balance(player, before)


@check(
    "session.expired-accepts-win",
    "A win arriving after the session expired is paid",
    why="""A round can outlive the session: a slow live game, a retried win, a player who closed the tab.
    The provider owes the money either way, so a wallet that refuses the win with SESSION_EXPIRED leaves the
    round unpaid and the provider retrying it until a person settles it by hand.""",
)
async def expired_accepts_win(ctx: Context) -> None:
    player, before, bet, expired = await ctx.staked_before_expiry(STAKE)
    win = await ctx.win(player, bet, WIN, "win with the expired token", token=expired)
    ctx.expect_ok(win, "win with the expired token", before - STAKE + WIN)
    await ctx.expect_balance(player, before - STAKE + WIN)

"""What a check works with: players, wallet calls in the suite's dialect, and expectations that become its
verdict. Every expectation is kept, met or not, so the report shows what was expected and what was seen at
each step; ``require`` also stops the check when the steps after it would mean nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from simulator.conformance.client import Answer, Client, money
from simulator.conformance.model import Exchange, Expectation
from simulator.conformance.players import Player, Players, Want
from simulator.conformance.wire import Wire
from simulator.dialects.call import Operation, WalletCall, WalletRequest

if TYPE_CHECKING:
    from simulator.conformance.registry import Check
    from simulator.conformance.runner import Options

STUDIO_ID = "casino-sim-conformance"


class Skipped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Stop(Exception):
    """A required step failed; what follows would prove nothing."""


@dataclass(frozen=True, slots=True)
class Sent:
    call: WalletCall
    answer: Answer

    @property
    def ok(self) -> bool:
        return self.answer.ok

    @property
    def request(self) -> WalletRequest:
        assert self.answer.request is not None
        return self.answer.request


@dataclass(frozen=True, slots=True)
class Suite:
    """What every check of one run shares."""

    options: Options
    wire: Wire
    client: Client
    players: Players
    run_id: str
    advance_clock: Callable[[float], None] | None


class Context:
    def __init__(self, check: Check, suite: Suite) -> None:
        self.check = check
        self.suite = suite
        self.wire = suite.wire
        self.options = suite.options
        self.exchanges: list[Exchange] = []
        self.expectations: list[Expectation] = []
        self._taken: list[Player] = []
        self._numbers = itertools.count(1)
        self._prefix = f"{suite.run_id}-{check.id.replace('.', '-')}"

    # bookkeeping

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def new_id(self, kind: str) -> str:
        return f"{self._prefix}-{kind}-{next(self._numbers)}"

    def skip(self, reason: str) -> NoReturn:
        raise Skipped(reason)

    async def player(self, want: Want | None = None) -> Player:
        return (await self.players(want or Want()))[0]

    async def players(self, want: Want) -> list[Player]:
        taken = await self.suite.players.take(want, self.record)
        self._taken += taken
        return taken

    async def close(self) -> None:
        await self.suite.players.release(self._taken)

    # expectations

    def expect(self, step: str, ok: bool, expected: str, saw: str) -> bool:
        self.expectations.append(Expectation(step, expected, saw, ok))
        return ok

    def require(self, step: str, ok: bool, expected: str, saw: str) -> None:
        if not self.expect(step, ok, expected, saw):
            raise Stop(step)

    def expect_ok(self, sent: Sent, step: str, balance: int | None = None, *, required: bool = False) -> bool:
        currency = sent.call.currency
        ok = sent.ok and (balance is None or sent.answer.balance == balance)
        expected = "accepted" if balance is None else f"accepted, balance {money(balance, currency)}"
        if required:
            self.require(step, ok, expected, sent.answer.describe())
            return True
        return self.expect(step, ok, expected, sent.answer.describe())

    def expect_refused(self, sent: Sent, step: str, codes: Collection[str], *, carried: int | None = None) -> bool:
        """Refused with one of ``codes`` (and, when ``carried`` is given and the reply has a balance, that
        balance)."""
        answer = sent.answer
        folded = self.wire.conflated.get(answer.code or "", frozenset())
        ok = answer.kind == "refused" and (answer.code in codes or bool(folded & set(codes)))
        expected = f"refused with {' or '.join(sorted(codes))}"
        if carried is not None:
            expected += f", balance {money(carried, sent.call.currency)} carried"
            ok = ok and answer.balance == carried
        return self.expect(step, ok, expected, answer.describe())

    async def expect_balance(self, player: Player, balance: int, step: str = "balance afterwards") -> bool:
        sent = await self.enquire(player, step)
        expected = f"balance {money(balance, player.currency)}"
        saw = f"balance {money(sent.answer.balance, player.currency)}" if sent.ok else sent.answer.describe()
        return self.expect(step, sent.ok and sent.answer.balance == balance, expected, saw)

    # wallet calls

    def call(
        self,
        player: Player,
        operation: Operation,
        amount: int = 0,
        *,
        round_id: str | None = None,
        transaction_id: str | None = None,
        reference: str | None = None,
        closed: bool = False,
        bonus: dict[str, Any] | None = None,
        token: str | None = None,
        currency: str | None = None,
        game_id: str | None = None,
    ) -> WalletCall:
        fields: dict[str, Any] = {
            "operation": operation,
            "player_id": player.player_id,
            "session_id": token or player.token,
            "currency": currency or player.currency,
            "game_id": game_id or self.options.game_id,
            "studio_id": STUDIO_ID,
        }
        if operation != "balance":
            fields |= {
                "transaction_id": transaction_id or self.new_id(operation),
                "round_id": round_id or self.new_id("round"),
                "amount": amount,
                "round_closed": closed,
                "reference_transaction_id": reference,
                "bonus": bonus,
            }
        return WalletCall(**fields)

    async def send(self, call: WalletCall, label: str, request: WalletRequest | None = None) -> Sent:
        built = request if request is not None else self.wire.build(call)
        return Sent(call, await self.suite.client.perform(call, built, label, self.record))

    async def resend(self, sent: Sent, label: str) -> Sent:
        """The very same request again (same ids, same signature): a retry, or a copy the network delayed."""
        return await self.send(sent.call, label, sent.request)

    async def enquire(self, player: Player, label: str = "balance enquiry") -> Sent:
        return await self.send(self.call(player, "balance"), label)

    async def balance(self, player: Player, label: str = "balance before") -> int:
        sent = await self.enquire(player, label)
        self.require(label, sent.ok and sent.answer.balance is not None, "a balance", sent.answer.describe())
        assert sent.answer.balance is not None
        return sent.answer.balance

    async def funds(self, player: Player, minimum: int, label: str = "balance before") -> int:
        """The player's balance; an operator's player with less than ``minimum`` skips the check."""
        balance = await self.balance(player, label)
        if balance < minimum:
            self.skip(
                f"player {player.player_id} has {money(balance, player.currency)}; this check needs "
                f"{money(minimum, player.currency)}"
            )
        return balance

    async def staked(self, stake: int, *, funds: int | None = None) -> tuple[Player, int, Sent]:
        """A player holding at least ``funds`` (``stake`` by default), their balance before, and a bet of ``stake``
        the wallet acknowledged: the opening most checks share (the check stops if the bet is refused)."""
        player = await self.player()
        before = await self.funds(player, stake if funds is None else funds)
        bet = await self.bet(player, stake)
        self.expect_ok(bet, "the bet", before - stake, required=True)
        return player, before, bet

    async def staked_before_expiry(self, stake: int) -> tuple[Player, int, Sent, str]:
        """A player, their balance before, a bet of ``stake`` the wallet acknowledged while the session was valid
        (the check stops if it is refused), and a token of that session that has since expired: the opening of the
        checks that settle a bet after its session ended."""
        player = await self.player(Want(expired_token=True))
        before = await self.funds(player, stake)
        bet = await self.bet(player, stake, "bet while the session is valid")
        self.expect_ok(bet, "bet while the session is valid", before - stake, required=True)
        return player, before, bet, await self.expired_token(player)

    async def bet(self, player: Player, amount: int, label: str = "bet", **fields: Any) -> Sent:
        return await self.send(self.call(player, "bet", amount, **fields), label)

    async def win(
        self, player: Player, bet: Sent, amount: int, label: str = "win", *, closed: bool = True, **fields: Any
    ) -> Sent:
        given: dict[str, Any] = {"round_id": bet.call.round_id, "reference": bet.call.transaction_id, "closed": closed}
        return await self.send(self.call(player, "win", amount, **(given | fields)), label)

    async def rollback(self, player: Player, bet: Sent, label: str = "rollback", **fields: Any) -> Sent:
        given: dict[str, Any] = {
            "round_id": bet.call.round_id,
            "reference": bet.call.transaction_id,
            "closed": True,
            "bonus": bet.call.bonus,
        }
        given |= fields
        amount: int = given.pop("amount", bet.call.amount)
        return await self.send(self.call(player, "rollback", amount, **given), label)

    async def restore(self, player: Player, bets: Sequence[Sent]) -> None:
        """Roll back ``bets`` of an operator's player so later checks find its money (not judged)."""
        if not player.shared:
            return
        for bet in bets:
            if bet.ok:
                await self.rollback(player, bet, "clean-up: rollback")

    async def expired_token(self, player: Player) -> str:
        """A session token of ``player`` that has expired: the operator's, or one the sandbox issues and the
        wallet's clock (when the suite may move it) or a zero lifetime lets lapse."""
        if player.expired_token:
            return player.expired_token
        sandbox = self.suite.players.sandbox
        if sandbox is None or player.shared:
            self.skip(f"no expired session token for {player.player_id}: give one as expired_token in a players file")
        if self.suite.advance_clock is not None:
            token = await sandbox.issue_token(player, 1, self.record)
            if token is not None:
                self.suite.advance_clock(2.0)
                return token
        token = await sandbox.issue_token(player, 0, self.record)
        if token is None:
            self.skip("the sandbox cannot issue an expired token and the wallet's clock cannot be moved from here")
        return token

    def edited(self, call: WalletCall, **changes: Any) -> WalletCall:
        return dataclasses.replace(call, **changes)

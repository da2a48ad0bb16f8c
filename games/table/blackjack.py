"""Blackjack as a multi-step engine: ``open`` deals, the player acts hand by hand, the dealer plays, hands settle.

Every card of the round is drawn in ``open`` (``Rules.cards_per_round``, enough for the longest possible round) and
kept in the state with a cursor, so ``act`` is deterministic and a restarted server resumes the same shoe order.
Infinite-deck tables draw each card as ``rng.index(52)`` (the public mapping); shoe tables draw without replacement
from ``decks`` copies of 0-51 with ``rng.index(len(remaining))``. Deal order: player, dealer up, player, dealer hole,
then cards in the order they are needed; a split hand receives its second card when it becomes the active hand.

Money: the stake is the main bet; ``cost`` asks for one more hand's bet on ``double`` and ``split`` and half the
stake (rounded down) on ``insurance``. ``win`` is everything paid back, bets included: a win returns twice the hand's
bet, a push the bet, a blackjack ``bet + bet * 3/2`` (exact, then settled to minor units by the unbiased rounding of
``games.common.money.settle`` with a word ``open`` draws after the cards), insurance three times its bet when the
dealer has blackjack. The dealer peeks under an ace or ten, so a dealer blackjack ends the round before doubles or
splits.

Actions: ``insurance`` / ``no_insurance`` (only when the dealer shows an ace and the stake is at least 2), then
``hit``, ``stand``, ``double``, ``split`` for the active hand; none take params. Split aces get one card each and a
21 after a split is not a blackjack; a hand reaching 21 stands by itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.actions import check_action, check_action_params
from games.common.money import ROUNDING_WORD, check_stake, exact_text, settle_state
from games.common.params import check_keys, check_mapping
from games.common.schema import Parameters, params_schema
from games.engine import JSON, MathProfile, MultiStep, Step
from games.errors import IllegalAction
from games.rng import RandomSource
from games.table.blackjack_rules import Rules, dealer_hits, hand_total, is_blackjack
from games.table.blackjack_sim import simulate
from games.table.blackjack_strategy import basic_strategy_action
from games.table.cards import blackjack_value, label

INSURANCE_ACTIONS = ("insurance", "no_insurance")


def _values(cards: list[int]) -> list[int]:
    return [blackjack_value(card) for card in cards]


class BlackjackEngine(MultiStep):
    """One blackjack table (one set of ``Rules``). See the module docstring for actions and money."""

    category = "table"

    def __init__(self, engine_id: str, rules: Rules, profile: Callable[[], MathProfile]) -> None:
        self.engine_id = engine_id
        self.rules = rules
        self._profile = cache(profile)

    def reference_params(self) -> JSON:
        return {}

    def parameters(self) -> Parameters:
        when = {
            "insurance": "Insure against a dealer blackjack for half the stake (dealer shows an ace, stake >= 2).",
            "no_insurance": "Decline insurance (dealer shows an ace).",
            "hit": "Take a card for the active hand.",
            "stand": "Keep the active hand.",
            "double": "Double the active hand's bet and take one last card (two-card hands).",
            "split": "Split a pair into two hands, the second with the same bet.",
        }
        actions = {
            name: params_schema(f"{self.engine_id} {name}", description=text, examples=[{}])
            for name, text in when.items()
        }
        return Parameters(
            params_schema(
                f"{self.engine_id} bet",
                description="Deal a hand for the stake; the round's actions then take no parameters.",
                examples=[{}],
                invalid=[{"side_bet": 10}],
            ),
            actions,
        )

    def math(self) -> MathProfile:
        """RTP = 1 + expected net result per initial stake under basic strategy (the convention under which
        blackjack house edges are published); ``method`` says whether it is exact or from a recorded simulation."""
        return self._profile()

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        """Partly vectorised (see ``blackjack_sim``): cards are drawn by numpy, rounds played in a loop."""
        return simulate(self.rules, rounds, rng).returns

    def reference_action(self, step: Step) -> tuple[str, JSON]:
        """Basic strategy, declining insurance (what ``math`` assumes)."""
        return basic_strategy_action(step.view, step.actions), {}

    # -- round --------------------------------------------------------------------------------------------------

    def _draw(self, rng: RandomSource) -> list[int]:
        count = self.rules.cards_per_round
        if self.rules.decks is None:
            return [rng.index(52) for _ in range(count)]
        shoe = list(range(52)) * self.rules.decks
        return [shoe.pop(rng.index(len(shoe))) for _ in range(count)]

    def open(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Step:
        stake = check_stake(stake)
        check_keys(check_mapping(params, self.engine_id), (), self.engine_id)
        cards = self._draw(rng)
        rounding_word = rng.word()
        state: JSON = {
            "stake": stake,
            "cards": cards,
            "next": 4,
            "dealer": [cards[1], cards[3]],
            "hands": [_hand([cards[0], cards[2]], stake)],
            "active": 0,
            "phase": "insurance",
            "insurance": None,
            "insurance_win": 0,
            "finished": False,
            "win": 0,
            ROUNDING_WORD: rounding_word,
        }
        if blackjack_value(cards[1]) != 1 or stake // 2 < 1:
            self._peek(state)
        return self._step(state)

    def cost(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> int:
        """Validates exactly as ``act`` does, so nothing is debited for an action that would then be refused."""
        check_action(state, action, self._actions(state), self.engine_id)
        check_action_params(params, (), self.engine_id, action)
        if action == "insurance":
            return int(state["stake"]) // 2
        if action in ("double", "split"):
            return int(state["hands"][state["active"]]["bet"])
        return 0

    def act(self, state: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> Step:
        check_action(state, action, self._actions(state), self.engine_id)
        check_action_params(params, (), self.engine_id, action)
        new: JSON = copy.deepcopy(dict(state))
        if action in INSURANCE_ACTIONS:
            new["insurance"] = new["stake"] // 2 if action == "insurance" else 0
            self._peek(new)
            return self._step(new)
        hand = new["hands"][new["active"]]
        if action == "hit":
            hand["cards"].append(self._deal(new))
        elif action == "stand":
            hand["done"] = True
        elif action == "double":
            hand["bet"] *= 2
            hand["doubled"] = True
            hand["cards"].append(self._deal(new))
            hand["done"] = True
        else:
            second = hand["cards"].pop()
            aces = blackjack_value(second) == 1
            hand["split"] = True
            hand["split_aces"] = aces
            twin = _hand([second], hand["bet"])
            twin["split"] = True
            twin["split_aces"] = aces
            new["hands"].insert(new["active"] + 1, twin)
        self._advance(new)
        return self._step(new)

    # -- mechanics ----------------------------------------------------------------------------------------------

    @staticmethod
    def _deal(state: JSON) -> int:
        position = state["next"]
        if position >= len(state["cards"]):
            raise IllegalAction("blackjack: the round's cards are exhausted")  # pragma: no cover - bound proven
        state["next"] = position + 1
        card: int = state["cards"][position]
        return card

    def _peek(self, state: JSON) -> None:
        """Settle blackjacks and insurance once the insurance question (if any) is answered."""
        hand = state["hands"][0]
        player_bj = is_blackjack(_values(hand["cards"]))
        if is_blackjack(_values(state["dealer"])):
            state["insurance_win"] = 3 * (state["insurance"] or 0)
            hand["result"] = "push" if player_bj else "lose"
            hand["payout"] = hand["bet"] if player_bj else 0
            self._finish(state)
        elif player_bj:
            hand["result"] = "blackjack"
            exact = hand["bet"] * (1 + self.rules.blackjack_pays)
            hand["payout"] = settle_state(exact, state)
            self._finish(state, exact)
        else:
            state["phase"] = "player"
            self._advance(state)

    def _advance(self, state: JSON) -> None:
        """Move to the next hand needing a decision, dealing split hands their second card; then the dealer."""
        hands = state["hands"]
        while state["active"] < len(hands):
            hand = hands[state["active"]]
            if len(hand["cards"]) == 1:
                hand["cards"].append(self._deal(state))
                hand["done"] = hand["split_aces"]
            if hand_total(_values(hand["cards"]))[0] >= 21:
                hand["done"] = True
            if not hand["done"]:
                return
            state["active"] += 1
        self._dealer_and_settle(state)

    def _dealer_and_settle(self, state: JSON) -> None:
        dealer = state["dealer"]
        live = [hand for hand in state["hands"] if hand_total(_values(hand["cards"]))[0] <= 21]
        while live and dealer_hits(_values(dealer), self.rules.hit_soft_17):
            dealer.append(self._deal(state))
        dealer_total = hand_total(_values(dealer))[0]
        for hand in state["hands"]:
            total = hand_total(_values(hand["cards"]))[0]
            if total > 21:
                hand["result"], hand["payout"] = "bust", 0
            elif dealer_total > 21 or total > dealer_total:
                hand["result"], hand["payout"] = "win", 2 * hand["bet"]
            elif total == dealer_total:
                hand["result"], hand["payout"] = "push", hand["bet"]
            else:
                hand["result"], hand["payout"] = "lose", 0
        self._finish(state)

    @staticmethod
    def _finish(state: JSON, exact: Fraction | None = None) -> None:
        """``exact`` is the round's exact win when it is not whole: a natural's, the only fractional payout, which
        ends the round with a single hand and no insurance win, so settling that hand settles the round."""
        state["phase"] = "finished"
        state["finished"] = True
        state["win"] = sum(hand["payout"] for hand in state["hands"]) + state["insurance_win"]
        state["exact_win"] = exact_text(Fraction(state["win"]) if exact is None else exact)

    def _actions(self, state: Mapping[str, Any]) -> tuple[str, ...]:
        if state["finished"]:
            return ()
        if state["phase"] == "insurance":
            return INSURANCE_ACTIONS
        hand = state["hands"][state["active"]]
        values = _values(hand["cards"])
        actions = ["hit", "stand"]
        if len(values) == 2 and (not hand["split"] or self.rules.double_after_split):
            actions.append("double")
        if len(values) == 2 and values[0] == values[1] and len(state["hands"]) < self.rules.max_hands:
            actions.append("split")
        return tuple(actions)

    def _step(self, state: JSON) -> Step:
        finished = bool(state["finished"])
        dealer_cards = state["dealer"] if finished else state["dealer"][:1]
        dealer_values = _values(dealer_cards)
        hands = []
        for hand in state["hands"]:
            total, soft = hand_total(_values(hand["cards"]))
            shown: JSON = {
                "cards": [label(card) for card in hand["cards"]],
                "total": total,
                "soft": soft,
                "bet": hand["bet"],
                "doubled": hand["doubled"],
            }
            if "result" in hand:
                shown["result"] = hand["result"]
                shown["payout"] = hand["payout"]
            hands.append(shown)
        view: JSON = {
            "rules": self.rules.to_json(),
            "phase": state["phase"],
            "dealer": {
                "cards": [label(card) for card in dealer_cards],
                "total": hand_total(dealer_values)[0],
                "hidden_cards": 0 if finished else 1,
            },
            "hands": hands,
            "active": None if finished else state["active"],
            "insurance": state["insurance"],
        }
        if finished:
            view["insurance_win"] = state["insurance_win"]
            view["win"] = state["win"]
            view["exact_win"] = state["exact_win"]
        return Step(state=state, view=view, finished=finished, win=state["win"], actions=self._actions(state))


def _hand(cards: list[int], bet: int) -> JSON:
    return {"cards": cards, "bet": bet, "doubled": False, "split": False, "split_aces": False, "done": False}

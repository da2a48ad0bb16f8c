"""Punto banco drawing rules, written twice on purpose: once for one hand (``deal``) and once over numpy arrays
(``deal_many``), so the exact enumeration and the simulation use the array form and the tests hold the two against
each other. Cards come in order player, banker, player, banker, then the player's third card if drawn, then the
banker's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from games.table.cards import baccarat_value, rank

_VALUE_OF_RANK = np.array([2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 1], dtype=np.int64)


def banker_draws(banker_total: int, player_third: int | None) -> bool:
    """The banker's tableau: with no player third card the banker plays like the player."""
    if player_third is None:
        return banker_total <= 5
    if banker_total <= 2:
        return True
    if banker_total == 3:
        return player_third != 8
    if banker_total == 4:
        return 2 <= player_third <= 7
    if banker_total == 5:
        return 4 <= player_third <= 7
    if banker_total == 6:
        return player_third in (6, 7)
    return False


@dataclass(frozen=True, slots=True)
class Coup:
    player: list[int]
    banker: list[int]

    @property
    def player_total(self) -> int:
        return sum(baccarat_value(card) for card in self.player) % 10

    @property
    def banker_total(self) -> int:
        return sum(baccarat_value(card) for card in self.banker) % 10

    @property
    def winner(self) -> str:
        if self.player_total == self.banker_total:
            return "tie"
        return "player" if self.player_total > self.banker_total else "banker"

    @property
    def player_pair(self) -> bool:
        return rank(self.player[0]) == rank(self.player[1])

    @property
    def banker_pair(self) -> bool:
        return rank(self.banker[0]) == rank(self.banker[1])


def deal(draw: Callable[[], int]) -> Coup:
    player = [draw()]
    banker = [draw()]
    player.append(draw())
    banker.append(draw())
    coup = Coup(player, banker)
    if coup.player_total >= 8 or coup.banker_total >= 8:
        return coup
    player_third = None
    if coup.player_total <= 5:
        player.append(draw())
        player_third = baccarat_value(player[2])
    if banker_draws(coup.banker_total, player_third):
        banker.append(draw())
    return coup


@dataclass(frozen=True, slots=True)
class Coups:
    """Outcomes of many coups: totals and pair flags as arrays."""

    player_total: npt.NDArray[np.int64]
    banker_total: npt.NDArray[np.int64]
    player_pair: npt.NDArray[np.bool_]
    banker_pair: npt.NDArray[np.bool_]


def deal_many(ranks: npt.NDArray[np.int64]) -> Coups:
    """Coups from an ``(n, 6)`` array of rank indices in dealing order (unused trailing cards are ignored)."""
    values = _VALUE_OF_RANK[ranks]
    player = (values[:, 0] + values[:, 2]) % 10
    banker = (values[:, 1] + values[:, 3]) % 10
    natural = (player >= 8) | (banker >= 8)
    player_draws = ~natural & (player <= 5)
    third = np.where(player_draws, values[:, 4], -1)
    banker_next = np.where(player_draws, values[:, 5], values[:, 4])
    draws = np.select(
        [
            natural,
            third < 0,
            banker <= 2,
            banker == 3,
            banker == 4,
            banker == 5,
            banker == 6,
        ],
        [
            False,
            banker <= 5,
            True,
            third != 8,
            (third >= 2) & (third <= 7),
            (third >= 4) & (third <= 7),
            (third == 6) | (third == 7),
        ],
        default=False,
    )
    return Coups(
        player_total=np.where(player_draws, (player + np.maximum(third, 0)) % 10, player),
        banker_total=np.where(draws, (banker + banker_next) % 10, banker),
        player_pair=ranks[:, 0] == ranks[:, 2],
        banker_pair=ranks[:, 1] == ranks[:, 3],
    )

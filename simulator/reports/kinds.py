"""How each report kind enters GGR and NGR: the one table of roles.

Reports group acknowledged transactions by their report kind: the ``kind`` column as it is stored, followed by
``:`` and the bonus type for a transaction that carries a bonus context (``simulator.bonus.context``): ``win:jackpot``,
``win:promo``, ``win:campaign_total``, and a free round's ``bet:free_round`` (of 0), ``win:free_round`` and
``rollback:free_round``. So a kind or bonus type added elsewhere appears in every report, with its count and amount,
without a change here. Its role in GGR and NGR is the table's, and a kind the table does not name is a ``BONUS``: a
payout to the player that the game's own math did not make (a free round's win, a promotion, a jackpot pool, a
campaign's total), which NGR deducts and GGR does not. A new kind that is not a payout to the player (say, a
contribution) needs its line in ``ROLES``.

A round is counted by the win that closes it; a bonus win in a wallet round of its own (promotional, jackpot,
campaign total) closes no game round, a free round's win does (``closes_game_round``).

    GGR = stakes - stakes reversed - wins
    NGR = GGR - bonus payouts

where stakes are the ``bet`` amounts, stakes reversed the amounts of acknowledged bets that an acknowledged
``rollback`` gave back, and wins the ``win`` amounts (a lost round's closing win of 0 included).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STAKE = "stake"  # the player paid it: adds to GGR
    REVERSAL = "reversal"  # gives a stake back: the reversed stake leaves GGR
    WIN = "win"  # the game's own payout: leaves GGR
    BONUS = "bonus"  # any other payout: leaves NGR only


ROLES: dict[str, Role] = {
    "bet": Role.STAKE,
    "rollback": Role.REVERSAL,
    "win": Role.WIN,
    "bet:free_round": Role.STAKE,  # always 0: the campaign pays the stake
    "rollback:free_round": Role.REVERSAL,
}
GAME_ROUND_WINS = frozenset({"win", "win:free_round"})


def role(kind: str) -> Role:
    return ROLES.get(kind, Role.BONUS)


def closes_game_round(kind: str) -> bool:
    """Whether a closing win of this kind closes a round of a game (and counts in ``rounds``)."""
    return kind in GAME_ROUND_WINS

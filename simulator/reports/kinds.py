"""How each transaction kind enters GGR and NGR: the one table of roles.

Reports group acknowledged transactions by their ``kind`` column as it is stored, so a kind added elsewhere (free-round,
promotion or jackpot wins) appears in every report, with its count and amount, without a change here. Its role in
GGR and NGR is the table's, and a kind the table does not name is a ``BONUS``: a payout to the player that the game's
own math did not make (a free round, a promotion, a jackpot pool), which NGR deducts and GGR does not. A new kind that
is not a payout to the player (say, a contribution) needs its line in ``ROLES``.

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


ROLES: dict[str, Role] = {"bet": Role.STAKE, "rollback": Role.REVERSAL, "win": Role.WIN}


def role(kind: str) -> Role:
    return ROLES.get(kind, Role.BONUS)

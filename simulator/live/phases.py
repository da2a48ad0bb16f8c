"""A live table round's phases and the one table of legal moves between them.

A table round is ``betting`` from its opening until its closing time, then ``closed`` (no more bets) until the result
is drawn, then ``decided`` (the result and the revealed server seed are recorded) until every player's bet in it has
its closing win queued, then ``settled``. The store applies a move with one conditional update naming the move's
source, so a move made twice (two processes, a restart) changes nothing the second time, and a bet is recorded only
in the same transaction that finds its table round still ``betting``.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    BETTING = "betting"
    CLOSED = "closed"
    DECIDED = "decided"
    SETTLED = "settled"


class TableEvent(StrEnum):
    NO_MORE_BETS = "no more bets"
    RESULT = "result"
    ALL_SETTLED = "all settled"


PHASE_MOVES: dict[TableEvent, tuple[Phase, Phase]] = {
    TableEvent.NO_MORE_BETS: (Phase.BETTING, Phase.CLOSED),
    TableEvent.RESULT: (Phase.CLOSED, Phase.DECIDED),
    TableEvent.ALL_SETTLED: (Phase.DECIDED, Phase.SETTLED),
}

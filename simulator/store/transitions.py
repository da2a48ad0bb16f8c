"""The one way a round's status changes: a single conditional update naming the legal sources of the event
(``simulator.lifecycle.ROUND_TRANSITIONS``), so a move the table does not allow, or one from a state that has moved
meanwhile, changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.lifecycle import ROUND_TRANSITIONS, RoundEvent
from simulator.store.database import Tx


def _transition_sql(event: RoundEvent) -> str:
    move = ROUND_TRANSITIONS[event]
    version = ", version = version + 1" if move.versioned else ""
    sources = ", ".join(f"'{s}'" for s in move.sources)
    return (
        f"UPDATE rounds SET status = '{move.target}'{version}, updated_at = ?{{sets}}"  # noqa: S608
        f" WHERE round_id = ? AND status IN ({sources}){{where}}"
    )


_TRANSITIONS = {event: _transition_sql(event) for event in RoundEvent}
_PLAIN = {event: sql.format(sets="", where="") for event, sql in _TRANSITIONS.items()}


async def transition(
    tx: Tx,
    round_id: str,
    event: RoundEvent,
    now: float,
    *,
    sets: Sequence[tuple[str, Any]] = (),
    where: str = "",
    args: Sequence[Any] = (),
) -> bool:
    """Apply ``event`` to the round, with ``sets`` (column, value) written alongside and ``where`` (with ``args``) as
    a further condition; false, with nothing changed, when the round is not in one of the event's sources."""
    if not sets and not where:  # a plain move, as every round makes it: the statement is ready
        return await tx.execute(_PLAIN[event], now, round_id) == 1
    sql = _TRANSITIONS[event].format(sets="".join(f", {column} = ?" for column, _ in sets), where=where)
    changed = await tx.execute(sql, now, *(value for _, value in sets), round_id, *args)
    return changed == 1

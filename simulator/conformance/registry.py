"""The checks, by id. A check is an async function of a ``Context`` registered with ``@check``; importing
``simulator.conformance.checks`` registers them all, in the order the report lists them.

``requires`` names what the dialect must be able to express (``Capability``); a dialect that cannot is
reported as SKIP with its own explanation, without running the check.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simulator.conformance.errors import SetupError

if TYPE_CHECKING:
    from simulator.conformance.context import Context

Capability = Literal[
    "body_signature", "timestamp", "request_id", "win_only", "round_closed_code", "final_win_refusal", "currency_field"
]
CheckFn = Callable[["Context"], Awaitable[None]]

GROUPS = {
    "auth": "Signatures",
    "session": "Sessions",
    "balance": "Balance",
    "bet": "Bets",
    "idem": "Idempotency",
    "win": "Wins",
    "round": "Rounds",
    "rollback": "Rollbacks",
    "retry": "Timeouts and retries",
    "concurrency": "Concurrency",
    "bonus": "Bonus",
    "format": "Format",
}


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    why: str
    run: CheckFn
    requires: tuple[Capability, ...] = ()

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


REGISTRY: dict[str, Check] = {}


def check(
    check_id: str, title: str, *, why: str, requires: tuple[Capability, ...] = ()
) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check ``check_id`` (``group.name``, the group one of ``GROUPS``)."""
    if check_id.split(".", 1)[0] not in GROUPS or "." not in check_id:
        raise ValueError(f"check id {check_id!r} must be group.name with a group from {sorted(GROUPS)}")

    def register(fn: CheckFn) -> CheckFn:
        if check_id in REGISTRY:
            raise ValueError(f"check {check_id!r} is registered twice")
        REGISTRY[check_id] = Check(check_id, title, " ".join(why.split()), fn, requires)
        return fn

    return register


def all_checks() -> list[Check]:
    import simulator.conformance.checks  # noqa: F401 - registers every check

    order = list(GROUPS)
    return sorted(REGISTRY.values(), key=lambda c: order.index(c.group))


def select(patterns: Iterable[str] = ()) -> list[Check]:
    """The checks whose id matches one of the glob ``patterns`` (all when none); unknown patterns are an error."""
    checks = all_checks()
    wanted = list(patterns)
    if not wanted:
        return checks
    unmatched = [p for p in wanted if not any(fnmatch.fnmatchcase(c.id, p) for c in checks)]
    if unmatched:
        raise SetupError(f"no check matches {', '.join(unmatched)}")
    return [c for c in checks if any(fnmatch.fnmatchcase(c.id, p) for p in wanted)]

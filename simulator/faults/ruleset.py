"""The live set of fault rules: compiled matchers, a two-level index, and each rule's schedule state.

Matching cost stays flat as rules are added. A call only looks at the bucket of its side and operation (rules naming
it, plus those for any operation); inside a bucket, a rule that names exact players (or sessions, rounds,
transactions, games, studios, currencies) is filed under those values, so a call meets only the rules filed under its
own values and the few general ones. Each field test is a set lookup unless the rule used a glob pattern. Rule order is
priority: every matching rule counts the call, the first one that fires is applied.
"""

from __future__ import annotations

import fnmatch
import functools
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.clock import Clock
from simulator.errors import Conflict, NotFound
from simulator.faults.rules import GLOB, FaultRule, Match
from simulator.faults.schedule import ScheduleState

ENTITY_FIELDS = ("studio", "game", "dialect", "player", "currency")
PLAIN_FIELDS = ("method", "path", "bonus", "event")
# fields a rule is filed under inside its bucket, most selective first
KEY_FIELDS = ("player", "game", "studio", "currency")


@dataclass(slots=True)
class Target:
    """What a call is about. Inbound requests fill ``studio``..``currency`` lazily, only when a rule asks."""

    side: str
    operation: str
    method: str = ""
    path: str = ""
    headers: Mapping[str, str] | None = None
    studio: str | None = None
    game: str | None = None
    dialect: str | None = None
    player: str | None = None
    currency: str | None = None
    session: str | None = None
    round: str | None = None
    transaction: str | None = None
    bonus: str | None = None  # outbound: the bonus context's type (free_round, campaign_total, promo, jackpot)
    event: str | None = None  # outbound webhook deliveries: the event type
    resolved: bool = False

    def key(self, per: str) -> str:
        if per == "global":
            return ""
        value = getattr(self, per)
        return "" if value is None else str(value)


@functools.lru_cache(maxsize=1024)
def glob_pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a field's values, built when a rule is compiled and never while matching. Cached,
    so a rule sent again and again in the request header is translated once; rule validation bounds the length."""
    return re.compile("|".join(fnmatch.translate(v) for v in values))


class _Values:
    """One match field: a set of exact values, or a regular expression when any value is a glob."""

    __slots__ = ("_exact", "_pattern")

    def __init__(self, values: Iterable[str]) -> None:
        values = tuple(values)
        self._exact = frozenset(values)
        self._pattern = glob_pattern(values) if any(GLOB.search(v) for v in values) else None

    def __call__(self, value: str | None) -> bool:
        if value is None:
            return False
        if self._pattern is not None:
            return self._pattern.match(value) is not None
        return value in self._exact


@dataclass(eq=False)
class CompiledRule:
    rule: FaultRule
    order: int
    state: ScheduleState
    fields: tuple[tuple[str, _Values], ...]
    headers: tuple[tuple[str, _Values], ...]
    needs_entities: bool
    operations: tuple[str, ...] | None  # exact operation names for the index; None: any (or a glob)
    key: tuple[str, tuple[str, ...]] | None  # (field, exact values) the rule is filed under in its bucket

    @property
    def id(self) -> str:
        assert self.rule.id is not None
        return self.rule.id

    def matches(self, target: Target) -> bool:
        for name, test in self.fields:
            if not test(getattr(target, name)):
                return False
        if self.headers:
            if target.headers is None:
                return False
            for name, test in self.headers:
                if not test(target.headers.get(name)):
                    return False
        return True

    def to_json(self) -> dict[str, Any]:
        return self.rule.model_dump(mode="json", exclude_none=True) | {
            "counters": {"calls": self.state.calls, "injected": self.state.injected, "keys": self.state.keys()}
        }


def compile_rule(rule: FaultRule, order: int, started: float) -> CompiledRule:
    match: Match = rule.match
    fields: list[tuple[str, _Values]] = []
    for name in ("operation", *ENTITY_FIELDS, *PLAIN_FIELDS):
        values = match.values(name)
        if values is not None:
            if name == "method":
                values = tuple(v.upper() for v in values)
            fields.append((name, _Values(values)))
    headers = tuple((k, _Values([v])) for k, v in (match.headers or {}).items())
    ops = match.values("operation")
    exact_ops = None if ops is None or any(GLOB.search(op) for op in ops) else ops
    needs = any(match.values(name) is not None for name in ENTITY_FIELDS) or rule.schedule.per in ENTITY_FIELDS
    key = None
    for name in KEY_FIELDS:
        values = match.values(name)
        if values is not None and not any(GLOB.search(v) for v in values):
            key = (name, values)
            break
    state = ScheduleState(rule.schedule, started=started)
    return CompiledRule(rule, order, state, tuple(fields), headers, needs, exact_ops, key)


@dataclass(frozen=True, slots=True)
class Firing:
    compiled: CompiledRule
    key: str

    @property
    def rule(self) -> FaultRule:
        return self.compiled.rule

    @property
    def label(self) -> str:
        return f"{self.compiled.id}:{self.rule.action.type}"


class Bucket:
    """The rules that may match calls of one side and operation: general ones, and those filed by an exact value."""

    __slots__ = ("general", "keyed", "needs_entities", "size")

    def __init__(self, rules: list[CompiledRule]) -> None:
        general: list[CompiledRule] = []
        keyed: dict[str, dict[str, list[CompiledRule]]] = {}
        for compiled in sorted(rules, key=lambda c: c.order):
            if compiled.key is None:
                general.append(compiled)
            else:
                name, values = compiled.key
                for value in values:
                    keyed.setdefault(name, {}).setdefault(value, []).append(compiled)
        self.general = tuple(general)
        self.keyed = keyed
        self.needs_entities = any(c.needs_entities for c in rules)
        self.size = len(rules)

    def for_target(self, target: Target) -> tuple[CompiledRule, ...] | list[CompiledRule]:
        found: list[CompiledRule] | None = None
        for name, table in self.keyed.items():
            value = getattr(target, name)
            if value is not None and (hits := table.get(value)):
                found = hits if found is None else found + hits
        if found is None:
            return self.general
        return sorted([*self.general, *found], key=lambda c: c.order) if self.general else found


_EMPTY = Bucket([])


@dataclass
class _Index:
    by_op: dict[tuple[str, str], list[CompiledRule]] = field(default_factory=dict)
    any_op: dict[str, list[CompiledRule]] = field(default_factory=dict)
    cache: dict[tuple[str, str], Bucket] = field(default_factory=dict)


class FaultSet:
    """Rules in priority order, with their counters. Not thread-safe: it lives on the event loop."""

    def __init__(self, rules: Iterable[FaultRule] = (), *, clock: Clock, rng: random.Random) -> None:
        self._clock = clock
        self.rng = rng
        self._rules: list[CompiledRule] = []
        self._next_id = 1
        self._index = _Index()
        self.active = False
        self.sides: frozenset[str] = frozenset()
        self.replace_all(rules)

    # management

    def __iter__(self) -> Any:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, rule_id: str) -> CompiledRule:
        for compiled in self._rules:
            if compiled.id == rule_id:
                return compiled
        raise NotFound(f"no fault rule {rule_id!r}", code="UNKNOWN_FAULT")

    def _named(self, rule: FaultRule, taken: set[str]) -> FaultRule:
        if rule.id is not None:
            if rule.id in taken:
                raise Conflict(f"a fault rule with id {rule.id!r} already exists", code="DUPLICATE_FAULT")
            return rule
        while f"rule-{self._next_id}" in taken:
            self._next_id += 1
        return rule.with_id(f"rule-{self._next_id}")

    def add(self, rule: FaultRule) -> CompiledRule:
        rule = self._named(rule, {c.id for c in self._rules})
        compiled = compile_rule(rule, len(self._rules), self._clock.monotonic())
        self._rules.append(compiled)
        self._reindex()
        return compiled

    def replace_all(self, rules: Iterable[FaultRule]) -> None:
        rules = list(rules)
        given = [r.id for r in rules if r.id is not None]
        if len(given) != len(set(given)):
            raise Conflict("two fault rules share an id", code="DUPLICATE_FAULT")
        taken: set[str] = set(given)
        named: list[FaultRule] = []
        for rule in rules:
            named.append(rule if rule.id is not None else self._named(rule, taken))
            taken.add(named[-1].id or "")
        now = self._clock.monotonic()
        self._rules = [compile_rule(rule, i, now) for i, rule in enumerate(named)]
        self._reindex()

    def replace(self, rule_id: str, rule: FaultRule) -> CompiledRule:
        old = self.get(rule_id)
        if rule.id is not None and rule.id != rule_id:
            raise Conflict(f"the body names rule {rule.id!r} but the path names {rule_id!r}", code="FAULT_ID_MISMATCH")
        compiled = compile_rule(rule.with_id(rule_id), old.order, self._clock.monotonic())
        self._rules[self._rules.index(old)] = compiled
        self._reindex()
        return compiled

    def remove(self, rule_id: str) -> None:
        self._rules.remove(self.get(rule_id))
        self._reindex()

    def reset(self, rule_id: str | None = None) -> None:
        now = self._clock.monotonic()
        for compiled in [self.get(rule_id)] if rule_id is not None else self._rules:
            compiled.state.reset(now)

    def _reindex(self) -> None:
        index = _Index()
        for order, compiled in enumerate(self._rules):
            compiled.order = order
            if not compiled.rule.enabled:
                continue
            side = compiled.rule.match.side
            if compiled.operations is None:
                index.any_op.setdefault(side, []).append(compiled)
            else:
                for op in compiled.operations:
                    index.by_op.setdefault((side, op), []).append(compiled)
        self._index = index
        enabled = [c for c in self._rules if c.rule.enabled]
        self.active = bool(enabled)
        self.sides = frozenset(c.rule.match.side for c in enabled)

    # matching

    def bucket(self, side: str, operation: str) -> Bucket:
        """Enabled rules that may match a call of this side and operation."""
        index = self._index
        cached = index.cache.get((side, operation))
        if cached is None:
            merged = index.by_op.get((side, operation), []) + index.any_op.get(side, [])
            cached = index.cache[(side, operation)] = Bucket(merged) if merged else _EMPTY
        return cached

    def candidates(self, target: Target, bucket: Bucket | None = None) -> Sequence[CompiledRule]:
        """The rules a call meets, in priority order: the bucket's general rules and those filed under its values."""
        return (bucket or self.bucket(target.side, target.operation)).for_target(target)

    def select(self, target: Target, bucket: Bucket | None = None) -> Firing | None:
        """The fault to inject into this call, if any; its injection is counted at once."""
        candidates = self.candidates(target, bucket)
        if not candidates:
            return None
        chosen: Firing | None = None
        now = self._clock.monotonic()
        for compiled in candidates:
            if not compiled.matches(target):
                continue
            key = target.key(compiled.rule.schedule.per)
            if chosen is None:
                if compiled.state.consider(key, now, self.rng):
                    compiled.state.commit(key)
                    chosen = Firing(compiled, key)
            else:
                compiled.state.consider(key, now, _NEVER)
        return chosen


class _Never(random.Random):
    """A draw that never fires: rules after the chosen one count the call without consuming the seeded stream."""

    def random(self) -> float:
        return 1.0


_NEVER = _Never(0)

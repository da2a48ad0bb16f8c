"""What a conformance run produces: for each check its verdict, what it expected and saw, and every HTTP
exchange it made (secrets already redacted when recorded, so nothing downstream can leak them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request and its answer. ``kind`` is ``protocol`` for wallet calls, ``sandbox`` for set-up."""

    label: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None
    response_body: str | None
    error: str | None
    elapsed_ms: float
    kind: str = "protocol"


@dataclass(frozen=True, slots=True)
class Expectation:
    step: str
    expected: str
    saw: str
    ok: bool


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    title: str
    group: str
    why: str
    status: Status
    reason: str  # why it was skipped, or the first failed expectation
    expectations: tuple[Expectation, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    duration_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        return data


@dataclass(frozen=True, slots=True)
class SuiteInfo:
    dialect: str
    wallet_url: str
    players: str  # where the players came from, e.g. "created in the reference sandbox"
    started_at: str  # ISO 8601, UTC
    duration_s: float
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SuiteResult:
    info: SuiteInfo
    results: tuple[CheckResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def failed(self) -> bool:
        return self.count(Status.FAIL) > 0

    def summary(self) -> dict[str, int]:
        return {
            "total": len(self.results),
            "passed": self.count(Status.PASS),
            "failed": self.count(Status.FAIL),
            "skipped": self.count(Status.SKIP),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": asdict(self.info),
            "summary": self.summary(),
            "checks": [r.to_json() for r in self.results],
        }

"""What a report asks for: grouping, time range and filters, parsed once from the API's query or the CLI's options,
and the opaque cursor that pages through its rows."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from simulator.errors import RequestError

DIMENSIONS = ("day", "hour", "studio", "game", "currency", "player")
COLUMNS = {"studio": "studio_id", "game": "game_id", "currency": "currency", "player": "player_id"}
FILTERS = ("studio_id", "game_id", "currency", "player_id")
MAX_LIMIT = 5000


def parse_hour(text: str, name: str) -> int:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH`` (``:00`` and ``Z`` allowed), UTC: the hour since the epoch."""
    value = text.strip().removesuffix("Z").removesuffix(":00")
    for pattern in ("%Y-%m-%d", "%Y-%m-%dT%H"):
        try:
            moment = datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        return int(moment.timestamp()) // 3600
    raise RequestError(f"{name} must be a UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH, not {text[:40]!r}")


def hour_label(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%dT%H:00Z")


def day_label(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """A money report: rows grouped by ``group_by`` (currency is always one of them: amounts of different currencies
    are never added), over hours ``start`` (included) to ``end`` (excluded), filtered by the ids given."""

    group_by: tuple[str, ...] = ("day",)
    start: int | None = None
    end: int | None = None
    studio_id: str | None = None
    game_id: str | None = None
    currency: str | None = None
    player_id: str | None = None

    @classmethod
    def parse(cls, group_by: str | None, start: str | None, end: str | None, filters: Mapping[str, str]) -> ReportQuery:
        names = tuple(dict.fromkeys(n.strip() for n in (group_by or "day").split(",") if n.strip()))
        unknown = [n for n in names if n not in DIMENSIONS]
        if unknown or not names:
            raise RequestError(f"group_by takes a comma-separated list of: {', '.join(DIMENSIONS)}")
        if "day" in names and "hour" in names:
            raise RequestError("group_by takes day or hour, not both")
        if "currency" not in names:
            names += ("currency",)
        first = None if start is None else parse_hour(start, "from")
        last = None if end is None else parse_hour(end, "to")
        if first is not None and last is not None and last <= first:
            raise RequestError("to must be later than from")
        values = {name: filters.get(name) or None for name in FILTERS}
        for name, value in values.items():
            if value is not None and len(value) > 200:
                raise RequestError(f"{name} is too long")
        return cls(names, first, last, **values)

    @property
    def needs_log(self) -> bool:
        """Buckets hold no player: a report by or for a player reads the log itself."""
        return "player" in self.group_by or self.player_id is not None

    def conditions(self, *, hour_column: str, time_column: str | None, prefix: str = "") -> tuple[str, list[object]]:
        """SQL conditions and arguments for the filters and range; ``time_column`` (Unix seconds) is used when given,
        else ``hour_column`` (hours)."""
        where: list[str] = []
        args: list[object] = []
        for name in FILTERS:
            value = getattr(self, name)
            if value is not None:
                where.append(f"{prefix}{name} = ?")
                args.append(value)
        for bound, op in ((self.start, ">="), (self.end, "<")):
            if bound is None:
                continue
            if time_column is not None:
                where.append(f"{prefix}{time_column} {op} ?")
                args.append(float(bound * 3600))
            else:
                where.append(f"{hour_column} {op} ?")
                args.append(bound)
        return " AND ".join(where) or "1 = 1", args


def encode_cursor(key: tuple[str, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, ...]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise RequestError("cursor is not one this API gave out") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError("cursor is not one this API gave out")
    return tuple(value)

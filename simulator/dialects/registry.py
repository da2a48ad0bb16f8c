"""The only list of dialects. Settings validation, endpoint resolution, the catalogue, the reference wallet's
routes, the conformance suite and fault injection all read it, so a new dialect is its package
(``simulator/dialects/<name>/``, whose ``room.py`` fills in a ``Room``) plus one line in ``_ROOMS`` below.

Order matters: the catalogue hands studios to the dealt dialects in this order, so the same seed builds the same
catalogue. The real-aggregator profiles (``hub88``, ``groove``) are not dealt: a studio speaks them when the
``studio_dialects`` setting says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from simulator.clock import Clock
from simulator.dialects.groove.room import ROOM as GROOVE
from simulator.dialects.hub88.room import ROOM as HUB88
from simulator.dialects.md5_form.room import ROOM as MD5_FORM
from simulator.dialects.native.room import ROOM as NATIVE
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room
from simulator.dialects.rsa_json.room import ROOM as RSA_JSON
from simulator.dialects.token_query.room import ROOM as TOKEN_QUERY
from simulator.errors import RequestError

_ROOMS: dict[str, Room] = {room.name: room for room in (NATIVE, RSA_JSON, MD5_FORM, TOKEN_QUERY, HUB88, GROOVE)}

DIALECTS = _ROOMS.keys()  # a live view: a dialect registered later is in it too


def register(room: Room) -> None:
    """Add a dialect after the built-in ones (a plug-in, or a test's own)."""
    if room.name in _ROOMS:
        raise ValueError(f"a dialect named {room.name!r} is already registered")
    _ROOMS[room.name] = room


def unregister(name: str) -> None:
    del _ROOMS[name]


def rooms() -> tuple[Room, ...]:
    return tuple(_ROOMS.values())


def dealt() -> tuple[str, ...]:
    """The dialects the catalogue deals studios to, in order; the others are assigned by ``studio_dialects``."""
    return tuple(name for name, room in _ROOMS.items() if room.dealt)


def room(name: str) -> Room:
    try:
        return _ROOMS[name]
    except KeyError:
        raise RequestError(f"unknown wallet dialect {name!r}; known: {', '.join(_ROOMS)}") from None


class _Supports(Mapping[str, Callable[[str], bool]]):
    """Which currencies each dialect can carry exactly (the catalogue offers nothing else)."""

    def __getitem__(self, name: str) -> Callable[[str], bool]:
        return _ROOMS[name].supports

    def __iter__(self) -> Iterator[str]:
        return iter(_ROOMS)

    def __len__(self) -> int:
        return len(_ROOMS)


SUPPORTS: Mapping[str, Callable[[str], bool]] = _Supports()


def form_credentials() -> frozenset[str]:
    """Form fields that authenticate a request, in any dialect."""
    return frozenset().union(*(r.form_credentials for r in _ROOMS.values()))


def query_credentials() -> frozenset[str]:
    """Query parameters that authenticate a request, in any dialect."""
    return frozenset().union(*(r.query_credentials for r in _ROOMS.values()))


def make_dialect(endpoint: DialectEndpoint, clock: Clock, *, request_ids: Callable[[], str] | None = None) -> Dialect:
    """``request_ids`` (native only) mints request ids, seeded in deterministic mode."""
    return room(endpoint.dialect).client(endpoint, clock, request_ids)

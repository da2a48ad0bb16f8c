"""Jurisdiction profiles: what a market's regulator demands of a game, as data files, never as code.

The built-in profiles ship as JSON files beside this module (``profiles/*.json``, one per jurisdiction plus
``default``); the ``market_profiles_dir`` setting names a folder whose files replace a built-in profile of the same
``id`` or add new ones. A jurisdiction is an ISO 3166-1 country (``GB``) or an ISO 3166-2 region (``CA-ON``); it
selects the profile of the same id, else the profile of its country, else ``default``. A code that is neither a
country nor a region is refused.

>>> profiles = load_profiles()
>>> profiles.resolve("GB-ENG").id, profiles.resolve("FR").id
('GB', 'default')
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.errors import ConfigurationError, RequestError

DEFAULT = "default"
ANY_CATEGORY = "*"
CATEGORIES = ("slots", "table", "instant", "live")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryRules(_Frozen):
    """What the market demands of one category of game (``slots``, ``table``...; ``*`` for the others)."""

    min_round_seconds: float = Field(0, ge=0, le=3600, description="Least time from one round's start to the next.")
    autoplay: bool = Field(True, description="Whether rounds may be started by an autoplay feature.")
    turbo: bool = Field(True, description="Whether quick spin / turbo / slam stop may be used.")
    max_stake: dict[str, int] = Field(
        default_factory=dict, description="Highest stake per round, minor units per currency (others: converted)."
    )
    max_stake_young_adult: dict[str, int] = Field(
        default_factory=dict, description="As max_stake, for a player the launch marks as a young adult (18 to 24)."
    )
    max_win: dict[str, int] = Field(
        default_factory=dict, description="Highest win a round may pay, minor units per currency (others: converted)."
    )
    celebrate_wins_below_stake: bool = Field(
        True, description="Whether a win smaller than the stake may be celebrated."
    )


class ClientRules(_Frozen):
    show_rtp: bool = Field(False, description="The client shows the game's RTP where the stake is chosen.")
    show_clock: bool = Field(False, description="The client shows the time of day and the time played.")
    show_net_position: bool = Field(False, description="The client shows the session's net result in money.")


class ResponsibleGamingRules(_Frozen):
    reality_check_max_interval: int | None = Field(
        None, gt=0, description="Seconds: a reality check at least this often (the launch may ask for more often)."
    )
    session_limits_required: bool = Field(
        False, description="A launch must give a session time limit and a session loss limit."
    )
    autoplay_requires_loss_limit: bool = Field(False, description="Autoplay only in a session with a loss limit.")


class Source(_Frozen):
    title: str
    url: str


class Profile(_Frozen):
    id: str = Field(pattern=r"^([A-Z]{2}(-[A-Z0-9]{1,3})?|default)$")
    name: str
    regulator: str | None = None
    certification_required: bool = Field(
        False, description="Only games whose catalogue entry lists this jurisdiction may be launched under it."
    )
    categories: tuple[str, ...] = Field(CATEGORIES, description="Categories of game the market allows at all.")
    rules: dict[str, CategoryRules] = Field(default_factory=dict, description="Per category; '*' for the rest.")
    client: ClientRules = ClientRules()
    responsible_gaming: ResponsibleGamingRules = ResponsibleGamingRules()
    sources: tuple[Source, ...] = ()
    notes: str | None = None

    @model_validator(mode="after")
    def _known_categories(self) -> Profile:
        unknown = [c for c in (*self.categories, *self.rules) if c not in (*CATEGORIES, ANY_CATEGORY)]
        if unknown:
            raise ValueError(f"unknown categories {unknown}; use {', '.join(CATEGORIES)} or '*'")
        return self

    @property
    def country(self) -> str | None:
        return None if self.id == DEFAULT else self.id[:2]

    def for_category(self, category: str) -> CategoryRules:
        return self.rules.get(category) or self.rules.get(ANY_CATEGORY) or CategoryRules()


@functools.cache
def _iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 country and ISO 3166-2 region code (from pycountry's copy of the standard)."""
    countries: Any = pycountry.countries
    regions: Any = pycountry.subdivisions
    return frozenset(str(c.alpha_2) for c in countries) | frozenset(str(r.code) for r in regions)


def check_jurisdiction(code: str) -> str:
    """``code`` if it is an ISO 3166-1 alpha-2 country or an ISO 3166-2 region; else a 400."""
    if code in _iso_codes():
        return code
    raise RequestError(
        f"unknown jurisdiction {code!r}: give an ISO 3166-1 country (GB) or an ISO 3166-2 region (CA-ON)",
        code="UNKNOWN_JURISDICTION",
    )


class Profiles:
    """The profiles in force, by id."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        self.by_id: Mapping[str, Profile] = {p.id: p for p in sorted(profiles, key=lambda p: p.id)}
        if DEFAULT not in self.by_id:
            raise ConfigurationError("the market profiles have no 'default' profile")

    def resolve(self, jurisdiction: str | None) -> Profile:
        """The profile a jurisdiction plays under (``None``: the default); raises on an unknown code."""
        if jurisdiction is None:
            return self.by_id[DEFAULT]
        check_jurisdiction(jurisdiction)
        return self.by_id.get(jurisdiction) or self.by_id.get(jurisdiction[:2]) or self.by_id[DEFAULT]

    def certifying(self) -> list[Profile]:
        return [p for p in self.by_id.values() if p.certification_required]


def _read(path: str, text: str) -> Profile:
    try:
        return Profile.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise ConfigurationError(f"market profile {path}: {exc}") from None


def builtin_profiles() -> list[Profile]:
    folder = resources.files("simulator.markets").joinpath("profiles")
    return [
        _read(entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    ]


def load_profiles(folder: Path | None = None) -> Profiles:
    """The built-in profiles, each replaced by the file of the same id in ``folder`` (new ids are added)."""
    profiles = {p.id: p for p in builtin_profiles()}
    if folder is not None:
        if not folder.is_dir():
            raise ConfigurationError(f"market_profiles_dir {folder} is not a folder")
        for path in sorted(folder.glob("*.json")):
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigurationError(f"market profile {path}: {exc.strerror}") from None
            profile = _read(str(path), text)
            profiles[profile.id] = profile
    return Profiles(profiles.values())

"""What the profiles share: the games a profile offers, how a free-round grant of one player stands, and the
first complaint of a refused body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import ValidationError

from simulator.catalog.models import Catalog, Game
from simulator.lifecycle import AssignmentStatus, CampaignStatus
from simulator.store.campaigns import Assignment, Campaign

ShareState = Literal["new", "active", "finished", "cancelled", "expired"]


def offered(catalog: Catalog, game_id: str, dialect: str) -> Game | None:
    """The game, when its studio speaks ``dialect``: a profile offers no other game."""
    game = catalog.games.get(game_id)
    if game is None or catalog.studio(game.studio_id).dialect != dialect:
        return None
    return game


def share_state(campaign: Campaign, share: Assignment, now: float) -> ShareState:
    """A player's share of a campaign as an aggregator reports a reward or a grant: each profile names the states."""
    if campaign.status == CampaignStatus.CANCELLED:
        return "cancelled"
    if share.rounds_played >= campaign.rounds:
        return "finished"
    if now >= campaign.expires_at or share.status == AssignmentStatus.CLOSED:
        return "expired"
    return "new" if now < campaign.starts_at else "active"


def complaint(exc: ValueError) -> str:
    """``: <field> <problem>`` for a validation error (its first), nothing for a body that is not JSON."""
    if not isinstance(exc, ValidationError):
        return ""
    first = exc.errors()[0]
    return f": {'.'.join(map(str, first['loc']))} {first['msg']}"


def utc(text: str, layout: str) -> float:
    """Unix time of a UTC date written in ``layout``; ``ValueError`` for a date that does not exist (Feb 30)."""
    return datetime.strptime(text, layout).replace(tzinfo=UTC).timestamp()

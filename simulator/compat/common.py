"""What the profiles share: the games a profile offers, a free-round grant of one player (made under its operator,
found again only by that operator, and how it stands), the first complaint of a refused body, and the documented
handlers of their routes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ValidationError

from simulator.bonus.models import CreateCampaign
from simulator.catalog.models import Catalog, Game
from simulator.errors import Conflict
from simulator.http import RouteDoc, documented
from simulator.lifecycle import AssignmentStatus, CampaignStatus
from simulator.state import CAMPAIGNS, STORE
from simulator.store.campaigns import Assignment, Campaign, Owner

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


def grant_id(namespace: uuid.UUID, operator: str, reference: str | None) -> str:
    """A grant's campaign id: derived from the operator's reference, so the same reference names the same grant;
    random without one."""
    if reference is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(namespace, f"{operator}\x00{reference}"))


def owner(profile: str, operator: str, reference: str | None, player_id: str, request: BaseModel) -> Owner:
    """The grant's owner: the profile's operator, its reference, the player and the request's terms (all of its
    fields)."""
    terms = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return Owner(f"{profile}:{operator}", reference, player_id, terms)


async def grant(app: web.Application, body: CreateCampaign, by: Owner) -> tuple[Campaign, list[Assignment]]:
    """Create the campaign ``body`` names under its owner, in one transaction with the owner's claim, and read it
    back; the reference already held with the same terms answers that campaign. Raises the campaign code's
    refusals, ``ReferenceReused`` among them."""
    assert body.campaign_id is not None
    service = app[CAMPAIGNS]
    try:
        await service.create(body, by)
    except Conflict as exc:
        if exc.code != "CAMPAIGN_EXISTS":
            raise
        # the same reference and terms (else ReferenceReused): only times the request left to the clock moved on
    return await service.get(body.campaign_id)


async def owned(
    app: web.Application, by: str, *, campaign_id: str | None = None, player_id: str | None = None
) -> list[tuple[Campaign, Assignment, str | None]]:
    """The grants ``by`` made (the first 500, oldest first), each with the share of the player it was made for and
    its reference: an operator finds no other's, and players assigned to it on ``/v1`` are not part of it."""
    service = app[CAMPAIGNS]
    out = []
    for found_id, made in await app[STORE].campaigns.owned(by, campaign_id=campaign_id, player_id=player_id):
        campaign, shares = await service.get(found_id)  # written with its owner, never deleted
        out.append((campaign, share_of(shares, made.player_id), made.reference))
    return out


def share_of(shares: list[Assignment], player_id: str) -> Assignment:
    """The player's share of a grant (a grant's player always holds one)."""
    return next(s for s in shares if s.player_id == player_id)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route(name: str, doc: RouteDoc, serve: Handler) -> Handler:
    """``serve`` as a route's handler named ``name`` (the operation faults and metrics know it by), documented."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await serve(request)

    handler.__name__ = name
    return documented(doc)(handler)

"""Hub88's Freebets API as an operator calls it, under ``/hub88/operator/generic/v2/freebet``: ``prepaids/list``,
``rewards/create``, ``rewards/list`` and ``rewards/cancel``, signed and answered like the Games API
(``simulator.compat.hub88``).

A reward is one player's free bets on one game: it is a native free-round campaign (``simulator.bonus``) with that
one game and that one player, its ``campaign_id`` the ``reward_uuid``, so the rounds are counted, played, paid and
cancelled by the campaign code and every wallet call of a free bet carries ``is_free`` and the ``reward_uuid``
(``simulator.dialects.hub88``). Beside the campaign, only its owner is stored (``simulator.store.campaigns``): the
operator that made it, its ``operator_reference`` and the request's terms, written in the campaign's own
transaction, so an operator lists and cancels only its own rewards and a reference creates once. A prepaid is
derived from its game and currency, a reward's status from its campaign and its player's share. Amounts are
integers of 1/100000 of the currency's unit, times ISO 8601 without a zone (UTC).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.bonus.models import CreateCampaign, PlayerRef
from simulator.compat.common import (
    ShareState,
    grant,
    grant_id,
    offered,
    owned,
    owner,
    route,
    share_of,
    share_state,
    utc,
)
from simulator.compat.hub88 import PREFIX, GameCodeBody, GameListBody, Hub88OperatorApi, error, freebet_game, route_doc
from simulator.dialects import hub88
from simulator.dialects.amounts import from_scaled, to_scaled
from simulator.errors import SimulatorError
from simulator.http import json_response
from simulator.lifecycle import PayoutMode
from simulator.state import CAMPAIGNS, CATALOG, CLOCK
from simulator.store.campaigns import Assignment, Campaign, ReferenceReused

FREEBET = PREFIX + "/freebet"
PREPAID_NAMESPACE = uuid.UUID("5d0c2a41-7e7b-4a55-9a3c-1f63d7f0b8e2")
REWARD_NAMESPACE = uuid.UUID("9a4e6b10-2c8d-4f0e-b7a1-3e5c9d2f6a84")
DEFAULT_LIFETIME = 21 * 86_400  # Hub88: a reward without an end date expires "in several weeks"
ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"
ISO_LAYOUT = "%Y-%m-%dT%H:%M:%S"
Status = Literal["FRS_NEW", "FRS_ACTIVE", "FRS_CANCELLED", "FRS_FAILED", "FRS_FINISHED", "FRS_EXPIRED"]


class PrepaidsBody(GameListBody):
    game_code: str | None = Field(None, min_length=1, max_length=255)
    currency: str | None = Field(None, min_length=3, max_length=8)


class CreateRewardBody(GameCodeBody):
    user: str = Field(min_length=3, max_length=255)
    sub_partner_id: str | None = None
    prepaid_uuid: str = Field(min_length=1, max_length=64, description="From prepaids/list: the game and currency.")
    currency: str = Field(min_length=3, max_length=8)
    bet_value: int = Field(gt=0, description="1/100000 of the currency's unit: one of the game's bet steps.")
    bet_count: int = Field(ge=1, le=10_000)
    start_time: str | None = Field(None, pattern=ISO)
    end_time: str | None = Field(None, pattern=ISO)
    operator_reference: str | None = Field(
        None, min_length=1, max_length=255, description="The operator's own id: one reward per operator and id."
    )
    campaign_uuid: None = Field(None, description="Hub88 campaigns are not emulated: absent or null.")

    @field_validator("start_time", "end_time")
    @classmethod
    def _a_real_date(cls, value: str | None) -> str | None:
        if value is not None:
            unix(value)  # ValueError (a 400) for a date that does not exist
        return value


class ListRewardsBody(GameListBody):
    user: str | None = Field(None, min_length=1, max_length=255)
    reward_uuid: str | None = Field(None, min_length=1, max_length=64)
    status: Status | None = None


class CancelRewardBody(GameListBody):
    reward_uuid: str = Field(min_length=1, max_length=64)


class Prepaid(BaseModel):
    model_config = ConfigDict(frozen=True)
    prepaid_uuid: str
    game_code: str
    game_id: int | None
    currency: str
    bet_value: int | None = Field(description="null: any of the game's bet steps may be chosen.")
    bet_count: int | None = Field(description="null: any number of free bets may be granted.")
    bonus_buy: bool


class Reward(BaseModel):
    reward_uuid: str
    user: str
    sub_partner_id: str | None
    prepaid_uuid: str
    campaign_uuid: str | None
    game_code: str
    game_id: int | None
    currency: str
    bet_value: int
    bet_count: int
    start_time: str
    end_time: str
    status: Status
    operator_reference: str | None


def prepaid_uuid(game_code: str, currency: str) -> str:
    return str(uuid.uuid5(PREPAID_NAMESPACE, f"{game_code}\x00{currency}"))


def iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def unix(text: str) -> float:
    return utc(text, ISO_LAYOUT)


STATUS: dict[ShareState, Status] = {
    "new": "FRS_NEW",
    "active": "FRS_ACTIVE",
    "finished": "FRS_FINISHED",
    "cancelled": "FRS_CANCELLED",
    "expired": "FRS_EXPIRED",
}


def status(campaign: Campaign, share: Assignment, now: float) -> Status:
    return STATUS[share_state(campaign, share, now)]


def reward_json(campaign: Campaign, share: Assignment, now: float, reference: str | None = None) -> dict[str, Any]:
    game = campaign.games[0]
    return {
        "reward_uuid": campaign.campaign_id,
        "user": share.player_id,
        "sub_partner_id": None,
        "prepaid_uuid": prepaid_uuid(game, share.currency),
        "campaign_uuid": None,
        "game_code": game,
        "game_id": None,
        "currency": share.currency,
        "bet_value": to_scaled(campaign.bet_values[share.currency], share.currency, hub88.SCALE),
        "bet_count": campaign.rounds,
        "start_time": iso(campaign.starts_at),
        "end_time": iso(campaign.expires_at),
        "status": status(campaign, share, now),
        "operator_reference": reference,
    }


def _refusal(exc: SimulatorError) -> web.Response:
    """The campaign code's refusal in Hub88's terms: 404 for what does not exist, else 400 (nothing was written)."""
    return error(404 if exc.status == 404 else 400, exc.message)


class Hub88Freebets:
    def __init__(self, api: Hub88OperatorApi) -> None:
        self._api = api

    async def prepaids(self, request: web.Request) -> web.Response:
        parsed = await self._api.read(request, PrepaidsBody)
        if isinstance(parsed, web.Response):
            return parsed
        catalog = request.app[CATALOG]
        out = []
        for game in catalog.games.values():
            if offered(catalog, game.game_id, hub88.NAME) is None or not freebet_game(game):
                continue
            if parsed.game_code is not None and game.game_id != parsed.game_code:
                continue
            for currency in game.currencies:
                if (parsed.currency is None or currency == parsed.currency) and hub88.supports(currency):
                    out.append(
                        {
                            "prepaid_uuid": prepaid_uuid(game.game_id, currency),
                            "game_code": game.game_id,
                            "game_id": None,
                            "currency": currency,
                            "bet_value": None,
                            "bet_count": None,
                            "bonus_buy": False,
                        }
                    )
        return json_response(out)

    async def create(self, request: web.Request) -> web.Response:
        read = await self._api.read_for_game(request, CreateRewardBody)
        if isinstance(read, web.Response):
            return read
        parsed, game = read
        if not freebet_game(game):
            return error(403, f"game {parsed.game_code!r} does not support free bets")
        if parsed.prepaid_uuid != prepaid_uuid(game.game_id, parsed.currency) or not hub88.supports(parsed.currency):
            return error(404, f"prepaid {parsed.prepaid_uuid!r} does not exist for {game.game_id} in {parsed.currency}")
        now = request.app[CLOCK].now()
        starts_at = now if parsed.start_time is None else unix(parsed.start_time)
        expires_at = starts_at + DEFAULT_LIFETIME if parsed.end_time is None else unix(parsed.end_time)
        operator, reference = str(parsed.operator_id), parsed.operator_reference
        try:
            body = CreateCampaign(
                campaign_id=grant_id(REWARD_NAMESPACE, operator, reference),
                games=[game.game_id],
                rounds=parsed.bet_count,
                bet_values={parsed.currency: from_scaled(parsed.bet_value, parsed.currency, hub88.SCALE)},
                payout=PayoutMode.PER_ROUND.value,
                starts_at=starts_at,
                expires_at=expires_at,
                players=[PlayerRef(player_id=parsed.user, currency=parsed.currency)],
            )
            campaign, shares = await grant(
                request.app, body, owner(hub88.NAME, operator, reference, parsed.user, parsed)
            )
        except ReferenceReused:
            return error(400, f"operator_reference {reference!r} names a reward with other content or another user")
        except SimulatorError as exc:
            return _refusal(exc)
        return json_response(reward_json(campaign, share_of(shares, parsed.user), now, reference))

    async def list(self, request: web.Request) -> web.Response:
        parsed = await self._api.read(request, ListRewardsBody)
        if isinstance(parsed, web.Response):
            return parsed
        now = request.app[CLOCK].now()
        found = await owned(
            request.app, f"{hub88.NAME}:{parsed.operator_id}", campaign_id=parsed.reward_uuid, player_id=parsed.user
        )
        rewards = [reward_json(campaign, share, now, reference) for campaign, share, reference in found]
        return json_response([r for r in rewards if parsed.status in (None, r["status"])])

    async def cancel(self, request: web.Request) -> web.Response:
        parsed = await self._api.read(request, CancelRewardBody)
        if isinstance(parsed, web.Response):
            return parsed
        found = await owned(request.app, f"{hub88.NAME}:{parsed.operator_id}", campaign_id=parsed.reward_uuid)
        if not found:
            return error(404, f"reward {parsed.reward_uuid!r} does not exist")
        (campaign, share, reference), now = found[0], request.app[CLOCK].now()
        current = status(campaign, share, now)
        if current in ("FRS_FINISHED", "FRS_EXPIRED"):
            return error(400, f"reward {parsed.reward_uuid!r} is {current} and cannot be cancelled")
        campaign, shares = await request.app[CAMPAIGNS].cancel(parsed.reward_uuid)
        return json_response(reward_json(campaign, share_of(shares, share.player_id), now, reference))


def add_routes(app: web.Application, api: Hub88OperatorApi) -> None:
    freebets = Hub88Freebets(api)

    routes = (
        ("prepaids/list", "hub88_prepaids", freebets.prepaids, "prepaids of the hub88 games", PrepaidsBody, Prepaid),
        (
            "rewards/create",
            "hub88_reward_create",
            freebets.create,
            "grant a user free bets on a game (a campaign of one player)",
            CreateRewardBody,
            Reward,
        ),
        (
            "rewards/list",
            "hub88_reward_list",
            freebets.list,
            "the operator's own rewards, by user, reward or status",
            ListRewardsBody,
            Reward,
        ),
        (
            "rewards/cancel",
            "hub88_reward_cancel",
            freebets.cancel,
            "cancel a reward: its free bets not yet played are void",
            CancelRewardBody,
            Reward,
        ),
    )
    for path, name, serve, text, body, answer in routes:
        doc = route_doc(f"Hub88 Freebets API: {text}", body, answer, many=path.endswith("/list"))
        app.router.add_post(f"{FREEBET}/{path}", route(name, doc, serve))

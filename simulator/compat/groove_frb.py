"""Groove's Free Round Bonus API as a casino calls it, under ``/groove``: ``POST
/groove/frb/create/{version}/template-and-grant`` (a template granted to one player on one game, at once), and
``GET`` / ``DELETE /groove/frb/{version}/bonus?operator_id=&template_id=&player_id=`` (the grant's status; cancel
it).

Every call carries ``Authorization: Bearer base64(email:password)`` of a back-office user (``groove_frb_users``);
the operator must be one of ``groove_operator_ids``. A grant is a native free-round campaign (``simulator.bonus``)
with that one game and that one player, its ``campaign_id`` the granted ``templateId``: the wallet calls of its
rounds carry it as ``frbid`` (``simulator.dialects.groove``). The bet amount is in EUR cents, converted to the
player's currency with the rates table and moved to the game's closest bet step, as Groove documents. Beside the
campaign, only its owner is stored (``simulator.store.campaigns``): the operator, its ``transactionId`` and the
request's terms, written in the campaign's own transaction, so an operator reads and cancels only its own grants and
a transactionId grants once. Refusals answer with the HTTP status and ``code`` of Groove's error shape.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.bonus.models import CreateCampaign, PlayerRef
from simulator.compat.common import (
    ShareState,
    complaint,
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
from simulator.compat.hub88 import freebet_game
from simulator.dialects import groove
from simulator.errors import SimulatorError
from simulator.http import QueryParam, RouteDoc, json_response
from simulator.jsonbytes import loads
from simulator.lifecycle import PayoutMode
from simulator.rates import Rates
from simulator.settings import Settings
from simulator.state import CAMPAIGNS, CATALOG, CLOCK
from simulator.store.campaigns import Assignment, Campaign, ReferenceReused

PREFIX = "/groove/frb"
BASE_CURRENCY = "EUR"
GRANT_NAMESPACE = uuid.UUID("c3f1a9d2-6b4e-4c7a-8e15-7d2b9f0a4c63")
DATE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
Status = Literal["active", "canceled", "completed", "expired"]


class FrbGame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    gameId: str = Field(min_length=1, max_length=255)
    betAmount: list[int] = Field(default_factory=list, max_length=20, description="EUR cents; the first is used.")


class FrbPlayer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    playerId: str = Field(min_length=1, max_length=60, pattern=r"^[0-9A-Za-z]+$")
    playerCurrency: str = Field(min_length=3, max_length=3)
    playerCountry: str | None = Field(None, max_length=3)


class TemplateAndGrant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    providerName: str = Field(min_length=1, max_length=255, description="The game's studio, by name.")
    operatorId: int
    transactionId: str | None = Field(None, min_length=1, max_length=64, description="Idempotency key.")
    numberOfRounds: int = Field(ge=1, le=10_000)
    availableFromDate: str = Field(pattern=DATE, description="UTC, YYYY-MM-DD HH:MM:SS.")
    availableDuration: int | None = Field(None, ge=1, description="Days (accepted, not used).")
    expirationDate: str = Field(pattern=DATE, description="UTC, YYYY-MM-DD HH:MM:SS.")
    offerName: str = Field(min_length=1, max_length=255)
    useDefaultAmount: bool = Field(False, description="true: the game's smallest stake.")
    games: list[FrbGame] = Field(min_length=1, max_length=1)
    players: list[FrbPlayer] = Field(min_length=1, max_length=1)

    @field_validator("availableFromDate", "expirationDate")
    @classmethod
    def _a_real_date(cls, value: str) -> str:
        unix(value)  # ValueError (a 400) for a date that does not exist
        return value


class GrantOut(BaseModel):
    status: str
    code: int
    templateId: str | None
    succeeded_frb_awarded: list[dict[str, Any]]
    failed_frb_awarded: list[dict[str, Any]]
    exceptionResponses: str | None = None


class BonusGame(BaseModel):
    game_id: str
    bet_amount: list[int] = Field(description="Minor units of the player's currency.")
    currency: str


class BonusOut(BaseModel):
    player_id: str
    player_currency: str | None
    operator_id: int
    provider_id: int | None
    status: Status | None
    template_id: str
    left_rounds: int | None
    total_rounds: int | None
    expiration_date: str | None
    games: list[BonusGame]
    error_message: str


def unix(text: str) -> float:
    return utc(text, "%Y-%m-%d %H:%M:%S")


def closest_step(steps: list[int], value: int) -> int:
    return min(steps, key=lambda step: (abs(step - value), step))


def provider_id(studio_id: str) -> int | None:
    digits = re.sub(r"\D", "", studio_id)
    return int(digits) if digits else None


STATUS: dict[ShareState, Status] = {
    "new": "active",  # Groove names no state before availableFromDate
    "active": "active",
    "finished": "completed",
    "cancelled": "canceled",
    "expired": "expired",
}


def status(campaign: Campaign, share: Assignment, now: float) -> Status:
    return STATUS[share_state(campaign, share, now)]


def grant_error(http: int, message: str) -> web.Response:
    body = {
        "status": "General Error",
        "code": http,
        "templateId": None,
        "succeeded_frb_awarded": [],
        "failed_frb_awarded": [],
        "exceptionResponses": message,
    }
    return json_response(body, status=http)


class GrooveFrb:
    def __init__(self, users: dict[str, str], operators: list[str], rates: Rates) -> None:
        self._tokens = [base64.b64encode(f"{user}:{password}".encode()).decode() for user, password in users.items()]
        self._operators = frozenset(operators)
        self._rates = rates

    @classmethod
    def from_settings(cls, settings: Settings, rates: Rates) -> GrooveFrb:
        users = {user: secret.get_secret_value() for user, secret in settings.groove_frb_users.items()}
        return cls(users, settings.groove_operator_ids, rates)

    def authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return False
        try:
            base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            return False
        return any(hmac.compare_digest(token.encode(), known.encode()) for known in self._tokens)

    async def create(self, request: web.Request) -> web.Response:
        if not self.authorized(request):
            return grant_error(401, "Authorization: Bearer base64(email:password) of a back-office user is required")
        try:
            body = TemplateAndGrant.model_validate(loads(await request.read(), unique=True), strict=True)
        except ValueError as exc:  # a ValidationError too
            return grant_error(400, f"invalid request{complaint(exc)}")
        if str(body.operatorId) not in self._operators:
            return grant_error(403, f"operator {body.operatorId} is not configured")
        catalog = request.app[CATALOG]
        wanted, player = body.games[0], body.players[0]
        game = offered(catalog, wanted.gameId, groove.NAME)
        if game is None or catalog.studio(game.studio_id).name != body.providerName:
            return grant_error(404, f"no game {wanted.gameId!r} of provider {body.providerName!r}")
        if not freebet_game(game):
            return grant_error(400, f"game {wanted.gameId!r} plays no free rounds")
        steps = game.bet_steps.get(player.playerCurrency)
        if not steps:
            return grant_error(400, f"game {wanted.gameId!r} is not offered in {player.playerCurrency}")
        if body.useDefaultAmount or not wanted.betAmount:
            stake = game.min_bet[player.playerCurrency]
        else:
            stake = closest_step(steps, self._rates.convert(wanted.betAmount[0], BASE_CURRENCY, player.playerCurrency))
        operator, reference = str(body.operatorId), body.transactionId
        wanted_campaign = CreateCampaign(
            campaign_id=grant_id(GRANT_NAMESPACE, operator, reference),
            games=[game.game_id],
            rounds=body.numberOfRounds,
            bet_values={player.playerCurrency: stake},
            payout=PayoutMode.PER_ROUND.value,
            starts_at=unix(body.availableFromDate),
            expires_at=unix(body.expirationDate),
            players=[PlayerRef(player_id=player.playerId, currency=player.playerCurrency)],
        )
        try:
            campaign, _ = await grant(
                request.app, wanted_campaign, owner(groove.NAME, operator, reference, player.playerId, body)
            )
        except ReferenceReused:
            return grant_error(400, "Transaction parameter mismatch")
        except SimulatorError as exc:
            return grant_error(404 if exc.status == 404 else 400, exc.message)
        awarded = {"templateId": campaign.campaign_id} | player.model_dump()
        return json_response(
            {
                "status": "Success",
                "code": 200,
                "templateId": campaign.campaign_id,
                "succeeded_frb_awarded": [awarded],
                "failed_frb_awarded": [],
            }
        )

    async def bonus(self, request: web.Request) -> web.Response:
        """The grant's status (GET) or its cancellation (DELETE), answered with the grant's actual status."""
        query = request.query
        template_id, player_id = query.get("template_id", ""), query.get("player_id", "")
        operator = query.get("operator_id", "")

        def refused(http: int, message: str) -> web.Response:
            body: dict[str, Any] = {
                "player_id": player_id,
                "player_currency": None,
                "operator_id": int(operator) if operator.isdigit() else 0,
                "provider_id": None,
                "status": None,
                "template_id": template_id,
                "left_rounds": None,
                "total_rounds": None,
                "expiration_date": None,
                "games": [],
                "error_message": message,
            }
            return json_response(body, status=http)

        if not self.authorized(request):
            return refused(401, "Authorization: Bearer base64(email:password) of a back-office user is required")
        if not (template_id and player_id and operator.isdigit()):
            return refused(400, "operator_id (a number), template_id and player_id are required")
        if operator not in self._operators:
            return refused(403, f"operator {operator} is not configured")
        found = await owned(request.app, f"{groove.NAME}:{operator}", campaign_id=template_id, player_id=player_id)
        if not found:
            return refused(404, f"no free round bonus {template_id!r} for player {player_id!r} of operator {operator}")
        (campaign, share, _), now = found[0], request.app[CLOCK].now()
        if request.method == "DELETE" and status(campaign, share, now) == "active":
            campaign, shares = await request.app[CAMPAIGNS].cancel(template_id)
            share = share_of(shares, player_id)
        game = request.app[CATALOG].games[campaign.games[0]]
        return json_response(
            {
                "player_id": player_id,
                "player_currency": share.currency,
                "operator_id": int(operator),
                "provider_id": provider_id(game.studio_id),
                "status": status(campaign, share, now),
                "template_id": template_id,
                "left_rounds": share.rounds_left,
                "total_rounds": campaign.rounds,
                "expiration_date": datetime.fromtimestamp(campaign.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "games": [
                    {
                        "game_id": game.game_id,
                        "bet_amount": [campaign.bet_values[share.currency]],
                        "currency": share.currency,
                    }
                ],
                "error_message": "",
            }
        )


BONUS_QUERY: tuple[QueryParam, ...] = (
    ("operator_id", "the casino's Groove operator id"),
    ("template_id", "the granted templateId"),
    ("player_id", "the player it was granted to"),
)


def add_routes(app: web.Application, frb: GrooveFrb) -> None:
    def doc(summary: str, **shape: Any) -> RouteDoc:
        return RouteDoc(
            f"Groove FRB API: {summary}; Authorization: Bearer base64(email:password)",
            "groove",
            auth="signature",
            errors=("400", "401", "403", "404"),
            **shape,
        )

    create_doc = doc(
        "create a free round bonus template and grant it to one player on one game (bet amount in EUR cents)",
        request=TemplateAndGrant,
        response=GrantOut,
        error=GrantOut,
    )

    def bonus_doc(verb: str) -> RouteDoc:
        summary = f"{verb} a free round bonus the operator granted, answered with its actual status (active, canceled,"
        return doc(f"{summary} completed, expired)", response=BonusOut, query=BONUS_QUERY, error=BonusOut)

    create = route("groove_frb_create", create_doc, frb.create)
    app.router.add_post(f"{PREFIX}/create/{{version}}/template-and-grant", create)
    app.router.add_get(f"{PREFIX}/{{version}}/bonus", route("groove_frb_status", bonus_doc("the status of"), frb.bonus))
    app.router.add_delete(f"{PREFIX}/{{version}}/bonus", route("groove_frb_cancel", bonus_doc("cancel"), frb.bonus))

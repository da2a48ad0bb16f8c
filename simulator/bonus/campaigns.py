"""Free-round campaigns on the operator API: validated whole before anything is written, so a refused request
leaves nothing behind; then recorded, assigned and cancelled through ``simulator.store.campaigns``.

Cancelling: the rounds no player has played yet are void at once; rounds already in flight settle as usual; then each
player's share closes, and a ``total`` campaign pays the sum its rounds won before the cancellation (a player who
never played gets nothing). Expired campaigns close the same way (the settlement worker sweeps them).
"""

from __future__ import annotations

from typing import Any

from games.registry import get_engine
from simulator.bonus.models import CreateCampaign, PlayerRef
from simulator.catalog.models import Catalog
from simulator.clock import Clock
from simulator.errors import BetOutOfLimits, Conflict, NotFound, RequestError
from simulator.ids import Ids
from simulator.lifecycle import CampaignStatus
from simulator.money import exponent
from simulator.store.campaigns import Assignment, Campaign, CampaignRepository, Owner
from simulator.store.records import Session


def assignment_json(a: Assignment) -> dict[str, Any]:
    return {
        "player_id": a.player_id,
        "currency": a.currency,
        "rounds_left": a.rounds_left,
        "rounds_in_flight": a.in_flight,
        "rounds_played": a.rounds_played,
        "total_win": a.total_win,
        "status": a.status,
        "payout_transaction_id": a.payout_transaction_id,
    }


def campaign_json(c: Campaign, players: list[Assignment] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "campaign_id": c.campaign_id,
        "games": list(c.games),
        "rounds": c.rounds,
        "bet_values": c.bet_values,
        "payout": c.payout,
        "starts_at": c.starts_at,
        "expires_at": c.expires_at,
        "status": c.status,
    }
    if players is not None:
        body["players"] = [assignment_json(a) for a in players]
    return body


def _unknown(campaign_id: str) -> NotFound:
    return NotFound(f"no campaign {campaign_id!r}", code="UNKNOWN_CAMPAIGN")


class CampaignService:
    def __init__(self, campaigns: CampaignRepository, catalog: Catalog, clock: Clock, ids: Ids) -> None:
        self._campaigns = campaigns
        self._catalog = catalog
        self._clock = clock
        self._ids = ids

    async def create(self, body: CreateCampaign, owner: Owner | None = None) -> tuple[Campaign, bool]:
        """The campaign, and whether it was created now (false: the same campaign already existed). An ``owner``
        (an aggregator's API) is written with it; its reference reused with other terms raises ``ReferenceReused``."""
        now = self._clock.now()
        self._check(body, now)
        starts_at = now if body.starts_at is None else body.starts_at
        campaign = Campaign(
            body.campaign_id or self._ids.uuid(),
            body.rounds,
            body.payout,
            tuple(body.games),
            dict(body.bet_values),
            starts_at,
            body.expires_at,
            CampaignStatus.ACTIVE,
            now,
            now,
        )
        players = [(p.player_id, p.currency) for p in body.players]
        if await self._campaigns.create(campaign, players, owner):
            return campaign, True
        existing = await self._campaigns.get(campaign.campaign_id)
        assert existing is not None
        same = (existing.games, existing.rounds, existing.bet_values, existing.payout, existing.expires_at) == (
            campaign.games,
            campaign.rounds,
            campaign.bet_values,
            campaign.payout,
            campaign.expires_at,
        )
        if not same:
            raise Conflict(f"campaign {campaign.campaign_id!r} exists with other terms", code="CAMPAIGN_EXISTS")
        await self._campaigns.assign(existing.campaign_id, players, now)
        return existing, False

    def _check(self, body: CreateCampaign, now: float) -> None:
        if body.expires_at <= now:
            raise RequestError("expires_at is in the past", code="EXPIRY_IN_PAST")
        if body.starts_at is not None and body.starts_at >= body.expires_at:
            raise RequestError("starts_at must come before expires_at")
        if len(set(body.games)) != len(body.games):
            raise RequestError("a game is listed twice")
        for currency in body.bet_values:
            exponent(currency)  # UNKNOWN_CURRENCY
        for game_id in body.games:
            game = self._catalog.game(game_id)  # UNKNOWN_GAME
            if get_engine(game.engine_id).multi_step:
                raise RequestError(f"{game_id} is a multi-step game: it plays no free rounds", code="GAME_NOT_ELIGIBLE")
            for currency, value in body.bet_values.items():
                if currency not in game.currencies:
                    raise RequestError(f"{game_id} is not offered in {currency}", code="CURRENCY_NOT_OFFERED")
                low, high = game.min_bet[currency], game.max_bet[currency]
                if not low <= value <= high or value not in game.bet_steps[currency]:
                    raise BetOutOfLimits(
                        f"bet value {value} {currency} is not a bet step of {game_id}"
                        f" ({low} to {high}: {', '.join(map(str, game.bet_steps[currency]))})"
                    )
        self._check_players(body.players, body.bet_values)

    @staticmethod
    def _check_players(players: list[PlayerRef], bet_values: dict[str, int]) -> None:
        seen: dict[str, str] = {}
        for p in players:
            if p.currency not in bet_values:
                raise RequestError(
                    f"player {p.player_id!r} plays in {p.currency}, which the campaign has no bet value for",
                    code="CAMPAIGN_CURRENCY_MISMATCH",
                )
            if seen.setdefault(p.player_id, p.currency) != p.currency:
                raise RequestError(
                    f"player {p.player_id!r} is listed in two currencies", code="CAMPAIGN_CURRENCY_MISMATCH"
                )

    async def _with_players(self, campaign_id: str, campaign: Campaign | None) -> tuple[Campaign, list[Assignment]]:
        """``campaign`` (found under ``campaign_id``, else ``UNKNOWN_CAMPAIGN``) with its players' shares."""
        if campaign is None:
            raise _unknown(campaign_id)
        return campaign, await self._campaigns.assignments(campaign_id)

    async def get(self, campaign_id: str) -> tuple[Campaign, list[Assignment]]:
        return await self._with_players(campaign_id, await self._campaigns.get(campaign_id))

    async def page(self, *, after: str | None, limit: int) -> list[Campaign]:
        return await self._campaigns.page(after=after, limit=limit)

    async def assign(self, campaign_id: str, players: list[PlayerRef]) -> tuple[Campaign, list[Assignment]]:
        campaign = await self._campaigns.get(campaign_id)
        if campaign is None:
            raise _unknown(campaign_id)
        self._check_players(players, campaign.bet_values)
        if not campaign.running(self._clock.now()) and self._clock.now() >= campaign.expires_at:
            raise Conflict(f"campaign {campaign_id!r} has expired", code="CAMPAIGN_NOT_RUNNING")
        if campaign.status != CampaignStatus.ACTIVE:
            raise Conflict(f"campaign {campaign_id!r} is {campaign.status}", code="CAMPAIGN_NOT_RUNNING")
        pairs = [(p.player_id, p.currency) for p in players]
        if await self._campaigns.assign(campaign_id, pairs, self._clock.now()) is None:
            raise _unknown(campaign_id)
        return await self._with_players(campaign_id, campaign)

    async def cancel(self, campaign_id: str) -> tuple[Campaign, list[Assignment]]:
        return await self._with_players(campaign_id, await self._campaigns.cancel(campaign_id, self._clock.now()))

    async def of_player(self, player_id: str) -> list[dict[str, Any]]:
        out = []
        for campaign, a in await self._campaigns.of_player(player_id):
            out.append(
                assignment_json(a)
                | {
                    "campaign_id": campaign.campaign_id,
                    "games": list(campaign.games),
                    "bet_value": campaign.bet_values.get(a.currency),
                    "payout": campaign.payout,
                    "expires_at": campaign.expires_at,
                    "campaign_status": campaign.status,
                }
            )
        return out

    async def offers(self, session: Session) -> list[dict[str, Any]]:
        """The free rounds a session may play now: its player's running campaigns on its game and currency."""
        if session.demo:
            return []
        now = self._clock.now()
        return [
            {
                "campaign_id": campaign.campaign_id,
                "rounds_left": a.rounds_left,
                "bet_value": campaign.bet_values[a.currency],
                "payout": campaign.payout,
                "expires_at": campaign.expires_at,
            }
            for campaign, a in await self._campaigns.of_player(session.player_id)
            if a.rounds_left > 0
            and a.status == "active"
            and a.currency == session.currency
            and session.game_id in campaign.games
            and campaign.running(now)
        ]

"""Operator API handlers for bonuses: free-round campaigns, a player's campaigns and promotional wins (signed like the
rest of /v1)."""

from __future__ import annotations

import functools

from aiohttp import web

from simulator.bonus import feed as jackpot_feed
from simulator.bonus.campaigns import campaign_json
from simulator.bonus.models import (
    AssignPlayers,
    CampaignOut,
    CampaignPage,
    CreateCampaign,
    JackpotFeed,
    PlayerCampaigns,
    PromoReply,
    PromoRequest,
)
from simulator.http import IntRange, RouteDoc, documented, int_query, json_response, read_model
from simulator.jsonbytes import dumps
from simulator.state import CAMPAIGNS, CATALOG, PROMOTIONS, STORE
from simulator.store.campaigns import Assignment, Campaign

_LIMIT = IntRange(1, 500)
_CREATE_ERRORS = (
    "INVALID_REQUEST",
    "UNKNOWN_GAME",
    "UNKNOWN_CURRENCY",
    "CURRENCY_NOT_OFFERED",
    "GAME_NOT_ELIGIBLE",
    "BET_OUT_OF_LIMITS",
    "EXPIRY_IN_PAST",
    "CAMPAIGN_CURRENCY_MISMATCH",
    "CAMPAIGN_EXISTS",
)
_doc = functools.partial(RouteDoc, tag="bonuses", auth="operator")  # every route here


def _campaign(found: tuple[Campaign, list[Assignment]], *, status: int = 200) -> web.Response:
    """The answer of every route about one campaign: it with its players."""
    return json_response(campaign_json(*found), status=status)


@documented(
    _doc(
        "Create a free-round campaign, optionally with its first players (all or nothing; the same request again"
        " answers 200 with the campaign)",
        request=CreateCampaign,
        response=CampaignOut,
        status=201,
        errors=_CREATE_ERRORS,
    )
)
async def create_campaign(request: web.Request) -> web.Response:
    body = await read_model(request, CreateCampaign)
    service = request.app[CAMPAIGNS]
    campaign, created = await service.create(body)
    return _campaign(await service.get(campaign.campaign_id), status=201 if created else 200)


@documented(
    _doc(
        "Free-round campaigns, by id (cursor: after = last campaign id seen)",
        response=CampaignPage,
        query=(("after", "campaign id to start after"), ("limit", "1 to 500", _LIMIT.schema)),
        errors=("INVALID_REQUEST",),
    )
)
async def list_campaigns(request: web.Request) -> web.Response:
    limit = int_query(request, "limit", 100, _LIMIT)
    rows = await request.app[CAMPAIGNS].page(after=request.query.get("after"), limit=limit)
    return json_response(
        {
            "campaigns": [campaign_json(c) for c in rows],
            "next_after": rows[-1].campaign_id if len(rows) == limit else None,
        }
    )


@documented(
    _doc(
        "One campaign with every player's rounds left, in flight and played, and what it won",
        response=CampaignOut,
        errors=("UNKNOWN_CAMPAIGN",),
    )
)
async def get_campaign(request: web.Request) -> web.Response:
    return _campaign(await request.app[CAMPAIGNS].get(request.match_info["campaign_id"]))


@documented(
    _doc(
        "Give players the campaign's rounds (idempotent: a player already assigned keeps its share)",
        request=AssignPlayers,
        response=CampaignOut,
        errors=("UNKNOWN_CAMPAIGN", "INVALID_REQUEST", "CAMPAIGN_CURRENCY_MISMATCH", "CAMPAIGN_NOT_RUNNING"),
    )
)
async def assign_players(request: web.Request) -> web.Response:
    body = await read_model(request, AssignPlayers)
    return _campaign(await request.app[CAMPAIGNS].assign(request.match_info["campaign_id"], body.players))


@documented(
    _doc(
        "Cancel a campaign: rounds not played are void; a total campaign pays what was already won (docs/bonus.md)",
        response=CampaignOut,
        errors=("UNKNOWN_CAMPAIGN",),
    )
)
async def cancel_campaign(request: web.Request) -> web.Response:
    return _campaign(await request.app[CAMPAIGNS].cancel(request.match_info["campaign_id"]))


@documented(_doc("A player's campaigns with rounds left", response=PlayerCampaigns))
async def player_campaigns(request: web.Request) -> web.Response:
    player_id = request.match_info["player_id"]
    return json_response({"player_id": player_id, "campaigns": await request.app[CAMPAIGNS].of_player(player_id)})


@documented(
    _doc(
        "Pay promotional wins (tournament prizes, prize drops): one win with no bet per player, idempotent on the"
        " reference, delivered and retried by the settlement like any win",
        request=PromoRequest,
        response=PromoReply,
        errors=(
            "INVALID_REQUEST",
            "UNKNOWN_STUDIO",
            "UNKNOWN_GAME",
            "UNKNOWN_CURRENCY",
            "PROMO_REFERENCE_REUSED",
        ),
    )
)
async def promo_payouts(request: web.Request) -> web.Response:
    body = await read_model(request, PromoRequest)
    payouts = await request.app[PROMOTIONS].pay(body)
    return json_response(
        {
            "reference": body.reference,
            "payouts": [
                {
                    "player_id": p.transaction.player_id,
                    "transaction_id": p.transaction.transaction_id,
                    "amount": p.transaction.amount,
                    "status": p.transaction.status,
                    "created": p.created,
                }
                for p in payouts
            ],
        },
        status=201 if any(p.created for p in payouts) else 200,
    )


@documented(
    _doc(
        "Progressive jackpots with their pools' current values per currency, for lobbies (ETag; 304 on"
        " If-None-Match while no value moved)",
        response=JackpotFeed,
    )
)
async def jackpots(request: web.Request) -> web.Response:
    body = dumps(jackpot_feed.feed(request.app[CATALOG], await request.app[STORE].jackpots.all()))
    tag = jackpot_feed.etag(body)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if (inm := request.headers.get("If-None-Match")) is not None and jackpot_feed.matches(inm, tag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="application/json", headers=headers)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/v1/jackpots", jackpots)
    app.router.add_post("/v1/campaigns", create_campaign)
    app.router.add_get("/v1/campaigns", list_campaigns)
    app.router.add_get("/v1/campaigns/{campaign_id}", get_campaign)
    app.router.add_post("/v1/campaigns/{campaign_id}/players", assign_players)
    app.router.add_post("/v1/campaigns/{campaign_id}/cancel", cancel_campaign)
    app.router.add_get("/v1/players/{player_id}/campaigns", player_campaigns)
    app.router.add_post("/v1/promotions/payouts", promo_payouts)

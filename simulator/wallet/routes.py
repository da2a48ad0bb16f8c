"""The reference wallet's sandbox API and ledger export (the protocol routes are in ``app``)."""

from __future__ import annotations

import csv
import dataclasses
import functools
import io

from aiohttp import web

from simulator.http import AFTER, IntRange, RouteDoc, documented, enum_schema, int_query, json_response, read_model
from simulator.state import LEDGER, SANDBOX
from simulator.wallet.models import (
    BonusGrant,
    BonusResult,
    CreatedPlayer,
    CreatePlayer,
    GameControl,
    GameState,
    IssueToken,
    LedgerPage,
    PlayerControls,
    PlayerState,
    TokenInfo,
)
from simulator.wallet.records import EXPORT_COLUMNS, LedgerError
from simulator.wallet.sandbox import UNCHANGED

_KINDS = ("bet", "win", "rollback", "deposit", "bonus_credit")
_FORMATS = ("json", "csv")
_LIMIT = IntRange(1, 10000)
_doc = functools.partial(RouteDoc, tag="wallet sandbox", auth="admin")  # every route here


@documented(
    _doc(
        "Create a sandbox player with a starting balance and a session token",
        request=CreatePlayer,
        response=CreatedPlayer,
        status=201,
        errors=("CONFLICT", "UNKNOWN_CURRENCY"),
    )
)
async def create_player(request: web.Request) -> web.Response:
    body = await read_model(request, CreatePlayer)
    player, token, expires = await request.app[SANDBOX].create_player(
        body.player_id,
        body.currency,
        body.balance,
        blocked=body.blocked,
        self_excluded=body.self_excluded,
        token_ttl=body.token_ttl,
    )
    return json_response(dataclasses.asdict(player) | {"token": token, "token_expires_at": expires}, status=201)


@documented(
    _doc(
        "A sandbox player: cash and bonus balances, free rounds, controls and today's totals",
        response=PlayerState,
        errors=("NOT_FOUND",),
    )
)
async def get_player(request: web.Request) -> web.Response:
    return json_response(await request.app[SANDBOX].player(request.match_info["player_id"]))


@documented(
    _doc(
        "Player controls: block or unblock, self-exclude or not, set or remove (null) daily wager and loss limits",
        request=PlayerControls,
        response=PlayerState,
        errors=("NOT_FOUND", "INVALID_REQUEST"),
    )
)
async def update_player(request: web.Request) -> web.Response:
    body = await read_model(request, PlayerControls)
    sent = body.model_fields_set
    player_id = request.match_info["player_id"]
    sandbox = request.app[SANDBOX]
    await sandbox.set_controls(
        player_id,
        blocked=body.blocked,
        self_excluded=body.self_excluded,
        daily_wager_limit=body.daily_wager_limit if "daily_wager_limit" in sent else UNCHANGED,
        daily_loss_limit=body.daily_loss_limit if "daily_loss_limit" in sent else UNCHANGED,
    )
    return json_response(await sandbox.player(player_id))


@documented(
    _doc(
        "Grant bonus money and/or free rounds of a campaign (idempotent with transaction_id)",
        request=BonusGrant,
        response=BonusResult,
        errors=("NOT_FOUND", "INVALID_REQUEST"),
    )
)
async def grant_bonus(request: web.Request) -> web.Response:
    body = await read_model(request, BonusGrant)
    player_id = request.match_info["player_id"]
    sandbox = request.app[SANDBOX]
    applied = await sandbox.grant_bonus(
        player_id,
        amount=body.amount,
        free_rounds=body.free_rounds,
        campaign_id=body.campaign_id,
        transaction_id=body.transaction_id,
    )
    return json_response({"applied": applied, "player": await sandbox.player(player_id)})


@documented(
    _doc(
        "Issue another session token for a player",
        request=IssueToken,
        response=TokenInfo,
        status=201,
        errors=("NOT_FOUND",),
    )
)
async def issue_token(request: web.Request) -> web.Response:
    body = await read_model(request, IssueToken)
    player_id = request.match_info["player_id"]
    token, expires = await request.app[SANDBOX].issue_token(player_id, body.ttl)
    return json_response({"token": token, "player_id": player_id, "expires_at": expires}, status=201)


@documented(
    _doc(
        "Stop offering a game (its bets are refused with UNKNOWN_GAME) or offer it again",
        request=GameControl,
        response=GameState,
        errors=("INVALID_REQUEST",),
    )
)
async def set_game(request: web.Request) -> web.Response:
    body = await read_model(request, GameControl)
    game_id = request.match_info["game_id"]
    await request.app[SANDBOX].set_game(game_id, enabled=body.enabled)
    return json_response({"game_id": game_id, "enabled": body.enabled})


def _csv_cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


@documented(
    _doc(
        "Ledger export for reconciliation, oldest first: JSON, or CSV with format=csv (cursor: X-Next-After)",
        response=LedgerPage,
        also_content_types=("text/csv",),
        errors=("INVALID_REQUEST",),
        query=(
            ("after", "entries after this seq (a cursor that never skips an entry)", AFTER.schema),
            ("limit", "page size, 1 to 10000 (default 1000)", _LIMIT.schema),
            ("player_id", "only this player's entries"),
            ("round_id", "only this round"),
            ("transaction_id", "only this transaction"),
            ("kind", ", ".join(_KINDS), enum_schema(_KINDS)),
            ("format", "json (default) or csv", enum_schema(_FORMATS)),
        ),
    )
)
async def export_ledger(request: web.Request) -> web.Response:
    q = request.query
    after = int_query(request, "after", 0, AFTER)
    limit = int_query(request, "limit", 1000, _LIMIT)
    output = q.get("format", "json")
    if output not in _FORMATS:
        raise LedgerError("INVALID_REQUEST", "format must be json or csv")
    if "kind" in q and q["kind"] not in _KINDS:
        raise LedgerError("INVALID_REQUEST", f"kind must be one of: {', '.join(_KINDS)}")
    rows = await request.app[LEDGER].entries(
        player_id=q.get("player_id"),
        round_id=q.get("round_id"),
        transaction_id=q.get("transaction_id"),
        kind=q.get("kind"),
        after=after,
        limit=limit,
    )
    next_after = int(str(rows[-1]["seq"])) if rows else after
    if output == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([_csv_cell(row[k]) for k in EXPORT_COLUMNS] for row in rows)
        return web.Response(text=out.getvalue(), content_type="text/csv", headers={"X-Next-After": str(next_after)})
    return json_response({"entries": rows, "next_after": next_after})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/sandbox/players", create_player)
    app.router.add_get("/sandbox/players/{player_id}", get_player)
    app.router.add_patch("/sandbox/players/{player_id}", update_player)
    app.router.add_post("/sandbox/players/{player_id}/bonus", grant_bonus)
    app.router.add_post("/sandbox/players/{player_id}/tokens", issue_token)
    app.router.add_put("/sandbox/games/{game_id}", set_game)
    app.router.add_get("/ledger", export_ledger)

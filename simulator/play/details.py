"""The round-details page for disputes: ``/rounds/{round_id}/{tag}`` draws one round as it happened, with its
wallet transactions and its provably-fair proof. The tag (``simulator.play.links``) is the authorisation: a wrong
tag and an unknown round get the same 404, so a link reveals nothing about other rounds."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from games.rng import commitment
from simulator.aggregator.routes import recompute_round, transaction_json
from simulator.errors import NotFound
from simulator.http import RouteDoc, documented, json_response
from simulator.money import exponent
from simulator.play.assets import page
from simulator.play.display import board
from simulator.play.outcome import stored_outcome
from simulator.state import CATALOG, ROUND_LINKS, STORE
from simulator.store.provider import Round

_ERRORS = ("UNKNOWN_ROUND",)


async def _round(request: web.Request) -> Round:
    round_id, tag = request.match_info["round_id"], request.match_info["tag"]
    if request.app[ROUND_LINKS].valid(round_id, tag):
        found = await request.app[STORE].rounds.get(round_id)
        if found is not None:
            return found
    raise NotFound("no such round, or the link is not valid", code="UNKNOWN_ROUND")


@documented(
    RouteDoc("A round's details page (signed link)", "rounds", content_type="text/html", auth="none", errors=_ERRORS)
)
async def details_page(request: web.Request) -> web.Response:
    await _round(request)
    return page("round.html")


@documented(RouteDoc("A round's details as JSON (signed link)", "rounds", auth="none", errors=_ERRORS))
async def details_data(request: web.Request) -> web.Response:
    round_ = await _round(request)
    store = request.app[STORE]
    outcome = stored_outcome(round_.outcome)
    catalog = request.app[CATALOG]
    name = catalog.game(round_.game_id).name if round_.game_id in catalog.games else round_.game_id
    body: dict[str, Any] = {
        "round_id": round_.round_id,
        "game_id": round_.game_id,
        "game_name": name,
        "engine_id": round_.engine_id,
        "board": board(round_.engine_id),
        "player_id": round_.player_id,
        "currency": round_.currency,
        "minor_unit": exponent(round_.currency),
        "amount": round_.stake,
        "win": round_.win,
        "status": round_.status,
        "params": round_.params,
        "created_at": round_.created_at,
        "updated_at": round_.updated_at,
        "fairness": {
            "server_seed_hash": round_.server_seed_hash,
            "server_seed": await store.sessions.revealed_seed(round_.server_seed_hash),
            "client_seed": round_.client_seed,
            "nonce": round_.nonce,
            "rng": outcome.rng.mode,
            "mapping": outcome.rng.mapping,
        },
        "transactions": [transaction_json(t) for t in await store.outbox.of_round(round_.round_id)],
    }
    return json_response(body | outcome.answer())


@documented(
    RouteDoc(
        "Recompute a round from its revealed server seed and compare it with the record (signed link)",
        "rounds",
        auth="none",
        errors=(*_ERRORS, "SEED_NOT_REVEALED"),
    )
)
async def details_verify(request: web.Request) -> web.Response:
    round_ = await _round(request)
    seed = await request.app[STORE].sessions.revealed_seed(round_.server_seed_hash)
    if seed is None:
        raise NotFound(
            "the server seed of this round is not revealed yet: rotate the session's seed first",
            code="SEED_NOT_REVEALED",
        )
    _, matches = recompute_round(round_, seed)
    return json_response(
        {"commitment_ok": commitment(seed) == round_.server_seed_hash, "matches_round": matches, "server_seed": seed}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/rounds/{round_id}/{tag}", details_page)
    app.router.add_get("/rounds/{round_id}/{tag}/data", details_data)
    app.router.add_post("/rounds/{round_id}/{tag}/verify", details_verify)

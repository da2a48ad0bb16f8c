"""Operator API handlers: catalogue, session launch, round and transaction records, fairness verification."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from games.engine import MultiStepEngine
from games.registry import get_engine
from games.rng import commitment
from simulator.aggregator.models import (
    GamePage,
    LaunchRequest,
    LaunchResponse,
    RoundOut,
    StudioList,
    TransactionPage,
    VerifyRequest,
    VerifyResponse,
)
from simulator.catalog.models import Game
from simulator.dialects.call import WalletCall
from simulator.errors import NotFound, RequestError, WalletRefused
from simulator.fairness.seeds import new_seed_pair
from simulator.fairness.verify import recompute
from simulator.http import RouteDoc, documented, json_response, read_model
from simulator.money import exponent
from simulator.play.rounds import refusal
from simulator.state import CATALOG, CLOCK, IDS, SETTINGS, STORE, WALLETS
from simulator.store.provider import Session, Transaction


def _int_query(request: web.Request, name: str, default: int, *, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(f"query parameter {name} must be an integer") from None
    if not low <= value <= high:
        raise RequestError(f"query parameter {name} must be between {low} and {high}")
    return value


@documented(RouteDoc("List studios", "catalogue", response=StudioList))
async def list_studios(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    return json_response({"studios": [s.model_dump() for s in catalog.studios.values()]})


@documented(
    RouteDoc(
        "List games, a page at a time (cursor = the last game_id of the previous page)",
        "catalogue",
        response=GamePage,
        query=(("limit", "page size, 1 to 500"), ("cursor", "from next_cursor")),
    )
)
async def list_games(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    limit = _int_query(request, "limit", 100, low=1, high=500)
    games = catalog.game_list
    start = 0
    if cursor := request.query.get("cursor"):
        if cursor not in catalog.games:
            raise RequestError("unknown cursor; use next_cursor from the previous page", code="INVALID_CURSOR")
        start = games.index(catalog.games[cursor]) + 1
    page = games[start : start + limit]
    next_cursor = page[-1].game_id if start + limit < len(games) and page else None
    return json_response({"games": [g.model_dump() for g in page], "next_cursor": next_cursor, "total": len(games)})


@documented(RouteDoc("One game's metadata", "catalogue", response=Game, errors=("UNKNOWN_GAME",)))
async def get_game(request: web.Request) -> web.Response:
    return json_response(request.app[CATALOG].game(request.match_info["game_id"]).model_dump())


@documented(
    RouteDoc(
        "Launch a game for a player: session token, launch URL and the fairness commitment",
        "sessions",
        request=LaunchRequest,
        response=LaunchResponse,
        status=201,
        errors=(
            "UNKNOWN_GAME",
            "UNKNOWN_CURRENCY",
            "CURRENCY_NOT_OFFERED",
            "INVALID_SESSION",
            "PLAYER_BLOCKED",
            "WALLET_UNAVAILABLE",
        ),
    )
)
async def launch(request: web.Request) -> web.Response:
    body = await read_model(request, LaunchRequest)
    app = request.app
    game = app[CATALOG].game(body.game_id)
    exponent(body.currency)
    if body.currency not in game.currencies:
        raise RequestError(f"{game.game_id} is not offered in {body.currency}", code="CURRENCY_NOT_OFFERED")
    check = WalletCall("balance", body.player_id, body.token, body.currency)
    try:
        reply = await app[WALLETS](game.studio_id).call(check)
    except WalletRefused as exc:
        raise refusal(exc) from None
    seeds = new_seed_pair(app[IDS], body.client_seed)
    now = app[CLOCK].now()
    settings = app[SETTINGS]
    session = Session(
        token=app[IDS].token(),
        player_id=body.player_id,
        operator_token=body.token,
        game_id=game.game_id,
        studio_id=game.studio_id,
        currency=body.currency,
        demo=False,
        country=body.country,
        language=body.language,
        created_at=now,
        expires_at=now + settings.session_ttl,
        server_seed=seeds.server_seed,
        server_seed_hash=seeds.server_seed_hash,
        client_seed=seeds.client_seed,
        nonce=1,
    )
    await app[STORE].create_session(session)
    out = LaunchResponse(
        session_token=session.token,
        launch_url=f"{settings.base_url}/play/{session.token}",
        expires_at=session.expires_at,
        game_id=game.game_id,
        player_id=body.player_id,
        currency=body.currency,
        balance=reply.balance,
        fairness={
            "server_seed_hash": seeds.server_seed_hash,
            "client_seed": seeds.client_seed,
            "next_nonce": 1,
        },
    )
    return json_response(out.model_dump(), status=201)


def transaction_json(t: Transaction) -> dict[str, Any]:
    keys = (
        "seq",
        "transaction_id",
        "round_id",
        "kind",
        "player_id",
        "currency",
        "amount",
        "round_closed",
        "reference_transaction_id",
        "status",
        "attempts",
        "last_error",
        "balance_after",
        "created_at",
    )
    return {k: getattr(t, k) for k in keys}


@documented(
    RouteDoc(
        "One round with its transactions and fairness inputs (the server seed once revealed)",
        "rounds",
        response=RoundOut,
        errors=("UNKNOWN_ROUND",),
    )
)
async def get_round(request: web.Request) -> web.Response:
    store = request.app[STORE]
    round_ = await store.get_round(request.match_info["round_id"])
    if round_ is None:
        raise NotFound("no such round", code="UNKNOWN_ROUND")
    revealed = await store.revealed_seed(round_.server_seed_hash)
    return json_response(
        {
            "round_id": round_.round_id,
            "game_id": round_.game_id,
            "studio_id": round_.studio_id,
            "engine_id": round_.engine_id,
            "player_id": round_.player_id,
            "currency": round_.currency,
            "amount": round_.stake,
            "win": round_.win,
            "status": round_.status,
            "params": round_.params,
            "outcome": round_.outcome,
            "fairness": {
                "server_seed_hash": round_.server_seed_hash,
                "server_seed": revealed,
                "client_seed": round_.client_seed,
                "nonce": round_.nonce,
            },
            "transactions": [transaction_json(t) for t in await store.round_transactions(round_.round_id)],
        }
    )


@documented(
    RouteDoc(
        "The provider's transaction log, oldest first (cursor: after = last seq seen)",
        "rounds",
        response=TransactionPage,
        query=(("after", "seq to start after"), ("limit", "1 to 1000")),
    )
)
async def list_transactions(request: web.Request) -> web.Response:
    after = _int_query(request, "after", 0, low=0, high=2**62)
    limit = _int_query(request, "limit", 500, low=1, high=1000)
    rows = await request.app[STORE].transactions(after=after, limit=limit)
    return json_response(
        {"transactions": [transaction_json(t) for t in rows], "next_after": rows[-1].seq if rows else after}
    )


@documented(
    RouteDoc(
        "Recompute an outcome from its fairness inputs and check the seed against its commitment",
        "fairness",
        request=VerifyRequest,
        response=VerifyResponse,
        errors=("UNKNOWN_ROUND", "UNKNOWN_ENGINE", "INVALID_BET"),
    )
)
async def verify(request: web.Request) -> web.Response:
    body = await read_model(request, VerifyRequest)
    app = request.app
    stored: dict[str, Any] | None = None
    stored_win = 0
    expected_hash = body.server_seed_hash
    if body.round_id is not None:
        round_ = await app[STORE].get_round(body.round_id)
        if round_ is None:
            raise NotFound("no such round", code="UNKNOWN_ROUND")
        engine_id, client_seed, nonce = round_.engine_id, round_.client_seed, round_.nonce
        amount, params, expected_hash = round_.stake, round_.params, round_.server_seed_hash
        stored, stored_win = round_.outcome, round_.win
        mode, mapping = round_.outcome["rng"]["mode"], round_.outcome["rng"]["mapping"]
        if isinstance(get_engine(engine_id), MultiStepEngine):
            amount = round_.outcome["opening_stake"]
    else:
        engine_id = body.engine_id or (app[CATALOG].game(body.game_id).engine_id if body.game_id else "")
        if not engine_id or body.client_seed is None or body.nonce is None or body.amount is None:
            raise RequestError("give round_id, or engine_id (or game_id), client_seed, nonce and amount")
        client_seed, nonce, amount, params = body.client_seed, body.nonce, body.amount, body.params
        if body.game_id is not None and body.engine_id is None:
            game = app[CATALOG].game(body.game_id)
            mode, mapping = game.rng_mode, game.rng_mapping
        else:
            mode, mapping = body.rng, body.mapping
    outcome = recompute(engine_id, body.server_seed, client_seed, nonce, amount, params, mode=mode, mapping=mapping)
    matches: bool | None = None
    if stored is not None:
        if "detail" in stored:
            matches = stored["detail"] == outcome["detail"] and stored_win == outcome["win"]
        else:
            matches = stored["opening"] == outcome["state"]
    commitment_ok = None if expected_hash is None else commitment(body.server_seed) == expected_hash
    return json_response(
        {
            "commitment_ok": commitment_ok,
            "matches_round": matches,
            "engine_id": engine_id,
            "nonce": nonce,
            "outcome": outcome,
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/v1/studios", list_studios)
    app.router.add_get("/v1/games", list_games)
    app.router.add_get("/v1/games/{game_id}", get_game)
    app.router.add_post("/v1/sessions", launch)
    app.router.add_get("/v1/rounds/{round_id}", get_round)
    app.router.add_get("/v1/transactions", list_transactions)
    app.router.add_post("/v1/fairness/verify", verify)

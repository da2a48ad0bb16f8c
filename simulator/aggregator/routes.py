"""Operator API handlers: catalogue, session launch, round and transaction records, fairness verification."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from games.rng import commitment
from simulator.aggregator.history import player_rounds
from simulator.aggregator.models import (
    Fairness,
    LaunchRequest,
    LaunchResponse,
    RoundOut,
    TransactionOut,
    TransactionPage,
    VerifyRequest,
    VerifyResponse,
)
from simulator.aggregator.round_json import round_json
from simulator.bonus import context
from simulator.catalog.models import Game
from simulator.demo import DEMO_PREFIX, is_demo
from simulator.dialects.call import WalletCall
from simulator.dialects.protocol import DialectUnavailable, UnavailableDialect
from simulator.errors import Forbidden, NotFound, RequestError, WalletRefused, refusal
from simulator.fairness.seeds import new_seed_pair
from simulator.fairness.verify import recompute
from simulator.http import AFTER, IntRange, RouteDoc, documented, enum_schema, json_response, read_model
from simulator.http import int_query as _int_query
from simulator.lifecycle import TRANSACTION_STATUSES
from simulator.live.socket import socket_url
from simulator.markets.profiles import check_jurisdiction
from simulator.money import exponent
from simulator.play.outcome import stored_outcome
from simulator.state import CATALOG, CATALOG_SYNC, CLOCK, DEMO, IDS, MARKETS, ROUND_LINKS, SETTINGS, STORE, WALLETS
from simulator.store.provider import Round, Session, Transaction


def check_launch_rules(game: Game, body: LaunchRequest) -> None:
    """Refuse a launch the catalogue does not allow, with the most useful error first."""
    if not game.enabled:
        raise Forbidden(f"{game.game_id} is disabled; try again later or pick another game", code="GAME_DISABLED")
    exponent(body.currency)
    if body.currency not in game.currencies:
        raise RequestError(
            f"{game.game_id} is not offered in {body.currency}; it offers {', '.join(game.currencies)}",
            code="CURRENCY_NOT_OFFERED",
        )
    restricted = game.allowed_countries is not None or bool(game.blocked_countries)
    country = body.country
    if body.jurisdiction is not None:
        if country is not None and country != body.jurisdiction[:2]:
            raise RequestError(
                f"country {country} is not in jurisdiction {body.jurisdiction}", code="JURISDICTION_MISMATCH"
            )
        country = body.jurisdiction[:2]
    if country is None:
        if restricted:
            raise RequestError(
                f"{game.game_id} restricts countries; send the player's country", code="COUNTRY_REQUIRED"
            )
    elif not game.playable_in(country):
        raise Forbidden(f"{game.game_id} may not be launched in {country}", code="COUNTRY_BLOCKED")
    if body.demo:
        if not game.demo:
            raise Forbidden(f"{game.game_id} has no demo mode", code="DEMO_NOT_AVAILABLE")
    elif body.player_id is None or body.token is None:
        raise RequestError("player_id and token are required unless demo is true")
    elif is_demo(body.token):
        raise RequestError(f"operator tokens may not start with {DEMO_PREFIX!r}; that form marks demo sessions")


@documented(
    RouteDoc(
        "Launch a game for a player (or in demo mode): session token, launch URL and the fairness commitment",
        "sessions",
        auth="operator",
        request=LaunchRequest,
        response=LaunchResponse,
        status=201,
        errors=(
            "UNKNOWN_GAME",
            "GAME_DISABLED",
            "UNKNOWN_CURRENCY",
            "CURRENCY_NOT_OFFERED",
            "COUNTRY_REQUIRED",
            "COUNTRY_BLOCKED",
            "UNKNOWN_JURISDICTION",
            "JURISDICTION_MISMATCH",
            "GAME_NOT_CERTIFIED",
            "LIMIT_CURRENCY_MISMATCH",
            "SESSION_LIMITS_REQUIRED",
            "DEMO_NOT_AVAILABLE",
            "INVALID_SESSION",
            "PLAYER_BLOCKED",
            "DIALECT_UNAVAILABLE",
            "WALLET_UNAVAILABLE",
        ),
    )
)
async def launch(request: web.Request) -> web.Response:
    body = await read_model(request, LaunchRequest)
    out = await open_session(request.app, body)
    return json_response(out.model_dump(), status=201)


async def open_session(app: web.Application, body: LaunchRequest) -> LaunchResponse:
    """Launch ``body``'s game: the catalogue's rules, the wallet's balance (unless demo), a new session with its
    seed pair. Shared by the operator API and the real-aggregator profiles' launch routes (``simulator.compat``)."""
    await app[CATALOG_SYNC].refresh()
    game = app[CATALOG].game(body.game_id)
    if body.jurisdiction is not None:
        check_jurisdiction(body.jurisdiction)
    check_launch_rules(game, body)
    market = app[MARKETS].launch_rules(
        game, body.jurisdiction, body.currency, young_adult=body.young_adult, rg=body.responsible_gaming
    )
    ids, now, settings = app[IDS], app[CLOCK].now(), app[SETTINGS]
    token = ids.token()
    if body.demo:
        wallet_token = DEMO_PREFIX + token
        player_id = body.player_id or f"demo-{token[:12]}"
        balance = await app[DEMO].open(wallet_token, body.currency)
    else:
        assert body.player_id is not None and body.token is not None
        wallet_token, player_id = body.token, body.player_id
        wallet = app[WALLETS](game.studio_id)
        if isinstance(wallet.dialect, UnavailableDialect):
            raise DialectUnavailable(f"{game.studio_id} cannot be played here: {wallet.dialect.reason}")
        check = WalletCall(
            "balance", player_id, wallet_token, body.currency, game_id=game.game_id, studio_id=game.studio_id
        )
        try:
            balance = (await wallet.call(check)).balance
        except WalletRefused as exc:
            raise refusal(exc) from None
    seeds = new_seed_pair(ids, body.client_seed)
    session = Session(
        token=token,
        player_id=player_id,
        operator_token=wallet_token,
        game_id=game.game_id,
        studio_id=game.studio_id,
        currency=body.currency,
        demo=body.demo,
        country=body.country or (body.jurisdiction[:2] if body.jurisdiction else None),
        language=body.language,
        created_at=now,
        expires_at=now + settings.session_ttl,
        server_seed=seeds.server_seed,
        server_seed_hash=seeds.server_seed_hash,
        client_seed=seeds.client_seed,
        nonce=1,
        lobby_url=body.lobby_url,
        cashier_url=body.cashier_url,
        platform=body.platform,
    )
    await app[MARKETS].open(session.token, market)  # before the session exists, so no round escapes its rules
    await app[STORE].sessions.create(session)
    return LaunchResponse(
        session_token=session.token,
        demo=body.demo,
        launch_url=f"{settings.base_url}/play/{session.token}",
        websocket_url=socket_url(settings.base_url, session.token) if game.category == "live" else None,
        expires_at=session.expires_at,
        game_id=game.game_id,
        player_id=player_id,
        currency=body.currency,
        balance=balance,
        fairness=Fairness(server_seed_hash=seeds.server_seed_hash, client_seed=seeds.client_seed, next_nonce=1),
        market=market.to_json() if market.regulated else None,
    )


_TRANSACTION_FIELDS = tuple(name for name in TransactionOut.model_fields if name != "bonus")  # bonus: decoded


def transaction_json(t: Transaction) -> dict[str, Any]:
    return {k: getattr(t, k) for k in _TRANSACTION_FIELDS} | {"bonus": context.decode(t.bonus)}


@documented(
    RouteDoc(
        "One round with its transactions and fairness inputs (the server seed once revealed)",
        "rounds",
        auth="operator",
        response=RoundOut,
        errors=("UNKNOWN_ROUND",),
    )
)
async def get_round(request: web.Request) -> web.Response:
    store = request.app[STORE]
    round_ = await store.rounds.get(request.match_info["round_id"])
    if round_ is None:
        raise NotFound("no such round", code="UNKNOWN_ROUND")
    revealed = await store.sessions.revealed_seed(round_.server_seed_hash)
    return json_response(
        round_json(
            round_,
            RoundOut,
            fairness={
                "server_seed_hash": round_.server_seed_hash,
                "server_seed": revealed,
                "client_seed": round_.client_seed,
                "nonce": round_.nonce,
            },
            transactions=[transaction_json(t) for t in await store.outbox.of_round(round_.round_id)],
            details_url=request.app[ROUND_LINKS].url(round_.round_id),
        )
    )


_LIMIT = IntRange(1, 1000)
_KINDS = ("bet", "win", "rollback")


@documented(
    RouteDoc(
        "The provider's transaction log, oldest first (cursor: after = last seq seen; never skips a row)",
        "rounds",
        auth="operator",
        response=TransactionPage,
        errors=("INVALID_REQUEST",),
        query=(
            ("after", "seq to start after", AFTER.schema),
            ("limit", "1 to 1000", _LIMIT.schema),
            ("round_id", "only this round"),
            ("player_id", "only this player"),
            ("kind", "bet, win or rollback", enum_schema(_KINDS)),
            ("status", ", ".join(TRANSACTION_STATUSES), enum_schema(TRANSACTION_STATUSES)),
        ),
    )
)
async def list_transactions(request: web.Request) -> web.Response:
    after = _int_query(request, "after", 0, AFTER)
    limit = _int_query(request, "limit", 500, _LIMIT)
    q = request.query
    for name, allowed in (("kind", _KINDS), ("status", TRANSACTION_STATUSES)):
        if name in q and q[name] not in allowed:
            raise RequestError(f"query parameter {name} must be one of: {', '.join(allowed)}")
    rows = await request.app[STORE].outbox.transactions(
        after=after,
        limit=limit,
        round_id=q.get("round_id"),
        player_id=q.get("player_id"),
        kind=q.get("kind"),
        status=q.get("status"),
    )
    return json_response(
        {"transactions": [transaction_json(t) for t in rows], "next_after": rows[-1].seq if rows else after}
    )


def recompute_round(round_: Round, server_seed: str) -> tuple[dict[str, Any], bool]:
    """The round's outcome recomputed from ``server_seed`` and its recorded fairness inputs, and whether it is the one
    recorded (for a multi-step round, its opening)."""
    stored = stored_outcome(round_.outcome)
    stake = stored.opening_stake if stored.multi_step else round_.stake
    mode, mapping = stored.rng.mode, stored.rng.mapping
    again = recompute(
        round_.engine_id,
        server_seed,
        round_.client_seed,
        round_.nonce,
        stake,
        round_.params,
        mode=mode,
        mapping=mapping,
    )
    if stored.multi_step:
        return again, stored.opening == again["state"]
    return again, stored.detail == again["detail"] and round_.win == again["win"]


@documented(
    RouteDoc(
        "Recompute an outcome from its fairness inputs and check the seed against its commitment",
        "fairness",
        auth="operator",
        request=VerifyRequest,
        response=VerifyResponse,
        errors=("UNKNOWN_ROUND", "UNKNOWN_ENGINE", "INVALID_BET"),
    )
)
async def verify(request: web.Request) -> web.Response:
    body = await read_model(request, VerifyRequest)
    app = request.app
    matches: bool | None = None
    expected_hash = body.server_seed_hash
    if body.round_id is not None:
        round_ = await app[STORE].rounds.get(body.round_id)
        if round_ is None:
            raise NotFound("no such round", code="UNKNOWN_ROUND")
        engine_id, nonce, expected_hash = round_.engine_id, round_.nonce, round_.server_seed_hash
        outcome, matches = recompute_round(round_, body.server_seed)
    else:
        engine_id = body.engine_id or (app[CATALOG].game(body.game_id).engine_id if body.game_id else "")
        if not engine_id or body.client_seed is None or body.nonce is None or body.amount is None:
            raise RequestError("give round_id, or engine_id (or game_id), client_seed, nonce and amount")
        nonce = body.nonce
        if body.game_id is not None and body.engine_id is None:
            game = app[CATALOG].game(body.game_id)
            mode, mapping = game.rng_mode, game.rng_mapping
        else:
            mode, mapping = body.rng, body.mapping
        outcome = recompute(
            engine_id, body.server_seed, body.client_seed, nonce, body.amount, body.params, mode=mode, mapping=mapping
        )
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
    app.router.add_post("/v1/sessions", launch)
    app.router.add_get("/v1/rounds/{round_id}", get_round)
    app.router.add_get("/v1/transactions", list_transactions)
    app.router.add_post("/v1/fairness/verify", verify)
    app.router.add_get("/v1/players/{player_id}/rounds", player_rounds)

"""The auth middleware: each route says who may call it (``RouteDoc.auth``) and this enforces it.

Operator routes need a signed request (``simulator.auth.signing``): a known key, a timestamp within ``window``
seconds of the clock, a nonce the key has not used while it could still be accepted, and the HMAC of the request;
then the key's rate limit. Admin routes need ``Authorization: Bearer <admin token>``. Every refusal is a 401 (429
for the rate limit) with a JSON error and no hint of any secret. A request that matches no route is left to the
router's 404 or 405.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.auth.keys import AuthKeys
from simulator.auth.nonces import NonceStore
from simulator.auth.ratelimit import RateLimiter
from simulator.auth.signing import (
    HEADERS,
    KEY_HEADER,
    NONCE,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP,
    TIMESTAMP_HEADER,
    signature_valid,
    string_to_sign,
)
from simulator.clock import Clock
from simulator.credentials import OperatorKey
from simulator.errors import TooManyRequests, Unauthorized
from simulator.http import Access, Handler, RouteDoc
from simulator.listener import body_timeout_middleware
from simulator.settings import Settings

log = logging.getLogger("casino_sim.auth")

NonceLookup = Callable[[web.Request], NonceStore]

_ADMIN_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="casino-sim admin"'}
_OPERATOR_CHALLENGE = {"WWW-Authenticate": 'HMAC-SHA256 realm="casino-sim operator API"'}


def route_access(request: web.Request) -> Access | None:
    """Who may call the matched route; None when no route matched. A handler without a ``RouteDoc`` counts as
    admin: closed unless someone decided otherwise."""
    info = request.match_info
    if info.http_exception is not None:
        return None
    doc: RouteDoc | None = getattr(info.handler, "__route_doc__", None)
    return doc.auth if doc is not None else "admin"


def _refuse(code: str, message: str, *, extra: dict[str, object] | None = None) -> Unauthorized:
    return Unauthorized(message, code=code, extra=extra, headers=_OPERATOR_CHALLENGE)


def _shown(value: str) -> str:
    """A header value for an error message: short and printable."""
    return repr(value[:64])


def check_admin(request: web.Request, token: bytes) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized(
            "the admin API needs Authorization: Bearer <admin token> (admin_token in credentials.json)",
            headers=_ADMIN_CHALLENGE,
        )
    if not hmac.compare_digest(given.strip().encode("utf-8", "replace"), token):
        raise Unauthorized("the admin token is not valid", code="INVALID_TOKEN", headers=_ADMIN_CHALLENGE)


class OperatorCheck:
    """Everything an operator request must pass, in order; raises the first refusal."""

    def __init__(
        self, keys: AuthKeys, clock: Clock, *, window: int, limiter: RateLimiter | None, nonces: NonceLookup | None
    ) -> None:
        self._keys = keys
        self._clock = clock
        self._window = window
        self._limiter = limiter
        self._nonces = nonces

    async def __call__(self, request: web.Request) -> OperatorKey:
        headers = request.headers
        missing = [name for name in HEADERS if not headers.get(name)]
        if missing:
            raise _refuse(
                "MISSING_SIGNATURE",
                f"the operator API needs a signed request; missing {', '.join(missing)} (see docs/security.md)",
            )
        key_id, timestamp = headers[KEY_HEADER], headers[TIMESTAMP_HEADER]
        nonce, signature = headers[NONCE_HEADER], headers[SIGNATURE_HEADER]
        key = self._keys.operator_keys.get(key_id)
        if key is None:
            raise _refuse("UNKNOWN_KEY", f"no active operator key {_shown(key_id)}")
        if not TIMESTAMP.fullmatch(timestamp):
            raise _refuse("INVALID_TIMESTAMP", f"{TIMESTAMP_HEADER} must be integer Unix seconds")
        if not NONCE.fullmatch(nonce):
            raise _refuse("INVALID_NONCE", f"{NONCE_HEADER} must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -")
        body = await request.read()
        target = request.raw_path
        if not signature_valid(key.secret.encode(), request.method, target, timestamp, nonce, body, signature):
            expected = string_to_sign(request.method, target, timestamp, nonce, body)
            raise _refuse(
                "INVALID_SIGNATURE",
                "the signature does not match the request; string_to_sign is what the server signed",
                extra={"string_to_sign": expected},
            )
        skew = self._clock.now() - int(timestamp)
        if abs(skew) > self._window:
            raise _refuse(
                "STALE_TIMESTAMP", f"timestamp is {skew:+.0f}s from the server clock; the window is {self._window}s"
            )
        if self._limiter is not None and (wait := self._limiter.take(key_id)) is not None:
            raise TooManyRequests(
                f"operator key {_shown(key_id)} is over its rate limit", headers={"Retry-After": str(math.ceil(wait))}
            )
        if self._nonces is None:
            raise _refuse("UNKNOWN_KEY", "this server takes no operator requests")
        if not await self._nonces(request).remember(key_id, nonce, int(timestamp) + self._window):
            raise _refuse("REPLAYED_NONCE", "this nonce was already used by this key; sign every request anew")
        return key


def auth_middleware(
    *, keys: AuthKeys, clock: Clock, window: int, limiter: RateLimiter | None, nonces: NonceLookup | None
) -> Middleware:
    """Enforce ``RouteDoc.auth`` on every route of the app and its sub-applications."""
    operator = OperatorCheck(keys, clock, window=window, limiter=limiter, nonces=nonces)
    admin_token = keys.admin_token.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        access = route_access(request)
        try:
            if access == "operator":
                await operator(request)
            elif access == "admin":
                check_admin(request, admin_token)
        except (Unauthorized, TooManyRequests) as exc:
            log.info("refused %s %s: %s", request.method, request.path, exc.code)
            raise
        return await handler(request)

    return middleware


def request_guards(
    settings: Settings, *, clock: Clock, keys: AuthKeys | None, nonces: NonceLookup | None
) -> list[Middleware]:
    """The middlewares every app puts after its error middleware: the body deadline, then (unless ``keys`` is
    None, which is ``auth = false``) authentication and the rate limit."""
    guards = [body_timeout_middleware(timeout=settings.read_timeout)]
    if keys is not None:
        limiter = RateLimiter(rate=settings.rate_limit, burst=settings.rate_burst, clock=clock)
        guards.append(
            auth_middleware(
                keys=keys,
                clock=clock,
                window=settings.signature_window,
                limiter=limiter if settings.rate_limit > 0 else None,
                nonces=nonces,
            )
        )
    return guards

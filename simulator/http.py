"""HTTP plumbing shared by the simulator and the reference wallet: JSON errors, strict body parsing, route
docs.

Every error leaves as ``{"error": {"code": ..., "message": ...}}``. Bad input is a 4xx; a 500 means a bug, is
logged with its traceback, and never shows one to the client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from games.errors import GameError, RoundFinished
from simulator.errors import RequestError, SimulatorError, UnsupportedMediaType
from simulator.jsonbytes import RepeatedKey, TooDeep, dumps, loads

log = logging.getLogger("casino_sim")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=dumps(data), status=status, content_type="application/json", headers=headers)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, **extra}


def error_response(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return json_response(error_body(code, message, **extra), status=status)


_HTTP_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SimulatorError as exc:
        response = error_response(exc.status, exc.code, exc.message, **exc.extra)
        response.headers.update(exc.headers)
        return response
    except GameError as exc:
        return error_response(409 if isinstance(exc, RoundFinished) else 400, exc.code, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "HTTP_ERROR")
        message = exc.reason if exc.status != 413 else "request body is too large"
        response = error_response(exc.status, code, message)
        if "Allow" in exc.headers:  # a 405 says which methods the resource takes
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "INTERNAL_ERROR", "internal error; the simulator logged the details")


def validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


_DIGITS = re.compile(r"-?[0-9]{1,19}")  # [0-9], not \d: only ASCII digits


def strict_int(text: str, *, signed: bool = False) -> int | None:
    """``text`` as an integer if it is ASCII digits (at most 19, optionally after a ``-`` when ``signed``), else
    None. ``str.isdigit`` and ``int`` accept far more from a stranger: ``²``, Arabic-Indic digits, ``" 7 "``,
    ``1_000``, and thousands of digits that later overflow a float."""
    if not _DIGITS.fullmatch(text) or (not signed and text.startswith("-")):
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class IntRange:
    """The integers a query parameter takes: what ``int_query`` accepts and what the OpenAPI document says."""

    low: int
    high: int

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


AFTER = IntRange(0, 2**62)
"""A sequence number to start after: every cursor of the API."""


def enum_schema(choices: Iterable[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(choices)}


def int_query(request: web.Request, name: str, default: int, bounds: IntRange) -> int:
    """An integer query parameter within ``bounds``; anything else is a 400 that names the parameter."""
    raw = request.query.get(name)
    if raw is None:
        return default
    value = strict_int(raw, signed=True)
    if value is None:
        raise RequestError(f"query parameter {name} must be an integer")
    low, high = bounds.low, bounds.high
    if not low <= value <= high:
        raise RequestError(f"query parameter {name} must be between {low} and {high}")
    return value


_JSON = "application/json"


async def read_json(request: web.Request, *, json_only: bool = False) -> Any:
    """The body as JSON. ``json_only`` also demands ``Content-Type: application/json`` (415 otherwise): a
    cross-site HTML form can only send form or plain-text types, and a page that sets this type needs a CORS
    preflight, which no route answers. Routes authorised by a bearer secret in the URL need it."""
    # the header as clients send it settles it without aiohttp's parse of the media type (several microseconds)
    if json_only and request.headers.get("Content-Type") != _JSON and request.content_type != _JSON:
        raise UnsupportedMediaType("send the body as Content-Type: application/json")
    raw = await request.read()
    if not raw:
        raise RequestError("request body is empty; send a JSON object", code="INVALID_REQUEST")
    try:
        return loads(raw, unique=True)
    except (TooDeep, RepeatedKey) as exc:
        raise RequestError(f"request body refused: {exc}", code="INVALID_JSON") from None
    except (ValueError, UnicodeDecodeError):
        raise RequestError("request body is not valid JSON", code="INVALID_JSON") from None


def parse_model(
    model: type[M], data: Any, *, strict: bool | None = True, code: str = "INVALID_REQUEST", where: str = ""
) -> M:
    """``data`` as ``model``, or a 400 with ``code`` saying what is wrong (after ``where``, which names the file or
    header it came from); ``strict=None`` leaves strictness to the model's own configuration."""
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise RequestError(where + validation_message(exc), code=code) from None


async def read_model(
    request: web.Request,
    model: type[M],
    *,
    json_only: bool = False,
    strict: bool | None = True,
    code: str = "INVALID_REQUEST",
) -> M:
    return parse_model(model, await read_json(request, json_only=json_only), strict=strict, code=code)


Access = Literal["operator", "admin", "session", "signature", "none"]
"""Who may call a route (``simulator.auth`` enforces it):

- ``operator``: an operator's signed request (``X-Operator-*`` headers, HMAC over method, target, time, nonce, body);
- ``admin``: the admin bearer token; the default, so a route nobody classified is closed, not open;
- ``session``: the game client, authorised by the session token in its path alone;
- ``signature``: a wallet protocol route, which checks its own dialect's signature;
- ``none``: open to anyone: health, the API description, the pages' static files and the dashboard's empty shell,
  and the round-details pages, which check the HMAC tag in their own link (``simulator.play.links``).
"""


QueryParam = tuple[str, str] | tuple[str, str, dict[str, Any]]
"""(name, description) of a string parameter, or (name, description, JSON schema) of a typed one."""


@dataclass(frozen=True, slots=True)
class RouteDoc:
    summary: str
    tag: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[str, ...] = ()
    query: tuple[QueryParam, ...] = ()
    content_type: str = "application/json"
    also_content_types: tuple[str, ...] = ()  # other success bodies the route can send (text), chosen by a parameter
    extra: dict[str, Any] = field(default_factory=dict)
    request_content_type: str = "application/json"
    auth: Access = "admin"
    response_list: bool = False  # the success body is a JSON array of ``response``
    error: type[BaseModel] | None = None  # the 4xx body when it is not our own ``{"error": {code, message}}``


H = TypeVar("H", bound=Handler)


def documented(doc: RouteDoc) -> Callable[[H], H]:
    """Attach OpenAPI metadata to a handler; the OpenAPI builder refuses routes without it."""

    def mark(handler: H) -> H:
        handler.__route_doc__ = doc  # type: ignore[attr-defined]
        return handler

    return mark

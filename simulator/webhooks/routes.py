"""Webhook endpoints at run time (admin API): list them with their delivery counts, register or replace one, remove
one, and send one a ``webhook.test`` event. Secrets are accepted, never shown."""

from __future__ import annotations

import re

from aiohttp import web
from pydantic import BaseModel, Field

from simulator.errors import NotFound, RequestError
from simulator.http import RouteDoc, documented, json_response, read_model
from simulator.settings import OperatorKeySettings, WebhookEndpointSettings
from simulator.state import CLOCK, STORE, WEBHOOKS
from simulator.webhooks.registry import WebhookRegistry

_ID = r"^[A-Za-z0-9._-]{1,64}$"


class EndpointIn(BaseModel):
    url: str = Field(pattern=r"^https?://")
    events: list[str] = Field(["*"], min_length=1, max_length=100)
    keys: list[OperatorKeySettings] = Field(min_length=1, max_length=2)


def _registry(request: web.Request) -> WebhookRegistry:
    endpoints = request.app[WEBHOOKS].endpoints
    assert isinstance(endpoints, WebhookRegistry)
    return endpoints


def _endpoint_id(request: web.Request) -> str:
    endpoint_id = request.match_info["endpoint_id"]
    if not re.match(_ID, endpoint_id):
        raise RequestError("a webhook endpoint id is 1 to 64 of A-Z a-z 0-9 . _ -")
    return endpoint_id


@documented(
    RouteDoc("Webhook endpoints (settings and registered; key ids, never secrets) and delivery counts", "admin")
)
async def list_endpoints(request: web.Request) -> web.Response:
    registry = _registry(request)
    await registry.refresh(request.app[CLOCK].now())
    endpoints = [
        {
            "id": name,
            "url": e.url,
            "events": list(e.events),
            "key_ids": [k.key_id for k in e.keys],
            "source": "settings" if registry.configured(name) else "admin",
        }
        for name, e in registry.items()
    ]
    return json_response({"endpoints": endpoints, "deliveries": await request.app[STORE].events.counts()})


@documented(
    RouteDoc(
        "Register or replace a webhook endpoint (one or two signing keys)",
        "admin",
        request=EndpointIn,
        errors=("INVALID_REQUEST", "CONFLICT"),
    )
)
async def put_endpoint(request: web.Request) -> web.Response:
    endpoint_id = _endpoint_id(request)
    body = await read_model(request, EndpointIn)
    endpoint = WebhookEndpointSettings(url=body.url, events=tuple(body.events), keys=body.keys)
    created = await _registry(request).register(endpoint_id, endpoint, request.app[CLOCK].now())
    return json_response({"id": endpoint_id, "created": created}, status=201 if created else 200)


@documented(RouteDoc("Remove a registered webhook endpoint", "admin", errors=("UNKNOWN_WEBHOOK", "CONFLICT")))
async def delete_endpoint(request: web.Request) -> web.Response:
    await _registry(request).remove(_endpoint_id(request))
    return json_response({"id": request.match_info["endpoint_id"], "removed": True})


@documented(RouteDoc("Send a webhook.test event to one endpoint", "admin", status=202, errors=("UNKNOWN_WEBHOOK",)))
async def test_endpoint(request: web.Request) -> web.Response:
    endpoint_id = _endpoint_id(request)
    if endpoint_id not in _registry(request):
        raise NotFound(f"no webhook endpoint {endpoint_id!r}", code="UNKNOWN_WEBHOOK")
    now = request.app[CLOCK].now()
    event_id = await request.app[WEBHOOKS].publish("webhook.test", {"endpoint": endpoint_id}, now, only=endpoint_id)
    return json_response({"event_id": event_id}, status=202)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/webhooks", list_endpoints)
    app.router.add_put("/admin/webhooks/{endpoint_id}", put_endpoint)
    app.router.add_delete("/admin/webhooks/{endpoint_id}", delete_endpoint)
    app.router.add_post("/admin/webhooks/{endpoint_id}/test", test_endpoint)

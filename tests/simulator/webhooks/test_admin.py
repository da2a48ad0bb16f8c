"""Webhook endpoints registered through /admin/webhooks receive events like configured ones, survive a restart, and
never show their secrets."""

from __future__ import annotations

from simulator.state import STORE, WORKER
from simulator.webhooks.registry import WebhookRegistry
from tests.simulator.settlement.conftest import World
from tests.simulator.webhooks.conftest import HOOK_SECRETS, Receiver


async def test_register_test_list_and_remove(hooked: tuple[World, Receiver, int]) -> None:
    world, receiver, port = hooked
    url = f"http://127.0.0.1:{port}/hooks"
    key = {"key_id": "hook-new", "secret": HOOK_SECRETS["hook-new"]}
    body = {"url": url, "events": ["webhook.test"], "keys": [key]}
    reply = await world.sim.request("PUT", "/admin/webhooks/late", body)
    assert reply.status == 201, reply.body
    assert (await world.sim.request("PUT", "/admin/webhooks/late", body)).status == 200
    conflict = await world.sim.request("PUT", "/admin/webhooks/ops", body)
    assert conflict.status == 409 and conflict.body["error"]["code"] == "CONFLICT"
    bad = await world.sim.request("PUT", "/admin/webhooks/late", {"url": "ftp://x", "keys": [key]})
    assert bad.status == 400

    listed = await world.sim.request("GET", "/admin/webhooks")
    assert listed.status == 200
    assert {(e["id"], e["source"]) for e in listed.body["endpoints"]} == {("ops", "settings"), ("late", "admin")}
    assert HOOK_SECRETS["hook-new"] not in str(listed.body) and HOOK_SECRETS["hook-old"] not in str(listed.body)

    sent = await world.sim.request("POST", "/admin/webhooks/late/test")
    assert sent.status == 202
    await world.sim.app[WORKER].run_once()
    assert receiver.processed[sent.body["event_id"]]["type"] == "webhook.test"

    # another process on the same database (or this one after a restart) knows the endpoint
    other = WebhookRegistry(world.sim.app[STORE].db, {})
    await other.load(world.clock.now())
    assert other["late"].url == url

    assert (await world.sim.request("DELETE", "/admin/webhooks/late")).status == 200
    missing = await world.sim.request("DELETE", "/admin/webhooks/late")
    assert missing.status == 404 and missing.body["error"]["code"] == "UNKNOWN_WEBHOOK"
    assert (await world.sim.request("POST", "/admin/webhooks/late/test")).status == 404
    assert (await world.sim.request("DELETE", "/admin/webhooks/ops")).status == 409

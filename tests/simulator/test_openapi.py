"""The OpenAPI document and the router must describe the same routes."""

from __future__ import annotations

from simulator.openapi import build_openapi, iter_routes
from tests.harness import Sim


async def test_every_route_is_documented_and_every_documented_route_exists(sim: Sim) -> None:
    reply = await sim.request("GET", "/openapi.json")
    assert reply.status == 200
    document = reply.body
    served = {(method.lower(), path) for method, path, _ in iter_routes(sim.app)}
    documented = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert served == documented
    _, undocumented = build_openapi(sim.app, title="t", version="0")
    assert undocumented == []


async def test_both_apps_and_schemas_are_described(sim: Sim) -> None:
    document = (await sim.request("GET", "/openapi.json")).body
    paths = document["paths"]
    for path in ("/v1/sessions", "/play/{token}/rounds", "/wallet/bet", "/wallet/rollback", "/wallet/sandbox/players"):
        assert path in paths
    schemas = document["components"]["schemas"]
    assert schemas["PlayRequest"]["properties"]["amount"]["type"] == "integer"
    assert {"game_id", "currency"} <= set(schemas["LaunchRequest"]["required"])
    refs = {
        body["schema"]["$ref"].rsplit("/", 1)[-1]
        for ops in paths.values()
        for op in ops.values()
        for body in op.get("requestBody", {}).get("content", {}).values()
    }
    assert refs <= set(schemas)

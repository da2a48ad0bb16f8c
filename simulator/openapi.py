"""The OpenAPI 3.1 document, built from the router itself: every route's handler carries a ``RouteDoc``, so the
document cannot drift from what is served (a test also compares both)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulator.http import QueryParam, RouteDoc

_REF = "#/components/schemas/{model}"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


SECURITY_SCHEMES = {
    "operatorSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Operator-Signature",
        "description": "sha256=<hex HMAC-SHA256(secret, METHOD \\n target \\n timestamp \\n nonce \\n"
        " hex(sha256(body)))> with X-Operator-Key, X-Operator-Timestamp and X-Operator-Nonce; see docs/security.md",
    },
    "adminToken": {"type": "http", "scheme": "bearer", "description": "admin_token from credentials.json"},
}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "operator": [{"operatorSignature": []}],
    "admin": [{"adminToken": []}],
}


def iter_routes(app: web.Application) -> list[tuple[str, str, Any]]:
    """(method, path, handler) for every route of ``app`` and its sub-applications, HEAD excluded."""
    out: list[tuple[str, str, Any]] = []
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:
            out += iter_routes(info["app"])  # sub-application routes already carry the prefix
            continue
        path = info.get("formatter") or info.get("path") or ""
        for route in resource:
            if route.method != "HEAD":
                out.append((route.method, path, route.handler))
    return out


@cache
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template=_REF)


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = dict(_model_schema(model))  # the cached schema stays intact: only this copy loses "$defs"
    for name, sub in schema.pop("$defs", {}).items():
        _register(components, name, sub)
    _register(components, model.__name__, schema)
    return {"$ref": _REF.format(model=model.__name__)}


def _register(components: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    """Components are keyed by class name: two different models with one name would silently describe one
    route with the other's schema, so that is refused."""
    if components.setdefault(name, schema) != schema:
        raise ValueError(f"two different models are both named {name!r}; give one a distinct name")


def _query_schema(param: QueryParam) -> dict[str, Any]:
    return param[2] if len(param) == 3 else {"type": "string"}


def build_openapi(app: web.Application, *, title: str, version: str) -> tuple[dict[str, Any], list[str]]:
    """The document, and the routes that have no ``RouteDoc`` (which a test requires to be empty)."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    undocumented = []
    for method, path, handler in iter_routes(app):
        doc: RouteDoc | None = getattr(handler, "__route_doc__", None)
        if doc is None:
            undocumented.append(f"{method} {path}")
            continue
        op: dict[str, Any] = {
            "summary": doc.summary,
            "tags": [doc.tag],
            "security": _SECURITY.get(doc.auth, []),
            "responses": {},
        }
        params = [
            {"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
            for p in path.split("/")
            if p.startswith("{")
        ]
        params += [
            {"name": q[0], "in": "query", "required": False, "schema": _query_schema(q), "description": q[1]}
            for q in doc.query
        ]
        if params:
            op["parameters"] = params
        if doc.request is not None:
            content = {doc.request_content_type: {"schema": _schema(doc.request, components)}}
            op["requestBody"] = {"required": True, "content": content}
        ok: dict[str, Any] = {"description": "success"}
        if doc.response is not None:
            schema = _schema(doc.response, components)
            ok["content"] = {
                doc.content_type: {"schema": {"type": "array", "items": schema} if doc.response_list else schema}
            }
        elif doc.content_type != "application/json":
            ok["content"] = {doc.content_type: {"schema": {"type": "string"}}}
        else:
            ok["content"] = {"application/json": {"schema": {"type": "object"}}}
        for other in doc.also_content_types:
            ok["content"][other] = {"schema": {"type": "string"}}
        op["responses"][str(doc.status)] = ok
        error = {
            "description": "error: " + (", ".join(doc.errors) or "see code"),
            "content": {
                "application/json": {
                    # a route with errors of its own still gets ours from the middlewares before it (a body too
                    # large or too slow, a fault), so both shapes are documented
                    "schema": {"anyOf": [_schema(doc.error, components), {"$ref": _REF.format(model="Error")}]}
                    if doc.error
                    else {"$ref": _REF.format(model="Error")}
                }
            },
        }
        op["responses"]["4XX"] = error
        paths.setdefault(path, {})[method.lower()] = op
    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(components.items())), "securitySchemes": SECURITY_SCHEMES},
    }
    return document, undocumented

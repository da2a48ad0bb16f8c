"""The browser pages' files (``simulator/play/static``): the game clients, the round-details page and the dashboard,
plain HTML, CSS and ES modules with no build step, read once at import and served with a content security policy
that lets a page load nothing from outside the simulator."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from simulator.errors import NotFound
from simulator.http import RouteDoc, documented

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    )
)
"""Everything from the simulator's own origin, nothing inline, nothing from the network; framing stays allowed,
because operators embed the game client in their lobby's iframe."""


def _load() -> dict[str, tuple[bytes, str]]:
    files: dict[str, tuple[bytes, str]] = {}
    for entry in resources.files("simulator.play").joinpath("static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if suffix in _TYPES:
            files[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    return files


ASSETS = _load()


def page(name: str) -> web.Response:
    """One of the HTML pages, with the headers every page carries."""
    body, content_type = ASSETS[name]
    return web.Response(
        body=body,
        headers={
            "Content-Type": content_type,
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


@documented(
    RouteDoc(
        "A static file of the browser pages (script or style)", "game client", content_type="text/plain", auth="none"
    )
)
async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ASSETS or name.endswith(".html"):
        raise NotFound(f"no static file {name!r}")
    body, content_type = ASSETS[name]
    return web.Response(body=body, headers={"Content-Type": content_type, "X-Content-Type-Options": "nosniff"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/static/{name}", asset)

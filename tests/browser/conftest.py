"""Browser tests: a real headless Chromium (Debian's ``chromium``, driven by Playwright) against a live simulator.

One browser for the browser tests, one live simulator per module, a fresh page per test. Every request a page
makes is checked to stay on the simulator's origin, and each test leaves a screenshot under
``test-artifacts/screenshots/`` for a person to look at. Without a chromium (or without Playwright) the tests are
skipped, saying why; CI installs chromium (``.ci/run``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import requests

from simulator.auth.client import ClientAuth
from simulator.auth.keys import load_auth_keys
from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.live_server import LiveServer, SignedRequests

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
if not HAVE_PLAYWRIGHT:  # the dev group installs it; without it the test modules cannot even be imported
    collect_ignore_glob = ["test_*.py"]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


# package scope: one browser for every browser test, stopped before the rest of the suite, whose asyncio tests
# cannot run while Playwright's synchronous driver holds the main thread's event loop
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if _chromium() is None:
        pytest.skip("no chromium on this machine: apt-get install chromium (.ci/run does it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = _chromium()
    assert chromium is not None
    launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
    yield launched
    launched.close()


class Live:
    """The simulator on a loopback port, and a ``requests`` session that signs as an operator and an admin."""

    def __init__(self, url: str, http: requests.Session, admin_token: str) -> None:
        self.url, self.http, self.admin_token = url, http, admin_token

    def player(self, balance: int = 100_000, currency: str = "USD") -> dict[str, Any]:
        reply = self.http.post(f"{self.url}/wallet/sandbox/players", json={"currency": currency, "balance": balance})
        assert reply.status_code == 201, reply.text
        player: dict[str, Any] = reply.json()
        return player

    def game(self, engine: str) -> str:
        reply = self.http.get(f"{self.url}/v1/games", params={"engine": engine, "reference": "true"})
        assert reply.status_code == 200, reply.text
        game_id: str = reply.json()["games"][0]["game_id"]
        return game_id

    def launch(self, engine: str, player: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        player = player or self.player()
        body = {
            "player_id": player["player_id"],
            "game_id": self.game(engine),
            "currency": player["currency"],
            "token": player["token"],
        }
        reply = self.http.post(f"{self.url}/v1/sessions", json=body | fields)
        assert reply.status_code == 201, reply.text
        launched: dict[str, Any] = reply.json()
        return launched

    def round(self, round_id: str) -> dict[str, Any]:
        reply = self.http.get(f"{self.url}/v1/rounds/{round_id}")
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("browser") / "data"
    settings = Settings(data_dir=data, port=0, catalog_change_interval=0)
    with LiveServer(settings) as server, requests.Session() as http:
        keys = load_auth_keys(settings)
        http.auth = SignedRequests(ClientAuth(keys.first_key(), keys.admin_token))
        yield Live(server.url, http, keys.admin_token)


class ClockedLive(Live):
    """A live simulator whose time moves only when the test says (``clock.advance``), never by waiting."""

    def __init__(self, url: str, http: requests.Session, admin_token: str, clock: ManualClock) -> None:
        super().__init__(url, http, admin_token)
        self.clock = clock


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedLive]:
    clock = ManualClock()
    data = tmp_path_factory.mktemp("browser-clocked") / "data"
    settings = Settings(data_dir=data, port=0, catalog_change_interval=0)
    with LiveServer(settings, clock=clock) as server, requests.Session() as http:
        keys = load_auth_keys(settings)
        http.auth = SignedRequests(ClientAuth(keys.first_key(), keys.admin_token, clock))
        yield ClockedLive(server.url, http, keys.admin_token, clock)


class Offsite:
    """Requests a page tried to make outside the simulator (each one aborted)."""

    def __init__(self) -> None:
        self.urls: list[str] = []


@contextmanager
def guarded_page(browser: Browser, url: str, name: str) -> Iterator[Page]:
    """A phone-sized page that may talk to the simulator at ``url`` only; anything else is aborted and fails the
    test, as does a script error on the page."""
    context = browser.new_context(viewport=PHONE)
    offsite = Offsite()
    origin = urlsplit(url).netloc

    def guard(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == origin:
            route.continue_()
        else:
            offsite.urls.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
    assert offsite.urls == [], f"the page reached outside the simulator: {offsite.urls}"
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, live: Live, request: pytest.FixtureRequest) -> Iterator[Page]:
    with guarded_page(browser, live.url, request.node.name) as opened:
        yield opened


@pytest.fixture
def clocked_page(browser: Browser, clocked: ClockedLive, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page on the simulator whose clock the test moves."""
    with guarded_page(browser, clocked.url, request.node.name) as opened:
        yield opened

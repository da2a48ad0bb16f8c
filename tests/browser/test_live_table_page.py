"""The live table's own page (``simulator/live/client.html``) driven as a player would: a bet placed through the page
while the table's round is open, then the result and the balance it shows checked against the API. The table moves
only when the test ticks it on a manual clock; the page is never waited on for a round's real seconds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from simulator.auth.client import ClientAuth
from simulator.auth.keys import load_auth_keys
from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import LIVE
from tests.browser.conftest import ClockedLive, guarded_page
from tests.live_server import LiveServer, SignedRequests

pytestmark = pytest.mark.browser

BETTING, DRAW, PAUSE = 15.0, 3.0, 5.0


class Table(ClockedLive):
    def __init__(self, server: LiveServer, http: requests.Session, admin_token: str, clock: ManualClock) -> None:
        super().__init__(server.url, http, admin_token, clock)
        self.server = server

    def tick(self, game_id: str) -> None:
        """One step of the table's clock, run on the simulator's loop (what its background loop would do)."""
        assert self.server.sim is not None
        self.server.run(self.server.sim.app[LIVE].tick(game_id))


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Table]:
    clock = ManualClock()
    data = tmp_path_factory.mktemp("browser-live") / "data"
    settings = Settings(
        data_dir=data,
        port=0,
        catalog_change_interval=0,
        live_betting_seconds=BETTING,
        live_draw_seconds=DRAW,
        live_pause_seconds=PAUSE,
    )
    server = LiveServer(settings, clock=clock, live_loops=False, settlement_worker=False)
    with server, requests.Session() as http:
        keys = load_auth_keys(settings)
        http.auth = SignedRequests(ClientAuth(keys.first_key(), keys.admin_token, clock))
        yield Table(server, http, keys.admin_token, clock)


@pytest.fixture
def table_page(browser: Browser, table: Table, request: pytest.FixtureRequest) -> Iterator[Page]:
    with guarded_page(browser, table.url, request.node.name) as opened:
        yield opened


def messages(page: Page, kind: str) -> list[dict[str, Any]]:
    """The server's messages of one type, from the page's own message log (newest first there)."""
    lines = page.get_by_label("messages").text_content() or ""
    found = [json.loads(line) for line in lines.splitlines() if line.startswith("{")]
    return [m for m in reversed(found) if m.get("type") == kind]


def wallet_balance(table: Table, player_id: str) -> int:
    reply = table.http.get(f"{table.url}/wallet/sandbox/players/{player_id}")
    assert reply.status_code == 200, reply.text
    return int(reply.json()["balance"])


def test_a_bet_placed_on_the_live_page_is_settled_as_the_api_says(table_page: Page, table: Table) -> None:
    page = table_page
    player = table.player(100_000)
    game_id = table.game("live-baccarat")
    session = table.launch("live-baccarat", player)
    assert session["launch_url"] == f"{table.url}/play/{session['session_token']}"
    page.goto(session["launch_url"])
    expect(page.get_by_role("status")).to_contain_text("Connected")

    table.tick(game_id)  # the round opens: bets are taken
    expect(page.locator("#round")).to_contain_text("#1 · betting")
    page.get_by_label("Bet").select_option("banker")
    page.get_by_label("Amount (minor units)").fill("500")
    page.get_by_role("button", name="Place bet").click()
    expect(page.locator("#mine")).to_contain_text("500 on banker")
    (accepted,) = messages(page, "bet_accepted")
    bet_id = accepted["bet"]["bet_id"]
    expect(page.locator("#balance")).to_have_text(str(wallet_balance(table, player["player_id"])))
    assert wallet_balance(table, player["player_id"]) == 100_000 - 500

    table.clock.advance(BETTING)
    table.tick(game_id)  # no more bets
    expect(page.locator("#round")).to_contain_text("closed")
    table.clock.advance(DRAW)
    table.tick(game_id)  # the result, and every bet settled against it
    expect(page.locator("#mine")).to_contain_text("won ")
    record = table.round(bet_id)
    assert record["amount"] == 500 and record["status"] == "closed", record
    expect(page.locator("#mine")).to_have_text(f"won {record['win']} on a stake of 500")
    (result,) = messages(page, "result")
    expect(page.locator("#result")).to_have_text(json.dumps(result["result"]["result"]))
    assert record["outcome"]["detail"]["result"] == result["result"]["result"]
    balance = wallet_balance(table, player["player_id"])
    assert balance == 100_000 - 500 + record["win"]
    expect(page.locator("#balance")).to_have_text(str(balance))

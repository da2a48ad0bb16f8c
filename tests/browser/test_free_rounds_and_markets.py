"""Free-round campaigns and regulated markets in the game client: what the page shows (offers, rounds left, RTP,
clock, net position, reality check, a closed session) checked against what the API says. Time moves on the
simulator's manual clock, never by waiting."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ClockedLive, Live
from tests.browser.test_lobby_and_details import lobby_PAGE, lobby_server, seen

pytestmark = pytest.mark.browser

SLOT = "slot-classic20-965"


def usd(minor: int) -> str:
    return f"${Decimal(minor).scaleb(-2):,.2f}"


def gbp(minor: int) -> str:
    """A GBP amount as en-US Intl shows it: £1.00, -£0.20."""
    text = f"£{Decimal(abs(minor)).scaleb(-2):,.2f}"
    return "-" + text if minor < 0 else text


def played(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def info(live: Live, token: str) -> dict[str, Any]:
    reply = live.http.get(f"{live.url}/play/{token}/session")
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def last_round_id(page: Page) -> str:
    href = page.locator("#details-link").get_attribute("href")
    assert href is not None
    match = re.search(r"/rounds/([^/]+)/", href)
    assert match is not None
    return match.group(1)


def test_free_rounds_offered_played_and_counted_down(page: Page, live: Live) -> None:
    player = live.player(100_000)
    game_id = live.game(SLOT)
    session = live.launch(SLOT, player)
    token = session["session_token"]
    steps = info(live, token)["bet_steps"]
    stake = steps[len(steps) // 2]
    campaign: dict[str, Any] = {
        "campaign_id": f"spring-{player['player_id']}",
        "games": [game_id],
        "rounds": 2,
        "bet_values": {"USD": stake},
        "payout": "per_round",
        "expires_at": time.time() + 86_400,
        "players": [{"player_id": player["player_id"], "currency": "USD"}],
    }
    created = live.http.post(f"{live.url}/v1/campaigns", json=campaign)
    assert created.status_code == 201, created.text
    page.goto(f"{live.url}/play/{token}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    offers = page.get_by_role("region", name="Free rounds")
    expect(offers.get_by_label("Free rounds left")).to_have_text("2")
    expect(offers.get_by_label("Free round stake")).to_have_text(usd(stake))
    for left in (1, 0):
        page.get_by_role("button", name="Play a free round").click()
        if left:
            expect(offers.get_by_label("Free rounds left")).to_have_text(str(left))
        else:
            expect(offers).to_be_hidden()
        record = live.round(last_round_id(page))
        expect(page.locator("#message")).not_to_have_class(re.compile("error"))
        assert record["amount"] == stake and record["status"] != "open"
        expect(page.get_by_label("Win", exact=True)).to_have_text(usd(record["win"]))
        state = live.http.get(f"{live.url}/v1/campaigns/{campaign['campaign_id']}").json()
        assert state["players"][0]["rounds_left"] == left
        # the free bet takes no cash (wins go to the bonus balance): the page's balance is the wallet's
        wallet = live.http.get(f"{live.url}/play/{token}/balance").json()["balance"]
        assert wallet == 100_000
        expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(wallet))
    assert info(live, token)["free_rounds"] == []


def open_regulated(page: Page, clocked: ClockedLive, **responsible_gaming: int) -> tuple[str, dict[str, Any]]:
    player = clocked.player(100_000, "GBP")
    session = clocked.launch(SLOT, player, jurisdiction="GB", responsible_gaming=responsible_gaming)
    token = session["session_token"]
    page.clock.set_fixed_time(clocked.clock.now())  # the page's own clock stands still too
    page.goto(f"{clocked.url}/play/{token}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    found = info(clocked, token)
    page.locator("#stake").select_option(str(found["bet_steps"][0]))
    return token, found


def spin(page: Page, clocked: ClockedLive) -> None:
    clocked.clock.advance(3)  # GB: a slot round at least 2.5 s after the last
    before = page.locator("#details-link").get_attribute("href")
    page.get_by_role("button", name="Spin").click()
    if before is None:
        expect(page.locator("#details-link")).to_have_attribute("href", re.compile("/rounds/"))
    else:
        expect(page.locator("#details-link")).not_to_have_attribute("href", before)


def test_a_gb_session_shows_rtp_clock_net_and_asks_the_reality_check(clocked_page: Page, clocked: ClockedLive) -> None:
    page = clocked_page
    token, found = open_regulated(page, clocked, reality_check_interval=60)
    rules = found["market"]["rules"]
    assert rules["show_rtp"] and rules["show_clock"] and rules["show_net_position"]
    expect(page.get_by_label("RTP", exact=True)).to_have_text(f"{round(Decimal(str(found['rtp'])), 4).normalize()} %")
    expect(page.get_by_label("Clock", exact=True)).not_to_be_empty()
    expect(page.get_by_label("Net position", exact=True)).to_have_text(gbp(0))
    spin(page, clocked)
    market = info(clocked, token)["market"]
    assert market["rounds"] == 1
    expect(page.get_by_label("Net position", exact=True)).to_have_text(gbp(market["net"]))
    expect(page.get_by_label("Time played", exact=True)).to_have_text(played(market["elapsed"]))

    clocked.clock.advance(60)  # the check falls due; the next round is refused with it
    page.get_by_role("button", name="Spin").click()
    dialog = page.get_by_role("dialog", name="Reality check")
    expect(dialog).to_be_visible()
    market = info(clocked, token)["market"]
    assert market["reality_check_due"] is True
    expect(dialog.get_by_label("Reality check time played")).to_have_text(played(market["elapsed"]))
    expect(dialog.get_by_label("Reality check rounds")).to_have_text(str(market["rounds"]))
    expect(dialog.get_by_label("Reality check staked")).to_have_text(gbp(market["staked"]))
    expect(dialog.get_by_label("Reality check won")).to_have_text(gbp(market["won"]))
    expect(dialog.get_by_label("Reality check net result")).to_have_text(gbp(market["net"]))
    expect(page.get_by_role("button", name="Spin")).to_be_disabled()

    dialog.get_by_role("button", name="Continue playing").click()
    expect(dialog).to_be_hidden()
    market = info(clocked, token)["market"]
    assert market["reality_check_due"] is False and market["status"] == "active"
    spin(page, clocked)
    assert info(clocked, token)["market"]["rounds"] == 2

    clocked.clock.advance(60)
    page.get_by_role("button", name="Spin").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Quit").click()
    expect(page.get_by_role("alert")).to_have_text("This game session is closed: you chose to stop playing.")
    expect(page.locator("#message")).to_be_empty()
    market = info(clocked, token)["market"]
    assert market["status"] == "closed" and market["closed_reason"] == "player_quit"
    expect(page.get_by_role("button", name="Spin")).to_be_disabled()


def test_a_session_past_its_time_limit_says_it_is_closed(clocked_page: Page, clocked: ClockedLive) -> None:
    page = clocked_page
    token, _ = open_regulated(page, clocked, session_time_limit=120)
    spin(page, clocked)
    clocked.clock.advance(120)
    page.get_by_role("button", name="Spin").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This game session is closed: the session's time limit has been reached."
    )
    expect(page.locator("#dev-response")).to_contain_text("HTTP 410")
    expect(page.locator("#message")).to_be_empty()
    market = info(clocked, token)["market"]
    assert market["status"] == "closed" and market["closed_reason"] == "time_limit"
    expect(page.get_by_role("button", name="Spin")).to_be_disabled()


def test_the_lobby_hears_the_servers_reality_check_and_the_close(clocked_page: Page, clocked: ClockedLive) -> None:
    page = clocked_page
    html: list[str] = []
    with lobby_server(html) as lobby:
        player = clocked.player(100_000, "GBP")
        session = clocked.launch(
            SLOT, player, jurisdiction="GB", responsible_gaming={"reality_check_interval": 60}, lobby_url=f"{lobby}/"
        )
        token = session["session_token"]
        # the launch URL also asks for the lobby's own timer: the server's check replaces it
        html.append(lobby_PAGE.format(src=f"{clocked.url}/play/{token}?reality_check=10"))
        page.route(f"{lobby}/**", lambda route: route.continue_())
        page.clock.install()
        page.goto(f"{lobby}/")
        game = page.frame_locator("#game")
        expect(game.locator("body")).to_have_attribute("data-ready", "true")
        game.locator("#stake").select_option(str(info(clocked, token)["bet_steps"][0]))

        def events(kind: str) -> list[dict[str, Any]]:
            return [e["data"] for e in page.evaluate("window.events") if e["data"]["type"] == kind]

        clocked.clock.advance(3)
        game.get_by_role("button", name="Spin").click()
        seen(page, "roundEnded")
        page.clock.run_for(31_000)  # three of the lobby timer's periods: no check, the server has not called one
        assert events("realityCheck") == []

        clocked.clock.advance(60)
        game.get_by_role("button", name="Spin").click()
        seen(page, "realityCheck")
        market = info(clocked, token)["market"]
        (check,) = events("realityCheck")
        assert check["elapsedSeconds"] == round(market["elapsed"])
        expected = {k: market[k] for k in ("rounds", "staked", "won", "net")} | {"currency": "GBP"}
        assert {k: check[k] for k in expected} == expected
        assert [e["code"] for e in events("error")] == ["REALITY_CHECK_DUE"]

        game.get_by_role("button", name="Quit").click()
        seen(page, "sessionClosed")
        assert events("sessionClosed")[0]["reason"] == "player_quit"
        assert info(clocked, token)["market"]["closed_reason"] == "player_quit"

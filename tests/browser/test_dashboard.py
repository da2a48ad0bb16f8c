"""The admin dashboard: behind the admin token, it shows a round played a moment before, the store's counts and the
fault rules, and its buttons switch a rule off and on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Live

pytestmark = pytest.mark.browser


def test_the_dashboard_shows_a_round_just_played_and_switches_faults(page: Page, live: Live) -> None:
    rule: dict[str, Any] = {
        "id": "games-503",
        "match": {"side": "inbound", "operation": "studios"},
        "action": {"type": "status", "status": 503},
    }
    added = live.http.post(f"{live.url}/admin/faults", json=rule)
    assert added.status_code == 201, added.text
    session = live.launch("dice")
    played = live.http.post(f"{live.url}/play/{session['session_token']}/rounds", json={"amount": 100})
    assert played.status_code == 200, played.text
    round_id = played.json()["round_id"]

    page.goto(f"{live.url}/admin/")
    expect(page.get_by_label("Admin token")).to_be_visible()  # no data without the token
    page.get_by_label("Admin token").fill("wrong")
    page.get_by_role("button", name="Connect").click()
    expect(page.locator("#login-error")).to_have_text("the admin token is not valid")
    page.get_by_label("Admin token").fill(live.admin_token)
    page.get_by_role("button", name="Connect").click()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("Admin token")).to_be_hidden()

    row = page.locator(f'#rounds tr[data-round="{round_id}"]')
    expect(row).to_contain_text("dice")
    expect(row).to_contain_text(played.json()["status"])
    link = row.get_by_role("link").get_attribute("href")
    assert link is not None and played.json()["details_url"].endswith(link)
    overview = live.http.get(f"{live.url}/admin/api/overview").json()
    expect(page.get_by_label("Open rounds")).to_have_text(str(overview["open_rounds"]))
    studio = overview["recent_rounds"][0]["studio_id"]
    wallet = page.locator(f'#wallet tr[data-studio="{studio}"]')  # bet and win of the round, with latencies
    expect(wallet.locator("td").nth(1)).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(wallet.locator("td").nth(3)).to_have_text(re.compile(r"^\d+\.\d ms$"))
    expect(page.locator('#wallet tr[data-studio="all"] td').nth(2)).to_have_text("0.00 %")
    monitor = page.locator("#rtp tr").filter(has_text=played.json()["game_id"])  # the RTP monitor counts the round
    expect(monitor.locator("td").nth(3)).to_have_text("1")
    expect(monitor).to_contain_text("too few rounds")
    play = page.locator("#journal tr").filter(has_text=f"/play/{session['session_token']}/rounds")
    expect(play.first).to_contain_text("200")

    fault = page.locator('#faults tr[data-rule="games-503"]')
    expect(fault).to_contain_text("yes")
    page.get_by_role("button", name="Disable games-503").click()
    expect(fault).to_contain_text("no")
    assert live.http.get(f"{live.url}/admin/faults/games-503").json()["enabled"] is False
    page.get_by_role("button", name="Enable games-503").click()
    expect(fault).to_contain_text("yes")
    assert live.http.get(f"{live.url}/admin/faults/games-503").json()["enabled"] is True

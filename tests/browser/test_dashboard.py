"""The admin dashboard: behind the admin token, it shows a round played a moment before, the store's counts and the
fault rules, and its buttons switch a rule off and on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from prometheus_client.parser import text_string_to_metric_families

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
    expect(page.locator('#wallet tr[data-total="true"] td').nth(2)).to_have_text("0.00 %")
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


def open_dashboard(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/admin/#token={live.admin_token}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_the_dashboard_shows_wallet_errors_and_latency_per_studio(page: Page, live: Live) -> None:
    games = live.http.get(f"{live.url}/v1/games", params={"engine": "dice", "limit": "500"}).json()["games"]
    open_to_all = [g for g in games if g["allowed_countries"] is None and not g["blocked_countries"]]
    by_studio = {g["studio_id"]: g["game_id"] for g in open_to_all if "USD" in g["currencies"]}
    failing, healthy = sorted(by_studio)[:2]
    rule: dict[str, Any] = {
        "id": "bets-fail-on-one-studio",
        "match": {"side": "outbound", "operation": "bet", "studio": failing},
        "action": {"type": "status", "status": 500},
    }
    assert live.http.post(f"{live.url}/admin/faults", json=rule).status_code == 201
    try:
        for studio in (failing, healthy):
            token = live.launch("dice", game_id=by_studio[studio])["session_token"]
            for _ in range(3):
                live.http.post(f"{live.url}/play/{token}/rounds", json={"amount": 100})
    finally:
        assert live.http.delete(f"{live.url}/admin/faults/{rule['id']}").status_code == 200

    metrics = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(live.http.get(f"{live.url}/metrics").text)
        for s in family.samples
        if s.name == "casino_sim_wallet_calls_total"
    }

    def rate(studio: str) -> str:
        mine = {labels: v for (_, labels), v in metrics.items() if ("studio", studio) in labels}
        failed = sum(v for labels, v in mine.items() if ("outcome", "ok") not in labels)
        return f"{100 * failed / sum(mine.values()):.2f} %"

    assert rate(failing) != "0.00 %" and rate(healthy) == "0.00 %"
    open_dashboard(page, live)
    for studio in (failing, healthy):
        cells = page.locator(f'#wallet tr[data-studio="{studio}"] td')
        expect(cells.nth(2)).to_have_text(rate(studio))
        for percentile in (3, 4, 5):  # p50, p95, p99 from the studio's latency histogram
            expect(cells.nth(percentile)).to_have_text(re.compile(r"^\d+\.\d ms$"))
    total = page.locator('#wallet tr[data-total="true"] td')
    expect(total.nth(0)).to_have_text("all studios")
    expect(total.nth(2)).not_to_have_text("0.00 %")

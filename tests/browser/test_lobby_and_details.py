"""The client inside an operator's lobby (an iframe, postMessage both ways, exit and deposit links) and the signed
round-details page a disputed round is explained with."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Live
from tests.browser.test_game_clients import usd

pytestmark = pytest.mark.browser

lobby_PAGE = """<!doctype html><html><body><h1>Test lobby</h1>
<iframe id="game" src="{src}" width="390" height="760"></iframe>
<ol id="log"></ol>
<script>
// kept in sessionStorage, so the log survives the exit button taking this page back to the lobby
window.events = JSON.parse(sessionStorage.getItem("events") || "[]");
function show(data) {{
  const item = document.createElement("li");
  item.textContent = data.type + (data.balance === undefined ? "" : " " + data.balance);
  document.getElementById("log").append(item);
}}
window.events.forEach((e) => show(e.data));
window.addEventListener("message", (e) => {{
  window.events.push({{origin: e.origin, data: e.data}});
  sessionStorage.setItem("events", JSON.stringify(window.events));
  show(e.data);
}});
</script></body></html>"""


@contextmanager
def lobby_server(page_html: list[str]) -> Iterator[str]:
    """An operator's lobby on its own loopback port (another origin): it serves one page that frames the game."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page_html[0].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_client_in_a_lobby_iframe_talks_to_its_parent(page: Page, live: Live) -> None:
    html: list[str] = []
    with lobby_server(html) as lobby:
        in_a_lobby(page, live, lobby, html)


def in_a_lobby(page: Page, live: Live, lobby: str, html: list[str]) -> None:
    player = live.player(50_000)
    session = live.launch(
        "slot-classic20-965",
        player,
        lobby_url=f"{lobby}/lobby?from=game",
        cashier_url=f"{lobby}/cashier",
        platform="mobile",
    )
    src = f"{live.url}/play/{session['session_token']}?reality_check=10"

    html.append(lobby_PAGE.format(src=src))
    page.route(f"{lobby}/**", lambda route: route.continue_())  # the lobby's origin is allowed, and only it
    page.clock.install()
    page.goto(f"{lobby}/lobby?from=game")
    game = page.frame_locator("#game")
    expect(game.locator("body")).to_have_attribute("data-ready", "true")

    def events() -> list[dict[str, Any]]:
        return list(page.evaluate("window.events"))

    def types() -> list[str]:
        return [e["data"]["type"] for e in events()]

    expect(game.get_by_role("link", name="Exit")).to_have_attribute("href", f"{lobby}/lobby?from=game")
    expect(game.get_by_role("link", name="Deposit")).to_have_attribute("href", f"{lobby}/cashier")
    seen(page, "loaded")
    loaded = next(e for e in events() if e["data"]["type"] == "loaded")
    assert loaded["origin"] == live.url and loaded["data"]["source"] == "casino-sim"
    assert loaded["data"]["balance"] == 50_000 and loaded["data"]["currency"] == "USD"

    game.get_by_role("button", name="Spin").click()
    seen(page, "roundEnded")
    ended = next(e["data"] for e in events() if e["data"]["type"] == "roundEnded")
    record = live.round(ended["roundId"])
    assert (ended["stake"], ended["win"]) == (record["amount"], record["win"])
    assert ended["balance"] == 50_000 - record["amount"] + record["win"]
    assert ended["detailsUrl"] == record["details_url"]
    assert types().index("roundStarted") < types().index("roundEnded")
    assert any(e["data"]["type"] == "balanceChanged" and e["data"]["balance"] == ended["balance"] for e in events())

    # the lobby pauses the game: nothing can be played until it resumes
    page.evaluate("document.getElementById('game').contentWindow.postMessage({type: 'pause'}, '*')")
    expect(game.get_by_role("button", name="Spin")).to_be_disabled()
    expect(game.locator("#message")).to_have_text("Paused by the lobby")
    page.evaluate("document.getElementById('game').contentWindow.postMessage({type: 'resume'}, '*')")
    expect(game.get_by_role("button", name="Spin")).to_be_enabled()

    # money moved elsewhere (another game of the same player): refreshBalance asks the wallet again
    other = live.launch("dice", player)
    reply = live.http.post(f"{live.url}/play/{other['session_token']}/rounds", json={"amount": 1000})
    assert reply.status_code == 200, reply.text
    now = reply.json()["balance"]
    page.evaluate("document.getElementById('game').contentWindow.postMessage({type: 'refreshBalance'}, '*')")
    expect(game.get_by_label("Balance", exact=True)).to_have_text(usd(now))
    seen(page, f"balanceChanged {now}")

    page.clock.run_for(11_000)  # the reality check the launch URL asked for, every 10 seconds
    seen(page, "realityCheck")
    check = next(e["data"] for e in events() if e["data"]["type"] == "realityCheck")
    assert check["rounds"] == 1 and check["staked"] == record["amount"] and check["won"] == record["win"]

    game.get_by_role("link", name="Exit").click()  # the game tells the lobby, then takes the whole page back there
    seen(page, "closed")
    expect(page).to_have_url(f"{lobby}/lobby?from=game")
    assert all(e["origin"] == live.url for e in events())


def seen(page: Page, text: str) -> None:
    """Wait until the lobby has received an event (its log shows each as a line: type, then balance if any)."""
    expect(page.locator("#log li").filter(has_text=re.compile(rf"^{text}"))).not_to_have_count(0)


def test_the_round_details_page_explains_and_verifies_a_round(page: Page, live: Live) -> None:
    session = live.launch("roulette-european")
    token = session["session_token"]
    bets: dict[str, Any] = {
        "bets": [{"type": "straight", "numbers": [7], "amount": 100}, {"type": "black", "amount": 100}]
    }
    played = live.http.post(f"{live.url}/play/{token}/rounds", json={"amount": 200, "params": bets}).json()
    record = live.round(played["round_id"])
    assert played["details_url"] == record["details_url"]
    assert re.fullmatch(rf"{live.url}/rounds/{played['round_id']}/[0-9a-f]{{32}}", record["details_url"])

    page.goto(record["details_url"])
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("Winning pocket")).to_have_text(record["outcome"]["detail"]["label"])
    expect(page.locator('[data-field="Stake"]')).to_have_text("$2.00")
    expect(page.locator('[data-field="Win"]')).to_have_text(usd(record["win"]))
    kinds = page.locator("#transactions tr[data-kind]").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds == [t["kind"] for t in record["transactions"]]
    expect(page.get_by_role("button", name="Verify")).to_be_disabled()  # the seed is not revealed yet

    rotated = live.http.post(f"{live.url}/play/{token}/fairness/rotate", json={})
    assert rotated.status_code == 200
    page.reload()
    expect(page.locator('[data-field="Server seed"]')).to_have_text(rotated.json()["revealed_server_seed"])
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verified", "true")

    # a link for another round, or a tampered tag, shows nothing
    tampered = record["details_url"][:-1] + ("0" if record["details_url"][-1] != "0" else "1")
    for url in (tampered, tampered + "/data"):
        reply = live.http.get(url)
        assert reply.status_code == 404 and reply.json()["error"]["code"] == "UNKNOWN_ROUND"


def test_text_from_the_operator_is_shown_never_run(page: Page, live: Live) -> None:
    hostile = '<img src=x onerror="window.pwned=1">'
    reply = live.http.post(
        f"{live.url}/wallet/sandbox/players", json={"player_id": hostile, "currency": "USD", "balance": 10_000}
    )
    assert reply.status_code == 201, reply.text
    session = live.launch("dice", reply.json())
    played = live.http.post(f"{live.url}/play/{session['session_token']}/rounds", json={"amount": 100}).json()

    page.goto(played["details_url"])
    expect(page.locator('[data-field="Player"]')).to_have_text(hostile)
    page.goto(f"{live.url}/admin/#token={live.admin_token}")
    expect(page.locator(f'#rounds tr[data-round="{played["round_id"]}"]')).to_contain_text(hostile)
    assert page.evaluate("window.pwned") is None
    assert page.locator("img").count() == 0
    assert "token=" not in page.url  # the fragment is dropped once read

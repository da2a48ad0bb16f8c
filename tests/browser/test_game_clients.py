"""Each game family's client played through its own controls, and what it shows compared with the round record the
operator API returns."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Live

pytestmark = pytest.mark.browser


def usd(minor: int) -> str:
    """A USD amount as en-US Intl shows it: $1,234.56."""
    return f"${Decimal(minor).scaleb(-2):,.2f}"


def open_client(page: Page, live: Live, engine: str, balance: int = 100_000, **launch: object) -> dict[str, Any]:
    session = live.launch(engine, live.player(balance), **launch)
    page.goto(f"{live.url}/play/{session['session_token']}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(balance))
    return session


def last_round_id(page: Page) -> str:
    href = page.locator("#details-link").get_attribute("href")
    assert href is not None
    match = re.search(r"/rounds/([^/]+)/", href)
    assert match is not None
    return match.group(1)


def expected_lit(detail: dict[str, Any], lines: list[list[int]], wild: str) -> set[tuple[int, int]]:
    """The cells a payline win covers (its first ``count`` positions; the engine numbers paylines from 1) and, when
    scatters pay, every scatter. Each covered cell holds the win's symbol or a wild, or the numbering is off."""
    window = detail["window"]
    for w in detail["wins"]:
        assert all(window[lines[w["line"] - 1][reel]][reel] in (w["symbol"], wild) for reel in range(w["count"]))
    lit = {(lines[w["line"] - 1][reel], reel) for w in detail["wins"] for reel in range(w["count"])}
    if detail["scatter"]["pay"]:
        lit |= {(r, c) for r, row in enumerate(detail["window"]) for c, s in enumerate(row) if s == "S"}
    return lit


def test_slot_shows_the_recorded_window_its_winning_lines_and_balance(page: Page, live: Live) -> None:
    session = open_client(page, live, "slot-classic20-965")
    info = live.http.get(f"{live.url}/play/{session['session_token']}/session").json()
    lines = info["board"]["lines"]
    spent = 0
    for _ in range(30):  # spin until a line pays (about one spin in three), so the lit cells are checked too
        before = page.locator("#details-link").get_attribute("href")
        page.get_by_role("button", name="Spin").click()
        if before is None:
            expect(page.locator("#details-link")).to_have_attribute("href", re.compile("/rounds/"))
        else:
            expect(page.locator("#details-link")).not_to_have_attribute("href", before)
        record = live.round(last_round_id(page))
        spent += record["amount"] - record["win"]
        detail = record["outcome"]["detail"]
        window = detail["window"]
        shown = page.locator(".reels .cell")
        expect(shown).to_have_count(len(window) * len(window[0]))
        symbols = shown.evaluate_all("cells => cells.map(c => c.dataset.symbol)")
        assert symbols == [s for row in window for s in row]
        lit = page.locator(".reels .cell.hit").evaluate_all(
            "cells => cells.map(c => [Number(c.dataset.row), Number(c.dataset.reel)])"
        )
        assert {(r, c) for r, c in lit} == expected_lit(detail, lines, info["board"]["wild"])
        expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - spent))
        expect(page.get_by_label("Win", exact=True)).to_have_text(usd(record["win"]))
        if detail["wins"]:
            expect(page.locator(".win-line")).to_have_count(len(detail["wins"]))
            first = detail["wins"][0]
            expect(page.locator(".win-line").first).to_have_text(re.compile(rf"^Line {first['line']}: "))
            break
    else:
        pytest.fail("30 spins without a paying line")


def spin_three_dollars(page: Page, live: Live) -> dict[str, Any]:
    """Spin the $3.00 the test placed; the pocket, win and balance shown are the round record's, which is returned."""
    expect(page.get_by_text("Total bet $3.00")).to_be_visible()
    page.get_by_role("button", name="Spin").click()
    expect(page.locator("#details-link")).to_be_visible()
    record = live.round(last_round_id(page))
    detail: dict[str, Any] = record["outcome"]["detail"]
    assert record["amount"] == 300
    expect(page.get_by_label("Winning pocket")).to_have_text(detail["label"])
    expect(page.locator(f'[data-bet="n{detail["label"]}"]')).to_have_class(re.compile("winning"))
    expect(page.get_by_label("Win", exact=True)).to_have_text(usd(record["win"]))
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - 300 + record["win"]))
    return detail


def test_roulette_chips_on_the_table_and_the_winning_pocket(page: Page, live: Live) -> None:
    open_client(page, live, "roulette-european")
    page.locator("#stake").select_option("100")
    page.get_by_role("button", name="bet 17", exact=True).click()
    page.get_by_role("button", name="bet Red", exact=True).click()
    page.get_by_role("button", name="bet Red", exact=True).click()
    detail = spin_three_dollars(page, live)
    assert sorted((b["type"], b["amount"]) for b in detail["bets"]) == [("red", 200), ("straight", 100)]


def click_between(page: Page, *numbers: int) -> None:
    """A click where the boxes of ``numbers`` meet on the felt: the line between two, the crossing of four."""
    boxes = [page.get_by_role("button", name=f"bet {n}", exact=True).bounding_box() for n in numbers]
    assert all(boxes)
    left = max(b["x"] for b in boxes if b)
    right = min(b["x"] + b["width"] for b in boxes if b)
    top = max(b["y"] for b in boxes if b)
    bottom = min(b["y"] + b["height"] for b in boxes if b)
    page.mouse.click((left + right) / 2, (top + bottom) / 2)


def test_roulette_split_and_corner_placed_where_the_numbers_meet(page: Page, live: Live) -> None:
    open_client(page, live, "roulette-european")
    page.locator("#stake").select_option("100")
    click_between(page, 17, 20)
    click_between(page, 1, 2, 4, 5)
    click_between(page, 1, 2, 4, 5)
    expect(page.locator('[data-bet="split:17-20"] .chip')).to_have_text("$1.00")
    expect(page.locator('[data-bet="corner:1-2-4-5"] .chip')).to_have_text("$2.00")
    detail = spin_three_dollars(page, live)
    placed = sorted((b["type"], b["numbers"], b["amount"]) for b in detail["bets"])
    assert placed == [("corner", [1, 2, 4, 5], 200), ("split", [17, 20], 100)]
    for bet in detail["bets"]:  # a bet that won is marked on the felt, one that lost is not
        spot = page.locator(f'[data-bet="{bet["type"]}:{"-".join(map(str, bet["numbers"]))}"]')
        if bet["win"]:
            expect(spot).to_have_class(re.compile(r"\bwon\b"))
        else:
            expect(spot).not_to_have_class(re.compile(r"\bwon\b"))


def test_blackjack_deals_cards_and_offers_the_engines_actions(page: Page, live: Live) -> None:
    open_client(page, live, "blackjack")
    page.get_by_role("button", name="Deal").click()
    expect(page.locator("#details-link")).to_be_visible()
    for _ in range(12):  # stand (or decline insurance) until the round is over
        record = live.round(last_round_id(page))
        if record["status"] != "open":
            break
        actions = record["outcome"]["actions"]
        shown = page.locator("#actions button").all_text_contents()
        assert shown == [a.replace("_", " ").capitalize() for a in actions]
        choice = "No insurance" if "no_insurance" in actions else "Stand"
        page.get_by_role("button", name=choice, exact=True).click()
        expect(page.get_by_role("button", name=choice, exact=True)).to_have_count(0, timeout=5000)
    record = live.round(last_round_id(page))
    view = record["outcome"]["view"]
    dealer = page.locator('[data-hand="Dealer"] .card').evaluate_all("cs => cs.map(c => c.dataset.card)")
    assert dealer == view["dealer"]["cards"]
    player = page.locator('[data-hand="You"] .card').evaluate_all("cs => cs.map(c => c.dataset.card)")
    assert player == view["hands"][0]["cards"]
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - record["amount"] + record["win"]))


def test_mines_tiles_clicked_until_the_round_ends(page: Page, live: Live) -> None:
    open_client(page, live, "mines")
    page.locator("#mines-count").select_option("3")
    page.get_by_role("button", name="Bet").click()
    expect(page.get_by_label("tile 1", exact=True)).to_be_enabled()
    page.get_by_label("tile 1", exact=True).click()
    record = None
    expect(page.get_by_label("tile 1", exact=True)).not_to_have_attribute("data-state", "hidden")
    state = page.get_by_label("tile 1", exact=True).get_attribute("data-state")
    if state == "gem":
        page.get_by_role("button", name="Cashout").click()
        expect(page.get_by_role("button", name="Cashout")).to_have_count(0)
    record = live.round(last_round_id(page))
    view = record["outcome"]["view"]
    assert view["revealed"] == [0]
    assert (state == "mine") == (0 in view["mine_tiles"])
    mines_shown = page.locator('.tile[data-state="mine"]').evaluate_all("ts => ts.map(t => Number(t.dataset.tile))")
    assert sorted(mines_shown) == sorted(view["mine_tiles"])
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - record["amount"] + record["win"]))


@pytest.mark.parametrize(
    ("engine", "play", "shown"),
    [
        pytest.param("baccarat", "Deal", "[data-result]", id="baccarat"),
        pytest.param("dice", "Roll", "[aria-label='Roll result']", id="dice"),
        pytest.param("limbo", "Bet", "[aria-label='Multiplier']", id="limbo"),
        pytest.param("plinko", "Drop", "[aria-label='Multiplier']", id="plinko"),
        pytest.param("keno", "Draw", ".tile.drawn, .tile.hit", id="keno"),
        pytest.param("wheel", "Spin", "[aria-label='Multiplier']", id="wheel"),
    ],
)
def test_every_single_step_family_draws_its_recorded_outcome(
    page: Page, live: Live, engine: str, play: str, shown: str
) -> None:
    open_client(page, live, engine)
    if engine == "baccarat":
        page.get_by_role("button", name="bet Player 1:1").click()
    page.get_by_role("button", name=play, exact=True).click()
    expect(page.locator("#details-link")).to_have_attribute("href", re.compile("/rounds/"))
    record = live.round(last_round_id(page))
    detail = record["outcome"]["detail"]
    drawn = page.locator(shown)
    if engine == "baccarat":
        expect(drawn).to_have_attribute("data-result", detail["result"])
        cards = page.locator('[data-hand="Player"] .card').evaluate_all("cs => cs.map(c => c.dataset.card)")
        assert cards == detail["player"]["cards"]
    elif engine == "dice":
        expect(drawn).to_have_text(detail["roll"])
    elif engine == "limbo":
        expect(drawn).to_have_text(f"×{detail['result']}")
    elif engine == "keno":
        expect(drawn).to_have_count(len(detail["drawn"]))
        hits = page.locator(".tile.hit").evaluate_all("ts => ts.map(t => Number(t.dataset.number))")
        assert sorted(hits) == sorted(detail["hits"])
    else:
        expect(drawn).to_have_text(f"×{Decimal(detail['multiplier']):.2f}")
    if engine == "wheel":
        expect(page.locator(f'path[data-segment="{detail["segment"]}"]')).to_have_attribute("fill", "#f5b83d")
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - record["amount"] + record["win"]))


def test_crash_cashes_out_or_crashes_as_the_server_decides(page: Page, live: Live) -> None:
    open_client(page, live, "crash")
    page.get_by_label("Auto cash-out ×").fill("1.01")
    page.get_by_role("button", name="Bet").click()
    page.get_by_role("button", name="Ride to auto cash-out").click()
    meter = page.get_by_label("Multiplier")
    expect(meter).to_have_attribute("data-bust", re.compile(r"^\d+\.\d\d$"))
    record = live.round(last_round_id(page))
    view = record["outcome"]["view"]
    assert record["status"] != "open" and meter.get_attribute("data-bust") == view["bust"]
    if view["status"] == "cashed_out":
        expect(meter).to_have_text(f"Cashed out ×{view['cashed_out_at']} (bust ×{view['bust']})")
    else:
        expect(meter).to_have_text(f"Crashed at ×{view['bust']}")
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(100_000 - record["amount"] + record["win"]))


def test_money_in_a_currency_without_decimals(page: Page, live: Live) -> None:
    session = live.launch("dice", live.player(5_000_000, "JPY"))
    page.goto(f"{live.url}/play/{session['session_token']}")
    expect(page.get_by_label("Balance", exact=True)).to_have_text("¥5,000,000")
    options = page.locator("#stake option").all_text_contents()
    assert options and all(re.fullmatch(r"¥[\d,]+", text) for text in options)


def test_a_refused_bet_is_explained_and_moves_no_money(page: Page, live: Live) -> None:
    open_client(page, live, "dice", balance=50)
    page.locator("#stake").select_option("100")
    page.get_by_role("button", name="Roll").click()
    expect(page.locator("#message")).to_have_class(re.compile("error"))
    expect(page.locator("#message")).not_to_be_empty()
    expect(page.locator("#dev-response")).to_contain_text("INSUFFICIENT_FUNDS")
    expect(page.get_by_label("Balance", exact=True)).to_have_text(usd(50))
    expect(page.locator("#details-link")).to_be_hidden()

"""Every figure of the money report equals a sum computed independently: from the provider's transaction feed and from
the wallet's own ledger, after rounds in two currencies over two days with rollbacks and retried wins, free rounds of a
campaign, a promotional win and a jackpot win."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from simulator.state import CATALOG
from tests.simulator.bonus.helpers import campaign_for, jackpot_game, promo_payout, slot_of
from tests.simulator.settlement.conftest import World


async def _feed(world: World) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        reply = await world.sim.request("GET", f"/v1/transactions?after={after}&limit=1000")
        assert reply.status == 200, reply.body
        rows += reply.body["transactions"]
        if not reply.body["transactions"]:
            return rows
        after = reply.body["next_after"]


async def _ledger(world: World) -> list[dict[str, Any]]:
    reply = await world.wallet_request("GET", "/ledger?limit=10000")
    assert reply.status == 200, reply.body
    entries: list[dict[str, Any]] = reply.body["entries"]
    return entries


async def _report(world: World, query: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    cursor = ""
    while True:
        reply = await world.sim.request("GET", f"/v1/reports/money?{query}&limit=3{cursor}")
        assert reply.status == 200, reply.body
        rows += reply.body["rows"]
        if reply.body["next_cursor"] is None:
            return {"rows": rows, "totals": reply.body["totals"]}
        cursor = f"&cursor={reply.body['next_cursor']}"


async def _play(world: World, players: list[dict[str, Any]], rounds: int) -> None:
    sessions = [await world.session(p) for p in players]
    for i in range(rounds):
        reply = await world.sim.play(sessions[i % len(sessions)], 100 + (i % 7) * 10)
        assert reply.status in (200, 502, 504), reply.body
        world.clock.advance(600)
    await world.settle()


async def _bonuses(world: World, player: dict[str, Any]) -> dict[str, int]:
    """Three free rounds of a campaign, a promotional win and a jackpot win for ``player`` (USD); returns the bonus
    wins' amounts by type, as the simulator answered them."""
    sim = world.sim
    game, country = await slot_of(sim, "native")
    campaign = await campaign_for(sim, game, player, rounds=3, payout="per_round")
    token = str((await sim.launch(player, game["game_id"], country=country))["session_token"])
    free = 0
    for _ in range(3):
        reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": campaign["campaign_id"]})
        assert reply.status == 200, reply.body
        free += reply.body["win"]
        world.clock.advance(600)
    reply = await sim.request("POST", "/v1/promotions/payouts", promo_payout(game["studio_id"], player, 2_500, "prize"))
    assert reply.status == 201, reply.body
    game_id, _ = await jackpot_game(sim, trigger_odds=1)  # its next round triggers
    reply = await sim.play(str((await sim.launch(player, game_id))["session_token"]), 100)
    assert reply.status == 200 and reply.body["jackpot"]["triggered"], reply.body
    terms = sim.app[CATALOG].game(game_id).jackpot
    assert terms is not None
    catalog_game = sim.app[CATALOG].game(game_id)
    sim.app[CATALOG].games[game_id] = catalog_game.model_copy(
        update={"jackpot": terms.model_copy(update={"trigger_odds": 10**9})}
    )
    world.clock.advance(600)
    await world.settle()
    return {"free_round": free, "promo": 2_500, "jackpot": reply.body["jackpot"]["win"]}


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


async def test_report_totals_equal_the_feed_and_the_wallet_ledger(world_on: World) -> None:
    world = world_on
    usd = [await world.player(1_000_000), await world.player(1_000_000)]
    eur = [await world.player(1_000_000, currency="EUR")]
    # rollbacks two ways: bets the wallet took but whose answer was lost, and bets it never saw; wins retried
    world.plan.on("bet", "fail_after", times=2).on("bet", "fail_before", times=2).on("win", "fail_before", times=3)
    await _play(world, usd + eur, 12)
    first = await _report(world, "group_by=day,game")  # folds what is final so far
    world.plan.on("bet", "fail_after", times=1)
    await _play(world, usd + eur, 12)
    bonus_wins = await _bonuses(world, usd[0])

    feed = [t for t in await _feed(world) if t["status"] == "acked"]
    by_type: Counter[str] = Counter()
    for t in feed:
        if t["bonus"] is not None and t["kind"] == "win":
            by_type[t["bonus"]["type"]] += t["amount"]
    assert dict(by_type) == bonus_wins and by_type["jackpot"] > 0  # each bonus win in the log, acknowledged
    kinds: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for t in feed:  # a bonus transaction's report kind names its bonus type
        kind = t["kind"] if t["bonus"] is None else f"{t['kind']}:{t['bonus']['type']}"
        kinds[t["currency"]][kind]["count"] += 1
        kinds[t["currency"]][kind]["amount"] += t["amount"]
    assert {"win:free_round", "bet:free_round", "win:promo", "win:jackpot"} <= set(kinds["USD"])
    report = await _report(world, "group_by=day,game")
    assert first["rows"] != report["rows"]
    assert {t["currency"] for t in report["totals"]} == {"USD", "EUR"}
    everything = {t["transaction_id"]: t for t in await _feed(world)}
    for totals in report["totals"]:
        currency = totals["currency"]
        assert totals["kinds"] == {kind: dict(c) for kind, c in kinds[currency].items()}, currency
        plain = [t for t in feed if t["currency"] == currency and t["bonus"] is None]
        assert totals["bets"] == sum(t["amount"] for t in plain if t["kind"] == "bet")  # free bets are 0 anyway
        assert totals["wins"] == sum(t["amount"] for t in plain if t["kind"] == "win")
        assert totals["bonus_payouts"] == (sum(bonus_wins.values()) if currency == "USD" else 0)
        reversed_ = sum(
            everything[t["reference_transaction_id"]]["amount"]
            for t in feed
            if t["kind"] == "rollback"
            and t["currency"] == currency
            and everything[t["reference_transaction_id"]]["status"] == "acked"
        )
        assert totals["stake_reversed"] == reversed_
        game_rounds = [t for t in feed if t["bonus"] is None or t["bonus"]["type"] == "free_round"]
        closed = sum(1 for t in game_rounds if t["kind"] == "win" and t["round_closed"] and t["currency"] == currency)
        assert totals["rounds"] == closed
        assert totals["rounds_rolled_back"] == sum(
            1 for t in feed if t["kind"] == "rollback" and t["currency"] == currency
        )
        assert totals["ggr"] == totals["bets"] - reversed_ - totals["wins"]
        assert totals["ngr"] == totals["ggr"] - totals["bonus_payouts"]
    # 24 cash rounds, 3 free rounds and the jackpot game's round; the promotional and jackpot wins, each in a wallet
    # round of its own, close no game round
    assert sum(t["rounds"] + t["rounds_rolled_back"] for t in report["totals"]) == 28
    assert sum(t["rounds_rolled_back"] for t in report["totals"]) == 5

    # the wallet's ledger, which knows nothing of the provider's statuses or bonuses: money in minus money out, per
    # currency, is the NGR, and its credits are the wins and the bonus payouts
    currency_of = {p["player_id"]: p["currency"] for p in usd + eur}
    wallet: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in await _ledger(world):
        wallet[currency_of[entry["player_id"]]][entry["kind"]] += int(entry["amount"])
    for totals in report["totals"]:
        money = wallet[totals["currency"]]
        assert totals["ngr"] == money["bet"] - money["rollback"] - money["win"]
        assert totals["wins"] + totals["bonus_payouts"] == money["win"]

    # by day: each row equals the feed's acknowledged transactions of that day and game
    by_day: dict[tuple[str, str, str], int] = Counter()
    for t in feed:  # a group with no bet (the promotional win, which names no game) has bets of 0
        by_day[(_day(t["created_at"]), t["game_id"], t["currency"])] += t["amount"] if t["kind"] == "bet" else 0
    assert len({row["day"] for row in report["rows"]}) == 2
    assert {(r["day"], r["game_id"], r["currency"]): r["bets"] for r in report["rows"]} == by_day


async def test_a_player_report_reads_the_log_and_filters(world_on: World) -> None:
    world = world_on
    alice, bob = await world.player(1_000_000), await world.player(1_000_000)
    await _play(world, [alice, bob], 6)
    report = await _report(world, f"group_by=player&player_id={alice['player_id']}")
    assert [row["player_id"] for row in report["rows"]] == [alice["player_id"]]
    feed = [t for t in await _feed(world) if t["status"] == "acked" and t["player_id"] == alice["player_id"]]
    assert report["rows"][0]["bets"] == sum(t["amount"] for t in feed if t["kind"] == "bet")
    # six rounds ten minutes apart from 21:00 UTC: all in one hour
    reply = await world.sim.request("GET", "/v1/reports/money?group_by=hour&from=2025-12-31T21&to=2025-12-31T22")
    assert reply.status == 200
    assert [row["hour"] for row in reply.body["rows"]] == ["2025-12-31T21:00Z"]
    assert reply.body["rows"][0]["rounds"] == 6
    reply = await world.sim.request("GET", "/v1/reports/money?from=2025-12-31T22")
    assert reply.body["rows"] == []


async def test_bad_report_queries_are_400s(world_on: World) -> None:
    for query in ("group_by=week", "group_by=day,hour", "from=yesterday", "from=2026-01-02&to=2026-01-01", "cursor=%%"):
        reply = await world_on.sim.request("GET", f"/v1/reports/money?{query}")
        assert reply.status == 400, (query, reply.body)
        assert reply.body["error"]["code"] == "INVALID_REQUEST"
    reply = await world_on.sim.request("GET", "/v1/reports/rtp?confidence=2")
    assert reply.status == 400


async def test_the_settlement_worker_folds_in_the_background(world_on: World) -> None:
    from simulator.state import REPORTS, STORE, WORKER

    world = world_on
    await _play(world, [await world.player(1_000_000)], 4)
    world.clock.advance(61)
    await world.sim.app[WORKER].run_once()
    async with world.sim.app[STORE].db.transaction() as tx:
        folded = await world.sim.app[REPORTS].folded(tx)
    top = max(t["seq"] for t in await _feed(world))
    assert folded == top  # every row final, so all folded, without a report being asked for
    report = await _report(world, "group_by=currency")
    assert report["totals"][0]["rounds"] == 4

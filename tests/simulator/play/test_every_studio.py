"""Every studio, whatever its wallet dialect, plays a round through the same /v1 API, and the reference
wallet's ledger shows exactly the money the round moved."""

from __future__ import annotations

from typing import Any

from simulator.dialects.rsa_json import keys as rsa_keys
from tests.harness import Reply, Sim

COUNTRIES = ("MT", "IE", "CA", "NZ", "JP", "BR", "FI", "CZ", "IN")


def launchable(game: dict[str, Any]) -> str | None:
    """A country the game may be launched in, or None when it cannot be (disabled, no USD)."""
    if not game["enabled"] or "USD" not in game["currencies"]:
        return None
    if game["allowed_countries"]:
        return str(game["allowed_countries"][0])
    return next(c for c in COUNTRIES if c not in game["blocked_countries"])


async def pick_game(sim: Sim, studio_id: str) -> tuple[dict[str, Any], str]:
    games = (await sim.request("GET", f"/v1/games?studio={studio_id}&currency=USD&limit=500")).body["games"]
    playable = [(g, c) for g in games if (c := launchable(g)) is not None]
    single = [(g, c) for g, c in playable if not g["multi_step"] and g["category"] != "live"]
    return (single or playable)[0]


async def launch_on_studio(sim: Sim, studio_id: str, balance: int) -> tuple[dict[str, Any], str, dict[str, Any], Reply]:
    """A new player holding ``balance`` USD, launched on a game of the studio in a country the game allows: the
    game, the country, the player and the launch's reply."""
    game, country = await pick_game(sim, studio_id)
    player = await sim.create_player(balance)
    body = {"player_id": player["player_id"], "token": player["token"], "game_id": game["game_id"], "currency": "USD"}
    launched = await sim.request("POST", "/v1/sessions", body | {"country": country})
    return game, country, player, launched


async def play_round(sim: Sim, token: str, game: dict[str, Any]) -> dict[str, Any]:
    reply = await sim.play(token, game["min_bet"]["USD"])
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    while body.get("finished") is False:
        action = next((a for a in ("cashout", "stand") if a in body["actions"]), body["actions"][0])
        reply = await sim.request("POST", f"/play/{token}/rounds/{body['round_id']}/actions", {"action": action})
        assert reply.status == 200, reply.body
        body = reply.body
    return body


async def test_a_round_on_every_studio_lands_in_the_wallet_ledger(sim: Sim) -> None:
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    assert len(studios) >= 40
    played: dict[str, int] = {}
    for studio in studios:
        start = 1_000_000
        game, _, player, launched = await launch_on_studio(sim, studio["studio_id"], start)
        if studio["dialect"] == "rsa_json" and not rsa_keys.available():
            assert (launched.status, launched.body["error"]["code"]) == (503, "DIALECT_UNAVAILABLE")
            ledger = (await sim.request("GET", f"/wallet/ledger?player_id={player['player_id']}")).body["entries"]
            assert [e["kind"] for e in ledger] == ["deposit"]
            continue
        assert launched.status == 201, (studio, launched.body)
        assert launched.body["balance"] == start
        result = await play_round(sim, launched.body["session_token"], game)
        stake, win = result["amount"], result["win"]
        assert result["balance"] == start - stake + win
        assert await sim.balance(player["player_id"]) == start - stake + win

        round_ = (await sim.request("GET", f"/v1/rounds/{result['round_id']}")).body
        assert round_["status"] == "closed" and round_["studio_id"] == studio["studio_id"]
        sent = {t["transaction_id"]: t for t in round_["transactions"]}
        assert all(t["status"] == "acked" for t in sent.values())
        ledger = (await sim.request("GET", f"/wallet/ledger?player_id={player['player_id']}")).body["entries"]
        assert [e["kind"] for e in ledger[:1]] == ["deposit"] and ledger[0]["amount"] == start
        entries = ledger[1:]
        moved = {e["transaction_id"]: e for e in entries}
        for transaction_id, entry in moved.items():
            assert sent[transaction_id]["kind"] == entry["kind"]
            assert sent[transaction_id]["amount"] == entry["amount"]
            assert entry["round_id"] == result["round_id"] and entry["game_id"] == game["game_id"]
        assert sum(e["amount"] for e in entries if e["kind"] == "bet") == stake
        assert sum(e["amount"] for e in entries if e["kind"] == "win") == win
        assert entries[-1]["balance_after"] == start - stake + win
        unrecorded = {t for t, record in sent.items() if t not in moved}
        # md5_form ends a lost round with endRound alone: its zero win is acknowledged but moves no money
        assert all(sent[t]["kind"] == "win" and sent[t]["amount"] == 0 for t in unrecorded)
        assert not unrecorded or studio["dialect"] == "md5_form"
        played[studio["dialect"]] = played.get(studio["dialect"], 0) + 1
    expected = {"native", "md5_form", "token_query"} | ({"rsa_json"} if rsa_keys.available() else set())
    assert set(played) == expected


async def test_refusals_look_the_same_whichever_studio_is_behind(sim: Sim) -> None:
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    seen: dict[str, tuple[int, str, int]] = {}
    for studio in studios:
        if studio["dialect"] in seen or (studio["dialect"] == "rsa_json" and not rsa_keys.available()):
            continue
        game, country, player, launched = await launch_on_studio(sim, studio["studio_id"], 1)
        refused = await sim.play(launched.body["session_token"], game["min_bet"]["USD"])
        seen[studio["dialect"]] = (refused.status, refused.body["error"]["code"], refused.body.get("balance"))
        stranger = await sim.request(
            "POST",
            "/v1/sessions",
            {
                "player_id": player["player_id"],
                "token": "someone-elses",
                "game_id": game["game_id"],
                "currency": "USD",
                "country": country,
            },
        )
        assert (stranger.status, stranger.body["error"]["code"]) == (401, "INVALID_SESSION"), studio
    assert set(seen.values()) == {(402, "INSUFFICIENT_FUNDS", 1)}
    assert len(seen) >= 3

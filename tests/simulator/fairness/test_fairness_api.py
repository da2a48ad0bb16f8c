"""A round played through the API verifies bit-exactly once its server seed is revealed."""

from __future__ import annotations

from games.rng import commitment
from tests.harness import Sim


async def test_round_verifies_after_rotation(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    session = await sim.launch(player, await sim.game_for("roulette-european"), client_seed="my-own-seed")
    assert session["fairness"]["client_seed"] == "my-own-seed"
    assert session["fairness"]["next_nonce"] == 1
    token = session["session_token"]
    rounds = [await sim.play(token, 100) for _ in range(3)]
    assert [r.body["fairness"]["nonce"] for r in rounds] == [1, 2, 3]
    assert {r.body["fairness"]["server_seed_hash"] for r in rounds} == {session["fairness"]["server_seed_hash"]}

    rotated = await sim.request("POST", f"/play/{token}/fairness/rotate", {"client_seed": "next-seed"})
    assert rotated.status == 200
    seed = rotated.body["revealed_server_seed"]
    assert commitment(seed) == session["fairness"]["server_seed_hash"]
    assert rotated.body["server_seed_hash"] != session["fairness"]["server_seed_hash"]
    assert rotated.body["next_nonce"] == 1

    for played in rounds:
        record = await sim.request("GET", f"/v1/rounds/{played.body['round_id']}")
        assert record.body["fairness"]["server_seed"] == seed
        check = await sim.request(
            "POST", "/v1/fairness/verify", {"round_id": played.body["round_id"], "server_seed": seed}
        )
        assert check.status == 200, check.body
        assert check.body["commitment_ok"] is True
        assert check.body["matches_round"] is True
        assert check.body["outcome"]["detail"] == played.body["outcome"]

    wrong = await sim.request(
        "POST", "/v1/fairness/verify", {"round_id": rounds[0].body["round_id"], "server_seed": seed + "x"}
    )
    assert wrong.body["commitment_ok"] is False

    after = await sim.play(token, 100)
    fairness = after.body["fairness"]
    assert (fairness["server_seed_hash"], fairness["client_seed"], fairness["nonce"]) == (
        rotated.body["server_seed_hash"],
        "next-seed",
        1,
    )


async def test_unrevealed_seed_stays_secret(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    played = await sim.play(session["session_token"], 100)
    record = await sim.request("GET", f"/v1/rounds/{played.body['round_id']}")
    assert record.body["fairness"]["server_seed"] is None
    info = await sim.request("GET", f"/play/{session['session_token']}/session")
    assert "server_seed" not in info.body


async def test_verify_from_explicit_inputs_matches_the_public_dice_vector(sim: Sim) -> None:
    reply = await sim.request(
        "POST",
        "/v1/fairness/verify",
        {
            "engine_id": "dice",
            "server_seed": "server seed",
            "client_seed": "client seed",
            "nonce": 1,
            "amount": 100,
            "params": {"target": "50.00", "direction": "over"},
        },
    )
    assert reply.status == 200, reply.body
    assert reply.body["outcome"]["detail"]["roll"] == "74.67"
    assert reply.body["commitment_ok"] is None

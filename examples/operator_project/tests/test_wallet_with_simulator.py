"""Our wallet against a live simulator: rounds move exactly the money they should, also when the simulator's calls
to us time out (the simulator's fault rules make it happen on purpose)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from operator_wallet import OperatorWallet

from simulator_sdk import Client, InsufficientFunds, WalletFailure
from simulator_sdk.pytest_plugin import FaultSwitch, Player
from simulator_sdk.types import Launch

WIN_LIKELY = {"target": "98.00", "direction": "under"}  # dice: a 98% chance to win 1.0102x


def test_a_round_debits_the_stake_and_credits_the_win(
    casino_sim_client: Client, casino_sim_session: Launch, casino_sim_player: Player, wallet: OperatorWallet
) -> None:
    start = wallet.balance(casino_sim_player.player_id)
    assert casino_sim_session["balance"] == start  # the launch asked our wallet for the balance

    round_ = casino_sim_client.play(casino_sim_session["session_token"], 100, WIN_LIKELY)

    assert round_["status"] == "closed"
    assert wallet.balance(casino_sim_player.player_id) == start - 100 + round_["win"] == round_["balance"]
    record = casino_sim_client.round(round_["round_id"])
    kinds = {t["kind"]: t for t in record["transactions"]}
    assert kinds["bet"]["amount"] == 100 and kinds["bet"]["status"] == "acked"
    assert kinds["bet"]["transaction_id"] in wallet.ledger.entries


def test_a_win_whose_reply_times_out_is_retried_and_paid_once(
    casino_sim_client: Client,
    casino_sim_faults: FaultSwitch,
    casino_sim_launch: Callable[..., Launch],
    casino_sim_new_player: Callable[..., Player],
    wallet: OperatorWallet,
) -> None:
    player = casino_sim_new_player("USD", 10_000)
    session = casino_sim_launch(player)
    rule = casino_sim_faults.add(
        {
            "id": "win-reply-lost",
            "match": {"side": "outbound", "operation": "win", "player": player.player_id},
            "action": {"type": "timeout", "deliver": True},  # we apply the win; the simulator never hears back
            "schedule": {"first": 1, "per": "transaction"},
        }
    )
    round_ = casino_sim_client.play(session["session_token"], 1_000, WIN_LIKELY)
    while round_["win"] == 0:  # a 2% loss sends no win to fault: play again
        round_ = casino_sim_client.play(session["session_token"], 1_000, WIN_LIKELY)

    settled = casino_sim_client.wait_for_round(round_["round_id"], within=30)

    assert settled["status"] == "closed"
    win = next(t for t in settled["transactions"] if t["kind"] == "win")
    assert win["attempts"] >= 2 and win["status"] == "acked"  # same transaction id, sent again
    wins = [data for op, data in wallet.requests if op == "win" and data["transaction_id"] == win["transaction_id"]]
    assert len(wins) >= 2  # we saw it more than once ...
    spent = sum(t["amount"] for t in casino_sim_client.transactions(player_id=player.player_id, kind="bet"))
    paid = sum(t["amount"] for t in casino_sim_client.transactions(player_id=player.player_id, kind="win"))
    assert wallet.balance(player.player_id) == 10_000 - spent + paid  # ... and paid it once
    assert casino_sim_faults.counters(rule["id"])["injected"] == 1


def test_a_bet_whose_reply_times_out_is_rolled_back(
    casino_sim_client: Client,
    casino_sim_faults: FaultSwitch,
    casino_sim_launch: Callable[..., Launch],
    casino_sim_new_player: Callable[..., Player],
    wallet: OperatorWallet,
) -> None:
    player = casino_sim_new_player("USD", 5_000)
    session = casino_sim_launch(player)
    casino_sim_faults.add(
        {
            "match": {"side": "outbound", "operation": "bet", "player": player.player_id},
            "action": {"type": "timeout", "deliver": True},  # we take the stake; the simulator never hears back
        }
    )
    with pytest.raises(WalletFailure) as failed:
        casino_sim_client.play(session["session_token"], 700)
    assert failed.value.status == 504 and failed.value.code == "WALLET_TIMEOUT"

    (summary,) = [r for r in casino_sim_client.rounds() if r["player_id"] == player.player_id]
    settled = casino_sim_client.wait_for_round(summary["round_id"], within=30)
    assert settled["status"] == "rolled_back"
    assert wallet.balance(player.player_id) == 5_000  # the stake came back


def test_a_bet_beyond_the_balance_is_refused_with_its_code(
    casino_sim_client: Client,
    casino_sim_launch: Callable[..., Launch],
    casino_sim_new_player: Callable[..., Player],
    wallet: OperatorWallet,
) -> None:
    player = casino_sim_new_player("EUR", 50)
    session = casino_sim_launch(player)
    with pytest.raises(InsufficientFunds) as refused:
        casino_sim_client.play(session["session_token"], 100)
    assert refused.value.code == "INSUFFICIENT_FUNDS" and refused.value.status == 402
    assert wallet.balance(player.player_id) == 50

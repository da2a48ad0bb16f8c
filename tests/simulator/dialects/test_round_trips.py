"""Every dialect against the reference wallet: the same money rules must hold whatever the wire looks like."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.dialects.md5_form import Md5FormDialect
from simulator.dialects.native import NativeDialect
from simulator.dialects.protocol import Dialect
from simulator.dialects.rsa_json import RsaJsonDialect
from simulator.dialects.token_query import TokenQueryDialect
from simulator.errors import WalletRefused
from tests.simulator.dialects.conftest import WalletRig


async def test_balance_bet_and_win(rig: WalletRig) -> None:
    player = await rig.player(10_000)
    assert (await rig.send(rig.call(player, "balance"))).balance == 10_000
    bet = rig.call(player, "bet", 150)
    assert (await rig.send(bet)).balance == 9_850
    win = rig.call(player, "win", 400, round_closed=True, reference_transaction_id=bet.transaction_id)
    reply = await rig.send(win)
    assert (reply.balance, reply.currency) == (10_250, "USD")
    entries = await rig.ledger(player["player_id"])
    assert [(e["kind"], e["amount"], e["transaction_id"]) for e in entries] == [
        ("bet", 150, bet.transaction_id),
        ("win", 400, win.transaction_id),
    ]


@pytest.mark.parametrize("currency", ["JPY", "KWD"])
async def test_amounts_convert_exactly_in_other_exponents(rig: WalletRig, currency: str) -> None:
    player = await rig.player(1_000_003, currency)
    reply = await rig.send(rig.call(player, "bet", 999_999))
    assert reply.balance == 4
    assert (await rig.ledger(player["player_id"]))[0]["amount"] == 999_999


async def test_insufficient_funds_is_refused_with_the_balance(rig: WalletRig) -> None:
    player = await rig.player(100)
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player, "bet", 101))
    assert caught.value.code == "INSUFFICIENT_FUNDS"
    assert caught.value.extra.get("balance") == 100
    assert await rig.balance(player["player_id"]) == 100
    assert await rig.ledger(player["player_id"]) == []


async def test_a_bet_equal_to_the_balance_leaves_zero(rig: WalletRig) -> None:
    player = await rig.player(100)
    assert (await rig.send(rig.call(player, "bet", 100))).balance == 0


@pytest.mark.parametrize("operation", ["balance", "bet"])
async def test_unknown_session_is_refused(rig: WalletRig, operation: str) -> None:
    player = await rig.player(1_000)
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player | {"token": "not-a-session"}, operation, 10))
    assert caught.value.code == "INVALID_SESSION"
    assert await rig.balance(player["player_id"]) == 1_000


async def test_wrong_currency_is_refused(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player | {"currency": "EUR"}, "bet", 10))
    assert caught.value.code == "CURRENCY_MISMATCH"


async def test_a_duplicate_is_applied_once_with_the_original_result(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 300)
    first = await rig.send(bet)
    other = await rig.send(rig.call(player, "bet", 100))
    again = await rig.send(bet)
    assert (first.balance, other.balance, again.balance) == (700, 600, 700)
    assert await rig.balance(player["player_id"]) == 600
    assert len(await rig.ledger(player["player_id"])) == 2


async def test_same_transaction_with_other_content_is_a_mismatch(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 300)
    await rig.send(bet)
    with pytest.raises(WalletRefused) as caught:
        await rig.send(dataclasses.replace(bet, amount=301))
    assert caught.value.code == "TRANSACTION_MISMATCH"
    assert await rig.balance(player["player_id"]) == 700


async def test_rollback_refunds_once_and_buries_the_bet(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 300)
    await rig.send(bet)
    rollback = rig.call(player, "rollback", 300, round_closed=True, reference_transaction_id=bet.transaction_id)
    assert (await rig.send(rollback)).balance == 1_000
    assert (await rig.send(rollback)).balance == 1_000
    if rig.dialect == "rsa_json":  # the same request id: the wallet's remembered first reply, nothing moves
        await rig.send(bet)
    else:  # a late copy of the bet is refused, not answered as if it stood
        with pytest.raises(WalletRefused) as caught:
            await rig.send(bet)
        assert caught.value.code == "TRANSACTION_ROLLED_BACK"
    assert await rig.balance(player["player_id"]) == 1_000
    assert [e["kind"] for e in await rig.ledger(player["player_id"])] == ["bet", "rollback"]


async def test_rollback_of_a_bet_never_seen_is_accepted_and_a_late_bet_refused(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 300)
    rollback = rig.call(player, "rollback", 300, round_closed=True, reference_transaction_id=bet.transaction_id)
    assert (await rig.send(rollback)).balance == 1_000
    with pytest.raises(WalletRefused) as caught:
        await rig.send(bet)
    assert caught.value.code == "TRANSACTION_ROLLED_BACK"
    assert await rig.balance(player["player_id"]) == 1_000


async def test_rollback_after_the_round_was_settled_is_refused(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 300)
    await rig.send(bet)
    await rig.send(rig.call(player, "win", 50, round_closed=True, reference_transaction_id=bet.transaction_id))
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player, "rollback", 300, reference_transaction_id=bet.transaction_id))
    assert caught.value.code == "ROUND_CLOSED"
    assert await rig.balance(player["player_id"]) == 750


async def test_nothing_is_accepted_on_a_closed_round(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 100)
    await rig.send(bet)
    await rig.send(rig.call(player, "win", 0, round_closed=True, reference_transaction_id=bet.transaction_id))
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player, "bet", 100))
    assert caught.value.code == "ROUND_CLOSED"
    assert await rig.balance(player["player_id"]) == 900


def _forged(rig: WalletRig) -> Dialect:
    endpoint = rig.endpoints[rig.dialect]
    wrong = b"not-the-secret"
    if rig.dialect == "native":
        return NativeDialect(endpoint.url, endpoint.key_id, wrong, rig.clock)
    if rig.dialect == "md5_form":
        return Md5FormDialect(endpoint.url, endpoint.key_id, wrong, rig.clock)
    if rig.dialect == "token_query":
        return TokenQueryDialect(endpoint.url, endpoint.key_id, wrong, rig.clock)

    class Forger:
        def sign(self, body: bytes) -> str:
            return "AAAA" + "A" * 340

    return RsaJsonDialect(endpoint.url, endpoint.key_id, Forger(), rig.clock)


@pytest.mark.parametrize("operation", ["balance", "bet"])
async def test_a_bad_signature_changes_nothing(rig: WalletRig, operation: str) -> None:
    player = await rig.player(1_000)
    forged = rig.client_with(_forged(rig))
    with pytest.raises(WalletRefused) as caught:
        await forged.call(rig.call(player, operation, 100))
    assert caught.value.code == "INVALID_SIGNATURE"
    assert await rig.balance(player["player_id"]) == 1_000
    assert await rig.ledger(player["player_id"]) == []


async def test_a_request_outside_the_signature_window_is_refused(rig: WalletRig) -> None:
    if rig.dialect == "token_query":
        pytest.skip("token_query carries no timestamp: its operator token is the whole authentication")
    player = await rig.player(1_000)
    stale = rig.call(player, "bet", 100)
    rig.clock.advance(-3600)  # the sender's clock is an hour behind the wallet's
    with pytest.raises(WalletRefused) as caught:
        await rig.send(stale)
    assert caught.value.code == "INVALID_SIGNATURE"
    assert await rig.balance(player["player_id"]) == 1_000


async def test_free_spin_bets_use_the_campaign_not_cash(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    grant = {"free_rounds": 1, "campaign_id": "spring"}
    async with rig.http.post(f"{rig.url}/sandbox/players/{player['player_id']}/bonus", json=grant) as response:
        assert response.status == 200
    bonus = {"campaign_id": "spring"}
    bet = rig.call(player, "bet", 100, bonus=bonus)
    assert (await rig.send(bet)).balance == 1_000
    win = rig.call(player, "win", 300, round_closed=True, reference_transaction_id=bet.transaction_id, bonus=bonus)
    assert (await rig.send(win)).balance == 1_000  # a free round's win is bonus money
    entries = [(e["kind"], e["funds"]) for e in await rig.ledger(player["player_id"])]
    assert entries == [("bonus_credit", "bonus"), ("bet", "free_round"), ("win", "bonus")]


async def test_bets_on_a_game_the_wallet_stopped_offering_are_refused(rig: WalletRig) -> None:
    player = await rig.player(1_000)
    bet = rig.call(player, "bet", 100, game_id="game-off")
    await rig.send(bet)
    async with rig.http.put(f"{rig.url}/sandbox/games/game-off", json={"enabled": False}) as response:
        assert (response.status, await response.json()) == (200, {"game_id": "game-off", "enabled": False})
    with pytest.raises(WalletRefused) as caught:
        await rig.send(rig.call(player, "bet", 100, game_id="game-off", round_id="round-2"))
    assert caught.value.code == "UNKNOWN_GAME"
    paid = {"game_id": "game-off", "round_closed": True, "reference_transaction_id": bet.transaction_id}
    win = rig.call(player, "win", 50, **paid)
    assert (await rig.send(win)).balance == 950  # what is owed is still paid
    async with rig.http.put(f"{rig.url}/sandbox/games/game-off", json={"enabled": True}) as response:
        assert response.status == 200
    assert (await rig.send(rig.call(player, "bet", 100, game_id="game-off", round_id="round-3"))).balance == 850

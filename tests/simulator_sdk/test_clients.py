"""The SDK against a live simulator: what it signs is accepted, a wrong key is a typed error with the server's code,
every list pages to each item exactly once, and the sync and asyncio clients agree."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from simulator_sdk import (
    AsyncClient,
    Client,
    Credentials,
    InsufficientFunds,
    InvalidRequest,
    NotFound,
    TransportError,
    Unauthorized,
)
from simulator_sdk.pytest_plugin import pick_game
from simulator_sdk.types import Launch
from tests.simulator_sdk.conftest import Live

T = TypeVar("T")


def run_async(live: Live, use: Callable[[AsyncClient], Coroutine[Any, Any, T]], **options: Any) -> T:
    """``use`` with an asyncio client of the live server, in a loop of its own (the server runs in another)."""
    options.setdefault("data_dir", live.data_dir)

    async def main() -> T:
        async with AsyncClient(live.url, **options) as client:
            return await use(client)

    return asyncio.run(main())


@pytest.fixture(scope="module")
def client(live: Live) -> Iterator[Client]:
    with Client(live.url, data_dir=live.data_dir) as sync:
        yield sync


def launched(client: Client, balance: int = 100_000) -> Launch:
    player = client.create_player("USD", balance)
    game = client.reference_game("dice")
    return client.launch(player_id=player["player_id"], game_id=game["game_id"], currency="USD", token=player["token"])


def test_what_the_sdk_signs_from_the_credentials_file_is_accepted(client: Client) -> None:
    assert client.credentials is not None and client.credentials.key_id == "dev-key-1"
    studios = client.studios()
    assert len(studios) == 40 and all(s["dialect"] for s in studios)
    # a query string is signed as sent: filters with commas and booleans
    games = list(client.games(engine=["dice", "limbo"], reference=True))
    assert sorted(g["engine_id"] for g in games) == ["dice", "limbo"]


def test_the_second_key_of_the_file_signs_too(live: Live) -> None:
    with Client(live.url, Credentials.from_data_dir(live.data_dir, key="dev-key-2")) as second:
        assert second.credentials is not None and second.credentials.key_id == "dev-key-2"
        assert second.game(second.reference_game("dice")["game_id"])["engine_id"] == "dice"


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        pytest.param(Credentials("dev-key-1", "not-the-secret"), "INVALID_SIGNATURE", id="wrong-secret"),
        pytest.param(Credentials("no-such-key", "whatever"), "UNKNOWN_KEY", id="unknown-key"),
        pytest.param(Credentials(), "MISSING_SIGNATURE", id="no-key"),
        pytest.param(
            Credentials("dev-key-1", "x", now=lambda: 1_000_000_000.0), "INVALID_SIGNATURE", id="stale-and-wrong"
        ),
    ],
)
def test_a_wrong_key_is_an_unauthorized_error_with_the_servers_code(
    live: Live, credentials: Credentials, code: str
) -> None:
    with Client(live.url, credentials) as wrong, pytest.raises(Unauthorized) as refused:
        wrong.studios()
    assert (refused.value.code, refused.value.status) == (code, 401)
    assert isinstance(refused.value, PermissionError)


def test_a_stale_timestamp_with_the_right_secret_is_refused_as_stale(live: Live) -> None:
    good = Credentials.from_data_dir(live.data_dir)
    stale = Credentials(good.key_id, good.secret, now=lambda: 1_000_000_000.0)
    with Client(live.url, stale) as client, pytest.raises(Unauthorized) as refused:
        client.studios()
    assert refused.value.code == "STALE_TIMESTAMP"


def test_a_wrong_admin_token_is_refused_and_never_sent_to_other_paths(live: Live, client: Client) -> None:
    assert client.credentials is not None
    with Client(live.url, Credentials(client.credentials.key_id, client.credentials.secret, "wrong")) as wrong:
        with pytest.raises(Unauthorized) as refused:
            wrong.create_player("USD", 100)
        assert refused.value.code == "INVALID_TOKEN"
        assert wrong.studios()  # operator requests are still signed
    assert Credentials(admin_token="t").headers("GET", "/v1/studios", b"") == {}
    assert Credentials(admin_token="t").headers("POST", "/play/x/rounds", b"{}") == {}


def test_errors_come_as_their_family_with_code_and_status(client: Client) -> None:
    with pytest.raises(NotFound) as missing:
        client.game("no-such-game")
    assert (missing.value.code, missing.value.status) == ("UNKNOWN_GAME", 404)
    with pytest.raises(InvalidRequest) as bad:
        client.call("GET", "/v1/games", query={"volatility": "extreme"})
    assert bad.value.status == 400 and bad.value.code == "INVALID_REQUEST" and "volatility" in bad.value.message
    session = launched(client, balance=50)
    with pytest.raises(InsufficientFunds) as poor:
        client.play(session["session_token"], 100)
    assert (poor.value.code, poor.value.status) == ("INSUFFICIENT_FUNDS", 402)


def test_a_server_that_does_not_answer_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    with Client(f"http://127.0.0.1:{port}", Credentials()) as client, pytest.raises(TransportError) as sync_failed:
        client.health()

    async def health(client: AsyncClient) -> dict[str, Any]:
        return await client.health()

    with pytest.raises(TransportError) as async_failed:
        run_async(Live(f"http://127.0.0.1:{port}", Path("/nonexistent")), health, credentials=Credentials())
    assert sync_failed.value.code == async_failed.value.code == "CONNECTION_FAILED"
    assert isinstance(sync_failed.value, ConnectionError)


def test_cursor_paging_returns_every_game_exactly_once_in_order(live: Live, client: Client) -> None:
    whole = client.call("GET", "/v1/games", query={"currency": "EUR", "limit": 500})
    everything = list(whole["games"])
    cursor = whole["next_cursor"]
    while cursor is not None:
        page = client.call("GET", "/v1/games", query={"currency": "EUR", "limit": 500, "cursor": cursor})
        everything += page["games"]
        cursor = page["next_cursor"]
    assert len(everything) == whole["total"] > 500
    with Client(live.url, data_dir=live.data_dir, page_size=37) as small:
        paged = [g["game_id"] for g in small.games(currency="EUR")]
    assert paged == [g["game_id"] for g in everything]
    assert len(set(paged)) == len(paged)


def test_cursor_paging_of_rounds_and_transactions_returns_each_once(live: Live, client: Client) -> None:
    session = launched(client)
    played = [client.play(session["session_token"], 100)["round_id"] for _ in range(7)]
    with Client(live.url, data_dir=live.data_dir, page_size=2) as small:
        rounds = [r["round_id"] for r in small.rounds()]
        player = client.round(played[0])["player_id"]
        transactions = list(small.transactions(player_id=player))
    assert len(rounds) == len(set(rounds)) and set(played) <= set(rounds)
    assert [r for r in rounds if r in played] == played  # oldest first
    seqs = [t["seq"] for t in transactions]
    assert seqs == sorted(set(seqs))
    assert {t["round_id"] for t in transactions if t["kind"] == "bet"} == set(played)
    assert seqs == [t["seq"] for t in client.transactions(player_id=player)]


def test_the_async_client_agrees_with_the_sync_client(live: Live, client: Client) -> None:
    session = launched(client)
    round_id = client.play(session["session_token"], 250, {"target": "40.00", "direction": "under"})["round_id"]

    async def same_calls(aio: AsyncClient) -> tuple[Any, ...]:
        games = [g["game_id"] async for g in aio.games(engine="dice")]
        record = await aio.round(round_id)
        transactions = [t async for t in aio.transactions(round_id=round_id)]
        try:
            await aio.game("no-such-game")
        except NotFound as exc:
            missing = (type(exc), exc.code, exc.status)
        info = await aio.session_info(session["session_token"])
        return games, record, transactions, missing, info

    games, record, transactions, missing, info = run_async(live, same_calls, page_size=5)
    assert games == [g["game_id"] for g in client.games(engine="dice")]
    assert record == client.round(round_id)
    assert transactions == list(client.transactions(round_id=round_id))
    with pytest.raises(NotFound) as sync_missing:
        client.game("no-such-game")
    assert missing == (type(sync_missing.value), sync_missing.value.code, sync_missing.value.status)
    assert info == client.session_info(session["session_token"])


def test_both_clients_play_and_act_through_the_game_client_api(live: Live, client: Client) -> None:
    player = client.create_player("USD", 100_000)
    mines = client.reference_game("mines")
    session = client.launch(player_id=player["player_id"], game_id=mines["game_id"], currency="USD",
                            token=player["token"])  # fmt: skip
    token = session["session_token"]
    opened = client.play(token, 100, {"mines": 3})
    assert opened["status"] == "open" and opened["actions"] == ["reveal"]
    assert [r["round_id"] for r in client.open_rounds(token)] == [opened["round_id"]]
    with pytest.raises(InvalidRequest) as illegal:
        client.act(token, opened["round_id"], "cashout")  # nothing revealed yet
    assert illegal.value.code == "ILLEGAL_ACTION"

    async def reveal(aio: AsyncClient) -> Any:
        return await aio.act(token, opened["round_id"], "reveal", {"tile": 0})

    step = run_async(live, reveal)
    assert step["round_id"] == opened["round_id"]
    if step["status"] == "open":  # safe: cashing out is now allowed
        assert step["actions"] is not None and "cashout" in step["actions"]
    else:  # a mine: the round is lost
        assert step["status"] == "closed" and step["win"] == 0


@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
def test_the_plugin_picks_a_playable_game_for_every_dialect(client: Client, dialect: str) -> None:
    game, country = pick_game(client, dialect, "USD")
    studio = next(s for s in client.studios() if s["studio_id"] == game["studio_id"])
    assert studio["dialect"] == dialect and not client.game(game["game_id"])["multi_step"]
    player = client.create_player("USD", 100_000)
    session = client.launch(game_id=game["game_id"], currency="USD", player_id=player["player_id"],
                            token=player["token"], country=country)  # fmt: skip
    stake = max(100, client.session_info(session["session_token"])["min_bet"])
    round_ = client.play(session["session_token"], stake)
    assert round_["status"] == "closed"
    assert client.player(player["player_id"])["balance"] == 100_000 - stake + round_["win"]


def test_a_target_typed_by_hand_is_sent_as_it_is_signed(live: Live, client: Client) -> None:
    target = "/v1/games?q=wild west&engine=dice%2Climbo&limit=1"
    assert client.send("GET", target).status == 200

    async def same(aio: AsyncClient) -> int:
        return (await aio.send("GET", target)).status

    assert run_async(live, same) == 200

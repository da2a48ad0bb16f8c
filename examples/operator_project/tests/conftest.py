"""Point the casino-sim plugin at our wallet: start it first, hand the plugin its URL and secret, and create players
in it. Everything else (the simulator, its client, launching, faults) comes from the plugin."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from operator_wallet import OperatorWallet

from simulator_sdk.pytest_plugin import Player


@pytest.fixture(scope="session")
def wallet() -> Iterator[OperatorWallet]:
    service = OperatorWallet(secret=secrets.token_hex(32))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def casino_sim_wallet_url(wallet: OperatorWallet) -> str:
    return wallet.url


@pytest.fixture(scope="session")
def casino_sim_wallet_secret(wallet: OperatorWallet) -> str:
    return wallet.secret


@pytest.fixture(scope="session")
def casino_sim_settings() -> dict[str, Any]:
    # a wallet call counts as timed out after half a second, and a failed win is retried a tenth of a second later
    return {"wallet_timeout": 0.5, "retry_base_delay": 0.1, "retry_max_delay": 0.5}


@pytest.fixture(scope="session")
def casino_sim_new_player(wallet: OperatorWallet) -> Callable[..., Player]:
    def new_player(currency: str = "USD", balance: int = 100_000) -> Player:
        account = wallet.open_account(currency, balance)
        return Player(account.player_id, account.token, account.currency)

    return new_player

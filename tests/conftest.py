from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.settings import Settings
from tests.harness import Sim, running_sim


@pytest.fixture(autouse=True, scope="session")
def _one_rsa_key_pair() -> Iterator[None]:
    """Generating an RSA key per test app costs more than the rest of the test: the session makes one."""
    if not rsa_keys.available():
        yield
        return
    pair = rsa_keys.generate()
    original = rsa_keys.generate
    rsa_keys.generate = lambda: pair
    try:
        yield
    finally:
        rsa_keys.generate = original


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never depend on CASINO_SIM_* variables of the machine they run on."""
    for name in list(os.environ):
        if name.startswith("CASINO_SIM_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", port=0)


@pytest.fixture
async def sim(settings: Settings) -> AsyncIterator[Sim]:
    async with running_sim(settings) as running:
        yield running

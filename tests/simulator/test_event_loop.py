"""The servers' event loop: uvloop when installed, the one named otherwise, and a clear error for a missing one."""

from __future__ import annotations

import asyncio

import pytest

from simulator import event_loop
from simulator.errors import ConfigurationError


async def running_loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_auto_runs_on_uvloop_when_it_is_installed() -> None:
    assert event_loop.importable("uvloop"), "uvloop is a dependency of the project on this platform"
    assert event_loop.loop_name("auto") == "uvloop"
    assert event_loop.run(running_loop_module(), "auto").startswith("uvloop")


def test_asyncio_by_name_runs_on_the_standard_loop() -> None:
    assert event_loop.run(running_loop_module(), "asyncio").startswith("asyncio")


def test_auto_falls_back_to_asyncio_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_loop, "importable", lambda module: False)
    assert event_loop.loop_name("auto") == "asyncio"
    assert event_loop.run(running_loop_module(), "auto").startswith("asyncio")


def test_uvloop_by_name_without_it_installed_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_loop, "importable", lambda module: False)
    with pytest.raises(ConfigurationError, match="uvloop is not installed"):
        event_loop.run(running_loop_module(), "uvloop")

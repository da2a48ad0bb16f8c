"""casino-provider-simulator: fake game studios and an aggregator that call a seamless wallet as real ones do.

``create_app``, ``Settings`` and ``load_settings`` are loaded on first use: importing the package (as every
``casino-sim`` call does) must not load aiohttp and pydantic."""

from __future__ import annotations

import importlib
import typing

from simulator.clock import Clock, ManualClock, SystemClock
from simulator.errors import (
    BetOutOfLimits,
    ConfigurationError,
    Conflict,
    NotFound,
    RequestError,
    SessionExpired,
    SimulatorError,
    UnknownCurrency,
    WalletError,
    WalletProtocolError,
    WalletRefused,
    WalletTimeout,
    WalletUnavailable,
)

if typing.TYPE_CHECKING:
    from simulator.app import create_app
    from simulator.settings import Settings, load_settings

__version__ = "0.1.0"

_LAZY = {"create_app": "simulator.app", "Settings": "simulator.settings", "load_settings": "simulator.settings"}


def __getattr__(name: str) -> typing.Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


__all__ = [
    "BetOutOfLimits",
    "Clock",
    "ConfigurationError",
    "Conflict",
    "ManualClock",
    "NotFound",
    "RequestError",
    "SessionExpired",
    "Settings",
    "SimulatorError",
    "SystemClock",
    "UnknownCurrency",
    "WalletError",
    "WalletProtocolError",
    "WalletRefused",
    "WalletTimeout",
    "WalletUnavailable",
    "__version__",
    "create_app",
    "load_settings",
]

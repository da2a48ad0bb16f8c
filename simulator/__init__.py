"""casino-provider-simulator: fake game studios and an aggregator that call a seamless wallet as real ones do."""

from simulator.app import create_app
from simulator.clock import Clock, ManualClock, SystemClock
from simulator.errors import (
    BetOutOfLimits,
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
from simulator.settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "BetOutOfLimits",
    "Clock",
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

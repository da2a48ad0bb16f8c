"""Errors of the conformance suite: it could not run at all (a check that fails is a result, not an error)::

ConformanceError(SimulatorError)
├── SetupError(ConformanceError, ValueError)                  keys, players, options or patterns unusable
└── WalletUnreachable(ConformanceError, ConnectionError)      no usable answer to the first balance enquiry
"""

from __future__ import annotations

from simulator.errors import SimulatorError


class ConformanceError(SimulatorError, code="CONFORMANCE_ERROR"): ...


class SetupError(ConformanceError, ValueError, code="CONFORMANCE_SETUP", status=400): ...


class WalletUnreachable(ConformanceError, ConnectionError, code="WALLET_UNREACHABLE", status=502): ...

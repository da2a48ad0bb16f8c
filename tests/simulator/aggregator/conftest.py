from tests.simulator.markets.conftest import clock, msim

__all__ = ["clock", "msim"]

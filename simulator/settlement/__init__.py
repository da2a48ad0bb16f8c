"""Settlement: delivering wins and rollbacks until the wallet acknowledges them, and the rules for failed
bets."""

from simulator.settlement.settler import Settler, backoff_delay
from simulator.settlement.worker import SettlementWorker

__all__ = ["SettlementWorker", "Settler", "backoff_delay"]

"""The reference operator wallet: a seamless wallet that answers every provider call correctly, over one
ledger."""

from simulator.wallet.app import create_wallet_app
from simulator.wallet.ledger import Ledger, LedgerError
from simulator.wallet.sandbox import Sandbox

__all__ = ["Ledger", "LedgerError", "Sandbox", "create_wallet_app"]

"""The reference operator wallet: a seamless wallet that answers every provider call correctly, over one
ledger."""

from simulator.wallet.app import create_wallet_app
from simulator.wallet.ledger import Ledger, LedgerError

__all__ = ["Ledger", "LedgerError", "create_wallet_app"]

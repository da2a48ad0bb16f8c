"""Outbound HTTP to operator wallets: one pooled session per process, timeouts, and error mapping at the boundary."""

from simulator.wallet_client.client import WalletClient, map_client_errors

__all__ = ["WalletClient", "map_client_errors"]

"""Wallet dialects: how one ``WalletCall`` becomes a signed request in a studio's protocol, and how the reply
is read."""

from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.native import NativeDialect

__all__ = ["NativeDialect", "WalletCall", "WalletReply", "WalletRequest"]

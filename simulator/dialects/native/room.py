"""The native dialect, whole: the wallet's own protocol. Its reference-wallet side is the wallet's root API
(``simulator.wallet.app``), so it mounts nothing of its own."""

from __future__ import annotations

from collections.abc import Callable

from simulator.clock import Clock
from simulator.dialects.native import NativeDialect
from simulator.dialects.native.tamper import NativeWire
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    return NativeDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock, request_ids=request_ids)


ROOM = Room("native", client, NativeWire, primary=True)

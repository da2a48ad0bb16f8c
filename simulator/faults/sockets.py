"""Faults on live tables' sockets: the rules of side ``socket`` meet every message the server pushes to a player.

A message is matched on its ``type`` (``operation``: ``round_opened``, ``no_more_bets``, ``result``, ``settlement``,
``bet_accepted`` ...) and on who receives it: ``player``, ``game`` (a live table's id is its game's), ``studio``,
``currency``; counters may be kept ``per`` ``session`` (one socket's session), ``player``, ``round`` (the table
round the message is about), ``game`` or ``studio``. So ``skip: 5, per: session, max_count: 1`` with a ``close``
drops every socket once, after its fifth message, and ``operation: result`` with a ``reset`` drops sockets as the
result comes. Each firing is counted in the fault metrics; socket messages are not journaled (one result is one
message per player).

The actions do to the socket what a bad link or a restarting server would: ``delay`` (the message arrives late, and
what follows waits behind it), ``close`` (the server closes the WebSocket, code 4001) and ``reset`` (the TCP connection
is reset with no closing handshake), before the message is written (it is lost) or after it.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from simulator.faults.outbound import Sleep
from simulator.faults.rules import SocketAction
from simulator.faults.ruleset import FaultSet, Firing, Target
from simulator.metrics import Metrics
from simulator.store.records import Session

SIDE = "socket"
DROPPED = 4001  # close code of a socket a fault rule closed (private range)


class Socket(Protocol):
    """What a fault action may do to one player's live socket."""

    async def write(self, text: str) -> None:
        """Write the message now (behind any message still held back)."""

    def write_later(self, wait: Callable[[], Awaitable[None]], text: str) -> None:
        """Write the message once ``wait()`` is over; messages written meanwhile wait behind it."""

    def drop(self, *, reset: bool) -> None:
        """End the connection: a WebSocket close (code ``DROPPED``), or a TCP reset; nothing more is written."""


@dataclass(slots=True)
class SocketCall:
    """One message a rule fired on, as its action sees it: the text, the socket, the injected sleep and the seeded
    fault RNG."""

    socket: Socket
    text: str
    rng: random.Random
    sleep: Sleep

    async def write(self) -> None:
        await self.socket.write(self.text)

    def later(self, seconds: float) -> None:
        self.socket.write_later(functools.partial(self.sleep, seconds), self.text)

    def drop(self, *, reset: bool) -> None:
        self.socket.drop(reset=reset)


class SocketFaults:
    """The socket rules of the app's rule set, applied to the messages of this process's live sockets."""

    def __init__(self, faults: FaultSet, *, sleep: Sleep, metrics: Metrics) -> None:
        self.faults = faults
        self._sleep = sleep
        self._metrics = metrics

    def select(self, kind: str, session: Session, round_id: str | None) -> Firing | None:
        """The rule to apply to a message of type ``kind`` to the socket of ``session``, if any (counted at once)."""
        faults = self.faults
        if not (faults.active and SIDE in faults.sides):
            return None
        bucket = faults.bucket(SIDE, kind)
        if not bucket.size:
            return None
        target = Target(
            SIDE,
            kind,
            studio=session.studio_id,
            game=session.game_id,
            player=session.player_id,
            currency=session.currency,
            session=session.token,
            round=round_id,
        )
        firing = faults.select(target, bucket)
        if firing is not None:
            self._metrics.fault_injected(firing.compiled.id, SIDE, firing.rule.action.type)
        return firing

    async def apply(self, firing: Firing, socket: Socket, text: str) -> None:
        """Do what the rule that fired says with this message to this socket."""
        action = firing.rule.action
        assert isinstance(action, SocketAction), action.type  # the rule validator refused it otherwise
        await action.socket(SocketCall(socket, text, self.faults.rng, self._sleep))

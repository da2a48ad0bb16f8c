"""The event loop the servers run on (``casino-sim serve`` and ``casino-sim wallet``): uvloop where it is installed.

uvloop (libuv under asyncio's interface) runs a round's network work in C where asyncio's own loop runs it in Python:
``bench/round_ab.py`` shows the simulator's CPU per round in scenario b a few percent lower on it. The
``event_loop`` setting picks one: ``auto`` (uvloop when importable, else asyncio's), ``uvloop`` (an error when it is
missing) or ``asyncio``. Clients, commands and the tests run on asyncio's loop.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

from simulator.errors import ConfigurationError

T = TypeVar("T")
LoopChoice = Literal["auto", "uvloop", "asyncio"]


def loop_name(choice: LoopChoice) -> str:
    """The loop ``choice`` runs on: ``uvloop`` or ``asyncio``."""
    if choice == "auto":
        return "uvloop" if importable("uvloop") else "asyncio"
    if choice == "uvloop" and not importable("uvloop"):
        raise ConfigurationError("event_loop is uvloop, but uvloop is not installed: pip install uvloop")
    return choice


def importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def loop_factory(choice: LoopChoice) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What makes the chosen loop (``None``: asyncio's default)."""
    if loop_name(choice) == "asyncio":
        return None
    import uvloop

    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T], choice: LoopChoice) -> T:
    """``asyncio.run(main)`` on the chosen loop; ``main`` is closed unrun when the loop cannot be had."""
    try:
        factory = loop_factory(choice)
    except ConfigurationError:
        main.close()
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)

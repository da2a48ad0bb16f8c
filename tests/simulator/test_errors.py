"""The error tree drawn in ``simulator.errors`` is complete and true: every exception class defined in ``simulator``
or ``games`` is drawn once, under the class it derives from, and nothing drawn is missing from the code; the
wallet-refusal table maps refusals to the statuses the game API answers with."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import games
import simulator
from simulator import errors
from simulator.errors import WALLET_REFUSAL_STATUS, WalletRefused, refusal

_NAME = re.compile(r"^    ([│├└─ ]*)([A-Z]\w+)")


def defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in (simulator, games):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                    assert obj.__name__ not in found or found[obj.__name__] is obj, f"two classes named {obj.__name__}"
                    found[obj.__name__] = obj
    return found


def drawn_tree() -> dict[str, str | None]:
    """Each drawn class with its drawn parent (None for a root), from the docstring's indented blocks."""
    assert errors.__doc__ is not None
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in errors.__doc__.splitlines():
        match = _NAME.match(line)
        if match is None:
            continue
        depth = len(match.group(1)) // 4
        assert len(match.group(1)) % 4 == 0 and depth <= len(stack), line
        name = match.group(2)
        assert name not in parents, f"{name} drawn twice"
        del stack[depth:]
        parents[name] = stack[-1] if stack else None
        stack.append(name)
    return parents


def test_every_exception_class_is_drawn_under_its_base() -> None:
    defined, drawn = defined_exceptions(), drawn_tree()
    assert sorted(set(defined) - set(drawn)) == [], "defined but not drawn in simulator/errors.py"
    assert sorted(set(drawn) - set(defined)) == [], "drawn but defined nowhere"
    for name, parent in drawn.items():
        bases = [base.__name__ for base in defined[name].__bases__]
        if parent is None:  # a root derives from builtins only
            assert [b for b in bases if b in defined] == [], name
        else:
            assert bases[0] == parent, f"{name} is drawn under {parent} but derives from {bases}"


def test_the_tree_has_every_root() -> None:
    roots = {name for name, parent in drawn_tree().items() if parent is None}
    assert {"SimulatorError", "TransportError", "GameError", "LedgerFileError"} <= roots
    defined = defined_exceptions()
    assert issubclass(defined["CredentialsError"], errors.ConfigurationError)
    assert not issubclass(errors.ConfigurationError, errors.RequestError)


def test_refusals_take_the_tables_status() -> None:
    for code, status in WALLET_REFUSAL_STATUS.items():
        answered = refusal(WalletRefused("no", code=code, extra={"balance": 5}))
        assert (answered.code, answered.status, answered.extra) == (code, status, {"balance": 5})
    assert refusal(WalletRefused("no", code="SOMETHING_NEW")).status == 409
    assert WALLET_REFUSAL_STATUS["INSUFFICIENT_FUNDS"] == 402

"""The packages' façades export exactly their public names, sorted."""

from __future__ import annotations

import types

import pytest

import games
import simulator
import simulator_sdk


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(simulator, id="simulator"),
        pytest.param(games, id="games"),
        pytest.param(simulator_sdk, id="simulator_sdk"),
    ],
)
def test_all_lists_the_public_names(module: types.ModuleType) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    public.discard("annotations")
    public |= set(getattr(module, "_LAZY", ()))  # loaded on first use, by the package's __getattr__
    exported = set(module.__all__)
    assert all(getattr(module, name) is not None for name in exported)
    assert exported - {"__version__"} == public
    assert module.__all__ == sorted(module.__all__, key=_isort_style)


def _isort_style(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions: the order ruff keeps ``__all__`` in."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

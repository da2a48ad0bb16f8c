"""docs/fairness.md and the docstring examples of the random-source modules are run, so they cannot drift."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from types import ModuleType

import pytest

import games.certify.battery
import games.hashchain
import games.rng

FAIRNESS = Path(__file__).resolve().parents[2] / "docs" / "fairness.md"
BLOCKS = re.findall(r"```python\n(.*?)```", FAIRNESS.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_document_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_fairness_examples_run(code: str) -> None:
    exec(compile(code, str(FAIRNESS), "exec"), {"__name__": "fairness_doc"})  # noqa: S102


@pytest.mark.parametrize("module", [games.rng, games.hashchain, games.certify.battery], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0

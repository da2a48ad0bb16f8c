"""docs/reporting.md describes every figure the money report returns, every grouping, and the kinds' roles."""

from __future__ import annotations

from pathlib import Path

from simulator.reports.kinds import ROLES
from simulator.reports.models import MoneyFigures
from simulator.reports.query import DIMENSIONS, FILTERS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "reporting.md").read_text()


def test_every_figure_has_its_row() -> None:
    for name in MoneyFigures.model_fields:
        assert f"| `{name}` |" in DOC, name


def test_every_grouping_filter_and_kind_is_named() -> None:
    for name in (*DIMENSIONS, *FILTERS, *ROLES):
        assert f"`{name}`" in DOC, name

"""docs/security.md names real tests and its configuration example loads (its Python example is run by
tests/docs/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "security.md"


def test_every_test_the_page_names_exists() -> None:
    named = set(re.findall(r"`(?:[\w/]+\.py::)?(test_\w+)`", DOC.read_text()))
    defined = {
        name
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), flags=re.M)
    }
    assert len(named) > 40
    assert named - defined == set()


def test_the_rotation_example_loads(tmp_path: Path) -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)
    path = tmp_path / "casino-sim.toml"
    path.write_text(example)
    settings = load_settings(path)
    assert [k.key_id for k in settings.operators["acme"].keys] == ["acme-2026-01", "acme-2026-07"]
    assert isinstance(settings, Settings)


def test_every_setting_the_page_lists_exists() -> None:
    table = DOC.read_text().split("| setting | default | meaning |", 1)[1].split("\n\n", 1)[0]
    names = {name for cell in re.findall(r"^\| ([^|]+) \|", table, flags=re.M) for name in re.findall(r"`(\w+)`", cell)}
    assert names and names <= set(Settings.model_fields)

"""The settings that turn the profiles on: a studio assigned to a dialect, Hub88 operators and their keys,
Groove operator ids. Bad ones are refused by name, before anything serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from simulator.app import create_app
from simulator.catalog.builder import blueprint_for
from simulator.errors import ConfigurationError
from simulator.settings import Settings
from tests.compat.keys import new_pair


def test_an_unknown_dialect_for_a_studio_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="'studio-001': unknown wallet dialect 'hub99'"):
        Settings(data_dir=tmp_path, studio_dialects={"studio-001": "hub99"})


def test_an_unknown_studio_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="studio-999"):
        create_app(Settings(data_dir=tmp_path, studio_dialects={"studio-999": "hub88"}))


def test_a_hub88_operator_needs_a_readable_public_key_and_a_numeric_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="operator '7'"):
        create_app(Settings(data_dir=tmp_path, hub88_operators={"7": {"public_key_path": tmp_path / "none.pem"}}))
    pair = new_pair(tmp_path / "keys", "operator")
    with pytest.raises(ConfigurationError, match="operator 'seven'"):
        create_app(Settings(data_dir=tmp_path, hub88_operators={"seven": {"public_key_path": pair.public_path}}))
    create_app(Settings(data_dir=tmp_path, hub88_operators={"7": {"public_key_path": pair.public_path}}))


def test_assigning_studios_changes_those_studios_only(tmp_path: Path) -> None:
    default = {s.studio_id: s.dialect for s in blueprint_for(20261120).studios}
    assert "hub88" not in default.values() and "groove" not in default.values()  # never dealt
    from simulator.state import CATALOG

    app = create_app(Settings(data_dir=tmp_path, studio_dialects={"studio-001": "hub88", "studio-002": "groove"}))
    moved = {s.studio_id: s.dialect for s in app[CATALOG].studios.values()}
    assert moved == default | {"studio-001": "hub88", "studio-002": "groove"}
    assert {s.studio_id: s.dialect for s in blueprint_for(20261120).studios} == default  # the blueprint is untouched

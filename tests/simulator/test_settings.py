"""Settings come from defaults, a TOML or YAML file, CASINO_SIM_* variables and flags, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from simulator.errors import ConfigurationError
from simulator.settings import Settings, load_settings


def test_defaults_are_the_embedded_setup() -> None:
    s = Settings()
    assert (s.host, s.port) == ("127.0.0.1", 8080)
    assert s.effective_wallet_url == "http://127.0.0.1:8080/wallet"
    assert s.effective_database_url == "sqlite:///data/simulator.sqlite3"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("sim.toml", 'port = 9100\nseed = 5\nwallet_url = "http://127.0.0.1:9200"\n', id="toml"),
        pytest.param("sim.yaml", "port: 9100\nseed: 5\nwallet_url: http://127.0.0.1:9200\n", id="yaml"),
    ],
)
def test_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    s = load_settings(path)
    assert (s.port, s.seed, s.effective_wallet_url) == (9100, 5, "http://127.0.0.1:9200")
    monkeypatch.setenv("CASINO_SIM_PORT", "9300")
    assert load_settings(path).port == 9300
    assert load_settings(path, port=9400).port == 9400


def test_unknown_key_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "sim.toml"
    path.write_text("prot = 1\n")
    with pytest.raises(ValidationError, match="prot"):
        load_settings(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("bad.toml", "port = [", id="toml"),
        pytest.param("bad.yaml", "port: [", id="yaml"),
        pytest.param("list.yaml", "- 1\n", id="not-a-mapping"),
    ],
)
def test_broken_file_is_a_clear_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=name):
        load_settings(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        Settings().port = 1  # type: ignore[misc]

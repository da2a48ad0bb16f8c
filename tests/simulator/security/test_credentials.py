"""Development credentials: created once with mode 0600, upgraded in place (the wallet secret kept), agreed on by
processes starting together, never created by a client, never shown by ``repr``; configured keys win."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from simulator.auth.client import client_auth
from simulator.auth.keys import load_auth_keys
from simulator.credentials import FILE_NAME, CredentialsError, load_or_create, read_existing
from simulator.settings import Settings


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_first_start_creates_every_credential_readable_by_the_owner_only(tmp_path: Path) -> None:
    creds = load_or_create(tmp_path, "casino-sim")
    assert creds.path == tmp_path / FILE_NAME and mode(creds.path) == 0o600
    data = json.loads(creds.path.read_text())
    assert set(data) == {"wallet_key_id", "wallet_secret", "operator_id", "operator_keys", "admin_token"}
    assert [k["key_id"] for k in data["operator_keys"]] == ["dev-key-1", "dev-key-2"]
    secrets = [creds.wallet_secret, creds.admin_token, *(k.secret for k in creds.operator_keys)]
    assert len(set(secrets)) == 4 and all(len(s) >= 32 for s in secrets)
    assert load_or_create(tmp_path, "casino-sim") == creds  # the second start reads, never regenerates


def test_an_old_file_is_upgraded_in_place_keeping_the_wallet_secret(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({"wallet_key_id": "casino-sim", "wallet_secret": "the-old-secret"}))
    path.chmod(0o644)
    creds = load_or_create(tmp_path, "casino-sim")
    assert (creds.wallet_key_id, creds.wallet_secret) == ("casino-sim", "the-old-secret")
    assert len(creds.operator_keys) == 2 and creds.admin_token
    assert mode(path) == 0o600
    data = json.loads(path.read_text())
    assert data["wallet_secret"] == "the-old-secret" and data["admin_token"] == creds.admin_token


def test_a_tightened_file_is_left_alone_and_a_loose_complete_one_is_tightened(tmp_path: Path) -> None:
    creds = load_or_create(tmp_path, "casino-sim")
    assert creds.path is not None
    creds.path.chmod(0o640)
    assert load_or_create(tmp_path, "casino-sim") == creds
    assert mode(creds.path) == 0o600


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_a_broken_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    (tmp_path / FILE_NAME).write_text(text)
    with pytest.raises(CredentialsError, match="fix or delete it"):
        load_or_create(tmp_path, "casino-sim")


def test_processes_starting_together_agree_on_one_set(tmp_path: Path) -> None:
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(load_or_create(tmp_path, "casino-sim"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({(c.wallet_secret, c.admin_token, c.operator_keys) for c in results}) == 1


def test_clients_never_create_credentials(tmp_path: Path) -> None:
    assert read_existing(tmp_path) is None
    assert client_auth(Settings(data_dir=tmp_path)) is None
    assert not (tmp_path / FILE_NAME).exists()


def test_repr_never_shows_a_secret(tmp_path: Path) -> None:
    creds = load_or_create(tmp_path, "casino-sim")
    keys = load_auth_keys(Settings(data_dir=tmp_path))
    shown = repr(creds) + repr(keys) + repr(client_auth(Settings(data_dir=tmp_path)))
    for secret in [creds.wallet_secret, *keys.secrets()]:
        assert secret not in shown


def test_configured_operators_and_admin_token_win(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        operators={"acme": {"keys": [{"key_id": "acme-1", "secret": "a" * 32}]}},
        admin_token="admin-token-from-settings",
    )
    keys = load_auth_keys(settings)
    assert list(keys.operator_keys) == ["acme-1"] and keys.admin_token == "admin-token-from-settings"
    assert keys.path is None
    auth = client_auth(settings)
    assert auth is not None and auth.key is not None and auth.key.key_id == "acme-1"


@pytest.mark.parametrize(
    ("operators", "message"),
    [
        pytest.param({"a": {"keys": []}}, "at least 1", id="no-key"),
        pytest.param({"a": {"keys": [{"key_id": f"k{i}", "secret": "s" * 16} for i in range(3)]}}, "at most 2", id="3"),
        pytest.param({"a": {"keys": [{"key_id": "k", "secret": "short"}]}}, "16 characters", id="short-secret"),
        pytest.param(
            {
                "a": {"keys": [{"key_id": "k", "secret": "s" * 16}]},
                "b": {"keys": [{"key_id": "k", "secret": "t" * 16}]},
            },
            "used twice",
            id="shared-key-id",
        ),
    ],
)
def test_bad_operator_settings_are_refused(operators: dict[str, object], message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        Settings(operators=operators)

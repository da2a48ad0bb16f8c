"""The SDK's parts without a server: the signature recipe, the request targets, how answers become errors, the
error drawing, and that the package imports nothing of the server."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.auth import signing as server_signing
from simulator.lifecycle import FINAL_ROUND_STATUSES
from simulator_sdk import calls, errors, signing
from simulator_sdk.calls import Reply
from simulator_sdk.credentials import Credentials, access

ROOT = Path(__file__).resolve().parents[2]


def test_the_signature_is_the_readme_recipe_and_the_servers_check() -> None:
    body = b'{"currency":"USD"}'
    headers = Credentials("k-1", "s3cret", now=lambda: 1_700_000_000.9, nonces=lambda: "n" * 16).headers(
        "post", "/v1/sessions?x=1", body
    )
    text = "\n".join(["POST", "/v1/sessions?x=1", "1700000000", "n" * 16, hashlib.sha256(body).hexdigest()])
    expected = "sha256=" + hmac.new(b"s3cret", text.encode(), hashlib.sha256).hexdigest()
    assert headers == {
        "X-Operator-Key": "k-1",
        "X-Operator-Timestamp": "1700000000",
        "X-Operator-Nonce": "n" * 16,
        "X-Operator-Signature": expected,
    }
    assert server_signing.sign is signing.sign  # one implementation, used by both sides
    assert server_signing.signature_valid(b"s3cret", "POST", "/v1/sessions?x=1", "1700000000", "n" * 16, body,
                                          expected)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "needs"),
    [
        ("/v1/games", "operator"),
        ("/v2/games/g-1", "operator"),
        ("/admin/faults", "admin"),
        ("/metrics", "admin"),
        ("/wallet/sandbox/players", "admin"),
        ("/sandbox/players", "admin"),
        ("/wallet/ledger", "admin"),
        ("/play/t/rounds", "none"),
        ("/wallet/bet", "none"),
        ("/healthz", "none"),
        ("/v1", "none"),
    ],
)
def test_the_path_decides_the_credential(path: str, needs: str) -> None:
    assert access(path) == needs


def test_targets_encode_filters_as_the_server_reads_them() -> None:
    assert calls.target("/v1/games", {"engine": ["dice", "limbo"], "reference": True, "q": None}) == (
        "/v1/games?engine=dice%2Climbo&reference=true"
    )
    assert calls.target("/v1/games", {}) == "/v1/games"
    assert calls.play("a/b", 5, None).target == "/play/a%2Fb/rounds"
    assert json.loads(calls.play("t", 5, None).body) == {"amount": 5, "params": {}}


def test_an_error_answer_becomes_its_family_with_code_message_and_body() -> None:
    body = json.dumps({"error": {"code": "RATE_LIMITED", "message": "slow down"}}).encode()
    with pytest.raises(errors.RateLimited) as limited:
        Reply(429, "Too Many Requests", [("Retry-After", "2")], body).json()
    assert (limited.value.code, limited.value.status, limited.value.retry_after) == ("RATE_LIMITED", 429, 2.0)
    assert limited.value.body["error"]["message"] == "slow down"
    with pytest.raises(errors.ServerError) as text_error:
        Reply(503, "Service Unavailable", [], b"busy").json()
    assert (text_error.value.code, text_error.value.status) == ("HTTP_503", 503)
    with pytest.raises(errors.TransportError) as not_json:
        Reply(200, "OK", [], b"<html>").json()
    assert not_json.value.code == "NOT_JSON"
    assert Reply(200, "OK", [], b'{"a": 1}').json() == {"a": 1}


@pytest.mark.parametrize(
    ("status", "family"),
    [
        (400, errors.InvalidRequest),
        (415, errors.InvalidRequest),
        (401, errors.Unauthorized),
        (402, errors.InsufficientFunds),
        (403, errors.Forbidden),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (410, errors.Gone),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (502, errors.WalletFailure),
        (503, errors.ServerError),
        (504, errors.WalletFailure),
    ],
)
def test_each_status_has_its_family(status: int, family: type[errors.ApiError]) -> None:
    assert errors.family(status) is family


def test_the_error_drawing_is_the_classes() -> None:
    assert errors.__doc__ is not None
    drawn = dict(re.findall(r"^    [│├└─ ]*([A-Z]\w+)(?:\(([\w, ]+)\))?", errors.__doc__, re.M))
    defined = {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == errors.__name__
    }
    assert set(drawn) == set(defined)
    for name, cls in defined.items():
        assert issubclass(cls, errors.SimulatorClientError) or name == "SimulatorClientError"
        if drawn[name]:  # bases written out: they are the class's bases
            assert [b.strip() for b in drawn[name].split(",")] == [b.__name__ for b in cls.__bases__]


def test_the_settled_round_statuses_are_the_lifecycles() -> None:
    assert {str(s) for s in FINAL_ROUND_STATUSES} == calls.SETTLED_ROUND_STATUSES


def test_the_sdk_and_its_plugin_import_nothing_of_the_server() -> None:
    code = (
        "import sys, simulator_sdk, simulator_sdk.pytest_plugin, simulator_sdk.server\n"
        "light = sorted(m for m in sys.modules if m.split('.')[0] in ('simulator', 'games', 'httpx', 'aiohttp'))\n"
        "import simulator_sdk.client, simulator_sdk.aio\n"
        "server = sorted(m for m in sys.modules if m.split('.')[0] in ('simulator', 'games'))\n"
        "print(light, server)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"  # the plugin loads no HTTP library until a fixture needs one


def test_the_plugin_is_declared_as_a_pytest_entry_point() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"casino_sim": "simulator_sdk.pytest_plugin"}
    assert (
        "simulator_sdk*"
        in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    )


def test_docs_list_every_fixture_of_the_plugin() -> None:
    from simulator_sdk import pytest_plugin

    defined = {name for name in vars(pytest_plugin) if name.startswith("casino_sim_")}
    page = (ROOT / "docs" / "testing.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `casino_sim_")]
    documented = {name for row in rows for name in re.findall(r"`(casino_sim_\w+)`", row.split(" | ")[0])}
    assert documented == defined
    assert all(f"``{name}``" in (pytest_plugin.__doc__ or "") for name in defined)


@pytest.mark.parametrize(
    "module",
    ["simulator_sdk", "simulator_sdk.calls", "simulator_sdk.client", "simulator_sdk.credentials",
     "simulator_sdk.signing"],
)  # fmt: skip
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
    assert result.attempted > 0

"""The docs do not lie: their Python examples run, their configuration examples load, their code tables match
the dialect modules, and the /v2 example is what the API serves for a reference title."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from simulator.dialects import groove, hub88, md5_form, rsa_json, token_query
from simulator.settings import load_settings
from tests.harness import Sim

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("page", [pytest.param(p, id=str(p.relative_to(DOCS))) for p in PAGES if blocks(p, "python")])
def test_python_examples_run(page: Path) -> None:
    for code in blocks(page, "python"):
        exec(compile(code, str(page), "exec"), {})  # noqa: S102 - our own documentation


def test_toml_example_loads(tmp_path: Path) -> None:
    (example,) = blocks(DOCS / "dialects" / "README.md", "toml")
    path = tmp_path / "casino-sim.toml"
    path.write_text(example)
    settings = load_settings(path)
    md5 = settings.wallets["md5_form"]
    assert (md5.url, md5.key_id) == ("https://wallet.operator.example/pp", "casino-sim-7")
    assert md5.secret is not None and md5.secret.get_secret_value() == "change-me"
    assert settings.wallets["rsa_json"].private_key_path == Path("/etc/casino-sim/rsa_private.pem")


@pytest.mark.parametrize(
    ("module", "page"),
    [
        pytest.param(rsa_json, "dialects/rsa_json.md", id="rsa_json"),
        pytest.param(md5_form, "dialects/md5_form.md", id="md5_form"),
        pytest.param(token_query, "dialects/token_query.md", id="token_query"),
        pytest.param(hub88, "compatibility/hub88.md", id="hub88"),
        pytest.param(groove, "compatibility/groove.md", id="groove"),
    ],
)
def test_code_tables_match_the_modules(module: ModuleType, page: str) -> None:
    rows = re.findall(
        r"^\| `?([A-Z0-9_]+)`? \| `?([A-Z_]+|\(unknown outcome\)|\(success\))`? \|",
        (DOCS / page).read_text(),
        flags=re.M,
    )
    table = {code: native for code, native in rows if code not in ("code", "status")}

    def key(code: str) -> object:
        return int(code) if code.isdigit() else code

    documented = {key(c): n for c, n in table.items() if not n.startswith("(")}
    uncertain = {key(c) for c, n in table.items() if n == "(unknown outcome)"}
    assert documented == module.TO_NATIVE
    assert uncertain == set(module.UNCERTAIN)


async def test_v2_example_matches_a_reference_title(sim: Sim) -> None:
    (example,) = blocks(DOCS / "catalogue.md", "json")
    limits = json.loads(example)["bet_limits"]
    game_id = await sim.game_for((await sim.request("GET", "/v1/games?limit=1")).body["games"][0]["engine_id"])
    served = (await sim.request("GET", f"/v2/games/{game_id}")).body["bet_limits"]
    assert {c: served[c] for c in limits} == limits


def test_compatibility_toml_example_loads(tmp_path: Path) -> None:
    (example,) = blocks(DOCS / "compatibility" / "README.md", "toml")
    path = tmp_path / "casino-sim.toml"
    path.write_text(example)
    settings = load_settings(path)
    assert settings.studio_dialects == {"studio-001": "hub88", "studio-002": "groove"}
    assert settings.groove_operator_ids == ["11"]
    assert settings.groove_frb_users["frb@casino.example"].get_secret_value() == "the-back-office-password"
    assert settings.hub88_operators["7"].public_key_path == Path("/etc/casino-sim/operator-7-public.pem")
    assert settings.wallets["hub88"].private_key_path == Path("/etc/casino-sim/hub88-private.pem")
    groove_key = settings.wallets["groove"].secret
    assert groove_key is not None and groove_key.get_secret_value() == "the-security-key"

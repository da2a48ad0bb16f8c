"""CI has no Docker daemon, so compose.yaml is checked statically: every ``casino-sim`` command parses with the real
CLI, every ``CASINO_SIM_*`` variable is a real setting with a valid value, and the Locust services run the
locustfile in this repository with options Locust accepts (that part needs Locust, in a subprocess)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.cli import parser
from simulator.commands.common import settings_from_args
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def interpolate(value: str) -> str:
    """Compose's ``${NAME:-default}`` with nothing set: the default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def command(service: dict[str, Any]) -> list[str]:
    return [interpolate(str(part)) for part in service.get("command", [])]


def casino_services() -> list[str]:
    return [name for name, service in SERVICES.items() if command(service)[:1] == ["casino-sim"]]


def locust_services() -> list[str]:
    return [name for name, service in SERVICES.items() if "locust" in str(service.get("image", ""))]


def test_the_topology_of_the_design() -> None:
    subcommands = [command(SERVICES[name])[1] for name in casino_services()]
    assert subcommands.count("serve") == 2 and subcommands.count("wallet") == 1
    assert any("postgres" in str(service.get("image", "")) for service in SERVICES.values())
    roles = [command(SERVICES[name]) for name in locust_services()]
    assert sum("--master" in argv for argv in roles) == 1 and sum("--worker" in argv for argv in roles) == 1
    for name, service in SERVICES.items():
        depends = service.get("depends_on", [])
        assert set(depends) <= set(SERVICES), f"{name} depends on a service that does not exist"
    published = [port.split(":")[0] for service in SERVICES.values() for port in service.get("ports", [])]
    assert len(published) == len(set(published)), "two services publish the same host port"


@pytest.mark.parametrize("name", casino_services())
def test_casino_sim_commands_and_settings_are_real(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    argv = command(SERVICES[name])
    assert argv[0] in PYPROJECT["project"]["scripts"]
    args = parser().parse_args(argv[1:])
    environment = {key: interpolate(str(value)) for key, value in SERVICES[name].get("environment", {}).items()}
    for key, value in environment.items():
        if key.startswith("CASINO_SIM_"):
            assert key.removeprefix("CASINO_SIM_").lower() in Settings.model_fields, f"{name}: {key} is no setting"
            monkeypatch.setenv(key, value)
    settings = settings_from_args(args)  # validates every value, as the container would at start
    assert settings.host == "0.0.0.0"
    if args.command == "serve":
        assert settings.effective_database_url.startswith("postgresql://"), "instances share state through PostgreSQL"
        assert settings.wallet_secret is not None and settings.wallet_url == "http://wallet:8080"
        assert settings.public_url == f"http://{name}:{settings.port}", "launch URLs must point at this instance"


def test_instances_and_wallet_share_the_database_and_the_secret() -> None:
    def env(name: str, key: str) -> str:
        return str(SERVICES[name]["environment"][key])

    names = casino_services()
    assert len({env(name, "CASINO_SIM_DATABASE_URL") for name in names}) == 1
    assert len({env(name, "CASINO_SIM_WALLET_SECRET") for name in names}) == 1


def test_every_service_shares_one_set_of_credentials() -> None:
    """Auth stays on: the instances, the wallet and Locust agree on the operator key and the admin token."""

    def env(name: str) -> dict[str, str]:
        return {key: interpolate(str(value)) for key, value in SERVICES[name].get("environment", {}).items()}

    instances = [name for name in casino_services() if command(SERVICES[name])[1] == "serve"]
    tokens = {env(name)["CASINO_SIM_ADMIN_TOKEN"] for name in casino_services()}
    tokens |= {env(name)["LOCUST_ADMIN_TOKEN"] for name in locust_services()}
    assert len(tokens) == 1
    operators = {env(name)["CASINO_SIM_OPERATORS"] for name in instances}
    assert len(operators) == 1
    (key,) = Settings(operators=json.loads(operators.pop())).operators["compose"].keys
    for name in locust_services():
        assert (env(name)["LOCUST_OPERATOR_KEY_ID"], env(name)["LOCUST_OPERATOR_SECRET"]) == (
            key.key_id,
            key.secret.get_secret_value(),
        )
    assert all("CASINO_SIM_AUTH" not in env(name) for name in casino_services())


@pytest.mark.parametrize("name", locust_services())
def test_locust_services_run_this_locustfile(name: str) -> None:
    service = SERVICES[name]
    minimum = next(dep for dep in PYPROJECT["project"]["optional-dependencies"]["load"] if dep.startswith("locust"))
    tag = str(service["image"]).rsplit(":", 1)[1]
    assert tuple(map(int, tag.split("."))) >= tuple(map(int, minimum.split(">=")[1].split("."))), "pin a version"
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in service["volumes"]}
    argv = command(service)
    locustfile = argv[argv.index("-f") + 1]
    inside = next(path for path in mounts.values() if locustfile.startswith(path + "/"))
    host_dir = next(host for host, path in mounts.items() if path == inside)
    assert (ROOT / host_dir / locustfile.removeprefix(inside + "/")).is_file()


@pytest.mark.skipif(find_spec("locust") is None, reason="Locust is not installed (pip install -e '.[load]')")
def test_locust_accepts_the_options_and_variables_compose_gives_it() -> None:
    checks = {
        name: {
            "argv": [arg for arg in command(SERVICES[name]) if arg not in ("-f", "/mnt/locust/locustfile.py")],
            "env": sorted(SERVICES[name].get("environment", {})),
        }
        for name in locust_services()
    }
    script = """
import json, sys
sys.path.insert(0, "loadtests")
import locustfile  # registers the custom options
from locust.argument_parser import get_parser
checks = json.loads(sys.argv[1])
parser = get_parser()
variables = {action.env_var for action in parser._actions if getattr(action, "env_var", None)}
variables |= {"LOCUST_" + action.dest.upper() for action in parser._actions}
for name, check in checks.items():
    parser.parse_args(check["argv"])
    unknown = [v for v in check["env"] if v not in variables]
    assert not unknown, f"{name}: unknown variables {unknown}"
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(checks)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def seconds(duration: str) -> float:
    """A compose duration such as ``2s``, ``1m30s``."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[unit] for n, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration))


def test_the_casino_services_share_one_data_volume() -> None:
    """The rsa_json development key pair is made in the data directory: one volume, or each container signs with a
    key the wallet does not know."""
    workdir = re.findall(r"^WORKDIR\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.M)[-1]
    sources = set()
    for name in casino_services():
        data_dir = str(SERVICES[name].get("environment", {}).get("CASINO_SIM_DATA_DIR", Settings().data_dir))
        target = data_dir if data_dir.startswith("/") else f"{workdir}/{data_dir}"
        mounts = [v.split(":")[0] for v in SERVICES[name].get("volumes", []) if v.split(":")[1] == target]
        assert len(mounts) == 1, f"{name}: no volume at its data directory {target}"
        sources |= set(mounts)
    assert len(sources) == 1 and sources <= set(COMPOSE.get("volumes") or {}), "one named volume for all"


def test_a_cold_start_of_everything_at_once_waits_for_health() -> None:
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        for dependency in depends:
            if "healthcheck" in SERVICES[dependency]:
                assert isinstance(depends, dict), f"{name}: wait for {dependency} to be healthy, not just started"
                assert depends[dependency]["condition"] == "service_healthy", f"{name} -> {dependency}"
        if check := service.get("healthcheck"):
            assert "start_period" in check, f"{name}: no start_period for a first start"
            patience = seconds(check["start_period"]) + check["retries"] * seconds(check["interval"])
            assert patience >= 60, f"{name}: unhealthy after {patience:.0f}s; a cold start takes longer"
    assert all("healthcheck" in SERVICES[name] for name in casino_services()), (
        "each casino-sim service says when it is ready"
    )
    pg_isready = SERVICES["postgres"]["healthcheck"]["test"]
    assert "-h" in pg_isready, "over TCP: the image's temporary server during initialisation listens on a socket only"

"""CI has no Docker daemon, so the Dockerfile is checked statically against the project it packages."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_multi_stage_on_a_supported_python() -> None:
    froms = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert len(froms) >= 2
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    for image in froms:
        version = re.search(r"python:(\d+\.\d+)", image)
        assert version is not None
        assert tuple(map(int, version.group(1).split("."))) >= tuple(map(int, minimum.split(".")))


def test_installs_the_package_with_pip_like_the_readme() -> None:
    runs = " ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    assert "pip wheel" in runs and " ." in runs, "the project itself is built, as `pip install -e .` builds it"
    assert "pip install" in runs and "/wheels/*.whl" in runs
    readme = (ROOT / "README.md").read_text()
    assert "pip install -e ." in readme
    copied = " ".join(rest for keyword, rest in instructions() if keyword == "COPY")
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in packages:
        assert package.rstrip("*") in copied


def test_runs_as_non_root_unbuffered_with_a_healthcheck() -> None:
    keywords = dict(instructions())
    assert keywords["USER"] not in ("root", "0")
    assert "PYTHONUNBUFFERED=1" in keywords["ENV"]
    assert "/healthz" in keywords["HEALTHCHECK"]


def test_default_command_is_a_real_console_script() -> None:
    cmd = [rest for keyword, rest in instructions() if keyword == "CMD"][-1]
    argv = shlex.split(cmd.strip("[]").replace('", "', " ").replace('"', ""))
    assert argv == ["casino-sim", "serve", "--host", "0.0.0.0"]
    assert argv[0] in PYPROJECT["project"]["scripts"]
    from simulator.cli import parser

    args = parser().parse_args(argv[1:])
    assert args.command == "serve" and args.host == "0.0.0.0"


def _locked() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock: package -> (version, hashes)."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "requirements.lock").read_text())
    locked = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            pin, *options = line.split()
            name, _, version = pin.partition("==")
            locked[name.lower().replace("_", "-")] = (version, [o for o in options if o.startswith("--hash=")])
    return locked


def test_the_image_installs_the_lock_file_with_hashes_then_the_project_without_resolving() -> None:
    runs = [rest for keyword, rest in instructions() if keyword == "RUN"]
    assert any("--require-hashes -r" in r and "requirements.lock" in r for r in runs)
    assert any("--no-deps /wheels/*.whl" in r for r in runs), "the wheel adds no dependency the lock did not pin"


def test_the_lock_file_pins_every_runtime_dependency_within_the_project_ranges() -> None:
    from packaging.requirements import Requirement

    locked = _locked()
    assert all(version and hashes for version, hashes in locked.values()), "every line pinned and hashed"
    wanted = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["postgres"]]
    for spec in wanted:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in locked, f"{name} is missing from requirements.lock: regenerate it (see its first lines)"
        version = locked[name][0]
        assert requirement.specifier.contains(version), f"{name}=={version} is outside {requirement.specifier}"
    assert "scipy" not in locked, "the image serves; the RNG battery's extra stays out of it"

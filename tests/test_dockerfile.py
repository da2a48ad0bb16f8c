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

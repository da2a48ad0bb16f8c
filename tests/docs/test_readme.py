"""The README works as written: its commands after the quick start, in order, against a server started as the quick
start starts it (``tests/readme_commands.py`` says how the README marks them); and, marked ``slow``, the whole path
from a fresh clone: the two quick-start commands in a new venv, then the same commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.readme_commands import ROOT, base_environment, blocks, commands, run_in_order

QUICK_START = [
    "python3 -m venv .venv && .venv/bin/pip install -U pip && .venv/bin/pip install -e . && .venv/bin/casino-sim serve",
    ".venv/bin/pip install -e . --group dev && .venv/bin/pytest",
]


def test_the_readme_marks_its_commands() -> None:
    assert [c.text for block in blocks("quick-start") for c in commands(block)] == QUICK_START
    ran = [c for block in blocks("run") for c in commands(block)]
    assert len(ran) >= 10
    assert all(c.text.startswith((".venv/bin/", "curl ")) for c in ran), "commands use the venv's path"
    bound = {name for c in ran for name in c.binds}
    assert {"PLAYER_ID", "SESSION_TOKEN", "CRASH_ROUND_ID", "SERVER_SEED"} <= bound
    assert any('"action": "cashout"' in c.text for c in ran), "a multi-step round with its action body"
    assert any("reference=true" in c.text for c in ran)


class Server:
    """A ``casino-sim serve`` process; a thread keeps reading its output so it never blocks on a full pipe."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], *, timeout: float) -> None:
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout):
            self.stop()
            pytest.fail("the server never finished its banner:\n" + "".join(self.lines[-40:]))
        banner = "".join(self.lines)
        match = re.search(r"casino-sim listening on http://127\.0\.0\.1:(\d+)", banner)
        if match is None:
            self.stop()
            pytest.fail("no address in the banner:\n" + banner[-4000:])
        self.port = int(match.group(1))
        self.banner = banner[match.start() :]

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("Ctrl-C stops it cleanly"):
                self._ready.set()
        self._ready.set()  # the process ended: the caller reports what it printed

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _clone_like(tmp_path: Path) -> Path:
    """A directory that looks like a clone with the quick start done: the repository's files, and ``.venv`` the
    environment running the tests."""
    home = tmp_path / "checkout"
    home.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in (".git", ".venv", "data", "reports") and not entry.name.startswith("."):
            (home / entry.name).symlink_to(entry)
    (home / ".venv").symlink_to(Path(sys.prefix))
    return home


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's game-client calls use curl")
def test_readme_commands_run_in_order(tmp_path: Path) -> None:
    if not (Path(sys.prefix) / "bin" / "casino-sim").exists():
        pytest.skip("casino-sim is not installed in this environment (pip install -e .)")
    home = _clone_like(tmp_path)
    env = base_environment() | {"PYTHONPATH": str(ROOT)}
    server = Server([".venv/bin/casino-sim", "serve", "--port", "0"], home, env, timeout=60)
    try:
        ran = run_in_order(home, server.port, env)
    finally:
        server.stop()
    assert any(command.startswith(".venv/bin/casino-sim verify") for command in ran)
    assert ".venv/bin/casino-sim call" in server.banner, server.banner


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None or shutil.which("curl") is None, reason="needs git and curl")
def test_fresh_clone_quick_start_then_every_command(tmp_path: Path) -> None:
    """What CI runs: ``git clone`` of this checkout's HEAD, the first quick-start command as written (the server is
    told ``--port 0`` so it cannot collide with another on 8080), the second one's install as written with the test
    run narrowed to the docs tests (the whole suite is CI's own step), then every README command."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    env = base_environment()
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    first, second = QUICK_START
    server = Server(["bash", "-c", first + " --port 0"], clone, env, timeout=1200)
    try:
        install, _, tests = second.partition(" && ")
        assert tests == ".venv/bin/pytest"
        installed = subprocess.run(
            ["bash", "-c", install], cwd=clone, env=env, capture_output=True, text=True, timeout=1800, check=False
        )
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        docs = subprocess.run(
            [".venv/bin/pytest", "tests/docs", "-q", "-p", "no:cacheprovider", "-k", "not fresh_clone"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        assert docs.returncode == 0, docs.stdout[-5000:]
        run_in_order(clone, server.port, env)
    finally:
        server.stop()
    assert ".venv/bin/casino-sim call" in server.banner, server.banner

"""How the app is put together: every ``web.AppKey`` in one module that depends on nothing of the simulator, the
wallet hook and the counters handed to the objects that use them when they are built, no private names imported
across modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from simulator import state
from simulator.settings import Settings
from simulator.state import FAULTS, METRICS, WALLETS
from tests.harness import Sim

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "simulator").rglob("*.py"))


def _calls_app_key(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "AppKey":
                lines.append(node.lineno)
    return lines


def test_every_app_key_is_declared_in_the_state_module() -> None:
    elsewhere = {
        str(path.relative_to(ROOT)): lines
        for path in SOURCES
        if path != ROOT / "simulator" / "state.py" and (lines := _calls_app_key(ast.parse(path.read_text())))
    }
    assert elsewhere == {}
    assert len(_calls_app_key(ast.parse(Path(state.__file__).read_text()))) >= 22


def test_the_state_module_loads_nothing_of_the_simulator() -> None:
    probe = "import sys, simulator.state; print(' '.join(m for m in sys.modules if m.startswith('simulator')))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    # the package itself loads its two light modules (clock and errors)
    assert set(result.stdout.split()) == {"simulator", "simulator.state", "simulator.clock", "simulator.errors"}


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("simulator", "games")):
                found += [
                    f"{path.relative_to(ROOT)}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert found == []


async def test_wallet_clients_and_counters_are_the_apps(sim: Sim, settings: Settings) -> None:
    faults, metrics = sim.app[FAULTS], sim.app[METRICS]
    studios = {studio.dialect: studio.studio_id for studio in sim.app[state.CATALOG].studios.values()}
    assert len(studios) >= 2
    for studio_id in studios.values():
        assert sim.app[WALLETS](studio_id).hook is faults.hook
    assert faults.metrics is metrics
    await sim.request("GET", "/v1/games?limit=1")
    assert metrics.value("casino_sim_http_requests_total", operation="games", status="200") == 1
    reply = await sim.request("GET", "/metrics")
    assert reply.status == 200 and 'casino_sim_http_requests_total{operation="games",status="200"} 1.0' in reply.body

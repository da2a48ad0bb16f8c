"""examples/operator_project, an operator's own wallet and its tests, passes: its suite runs in a subprocess with
the casino_sim plugin (by entry point where installed) against a simulator pointed at its wallet, and uses nothing
of the simulator but the SDK and the plugin."""

from __future__ import annotations

import ast
import sys

from tests.simulator_sdk.runs import ROOT, run_pytest

PROJECT = ROOT / "examples" / "operator_project"


def test_the_example_operator_project_passes_with_the_plugin() -> None:
    run = run_pytest("-q", cwd=PROJECT)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-3000:]
    assert "4 passed" in run.stdout


def test_the_example_uses_only_the_sdk_and_the_plugin_of_the_simulator() -> None:
    own = {path.stem for path in PROJECT.glob("*.py")} | {"tests"}
    allowed = set(sys.stdlib_module_names) | own | {"pytest", "simulator_sdk"}
    for path in PROJECT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in allowed, f"{path.relative_to(ROOT)} imports {name}"

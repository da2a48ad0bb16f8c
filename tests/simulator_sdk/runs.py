"""pytest in a subprocess with the casino_sim plugin and no other: through its entry point when this environment
has it installed (as an operator's has), else by module name (a checkout whose install predates the plugin)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 600.0  # a bound for a run that hangs; a run takes seconds


def plugin_argument() -> str:
    installed = any(ep.name == "casino_sim" for ep in entry_points(group="pytest11"))
    return "casino_sim" if installed else "simulator_sdk.pytest_plugin"


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASINO_SIM_", "PYTEST_"))}
    env |= {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
            os.environ.get("PYTHONPATH")]))}  # fmt: skip
    argv = [sys.executable, "-m", "pytest", "-p", plugin_argument(), "-p", "no:cacheprovider", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=LIMIT, check=False)

"""The locustfile against a real simulator on loopback: one user alone, a headless run with its reports and SLO gate,
a run that breaks the gate, and a distributed run (one master, two workers) through the promotion spike.

Locust always runs in a subprocess: importing it here would monkey-patch this process with gevent. Without Locust
installed (the ``load`` extra), these tests skip; ``importlib.util.find_spec`` looks for it without importing it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "loadtests" / "locustfile.py"
LOCUST = [sys.executable, "-m", "locust"]
FAST = ["--think-time", "0.02,0.05"]
# Latency gates these tests cannot break by load alone: a busy two-core machine stretches a p99 past a second.
# The gate itself is proved by test_a_broken_slo_fails_the_run; the failure-ratio gate keeps its default.
LENIENT = ["--slo-p95-ms", "60000", "--slo-p99-ms", "60000"]

pytestmark = pytest.mark.skipif(
    find_spec("locust") is None,
    reason="Locust is not installed in this environment (pip install -e '.[load]'); it only ever runs in a subprocess",
)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("sim") / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--data-dir", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    match = re.search(r"listening on (http://\S+)", proc.stdout.readline())
    if match is None:
        proc.kill()
        pytest.fail(f"the simulator did not start: {proc.communicate(timeout=30)[0]}")
    # every Locust process these tests start signs with the simulator's credentials
    before = os.environ.get("LOCUST_CREDENTIALS")
    os.environ["LOCUST_CREDENTIALS"] = str(data / "credentials.json")
    try:
        yield match.group(1)
    finally:
        if before is None:
            os.environ.pop("LOCUST_CREDENTIALS", None)
        else:
            os.environ["LOCUST_CREDENTIALS"] = before
        proc.terminate()
        proc.communicate(timeout=60)


def reports(tmp_path: Path) -> list[str]:
    prefix = str(tmp_path / "load")
    return ["--csv", prefix, "--html", f"{prefix}.html", "--json-file", prefix]


def run_locust(args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    argv = [*LOCUST, "--config", str(ROOT / "loadtests" / "locust.conf"), "-f", str(LOCUSTFILE), *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def stats(tmp_path: Path) -> dict[str, dict[str, Any]]:
    entries = json.loads((tmp_path / "load.json").read_text())
    return {entry["name"]: entry for entry in entries}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_one_user_alone_for_debugging(simulator: str) -> None:
    env = os.environ | {"LOCUST_MAX_TASKS": "15", "LOCUST_THINK_TIME": "0.01,0.02"}
    result = subprocess.run(
        [sys.executable, str(LOCUSTFILE), "--host", simulator],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.startswith(("GET\t", "POST\t"))]
    names = {row[1].strip() for row in rows}
    assert {"POST /wallet/sandbox/players", "POST /v1/sessions", "POST /play/[token]/rounds"} <= names
    assert [row for row in rows if row[3].strip()] == [], "a request failed its checks"


def test_headless_run_writes_reports_and_passes_the_gate(simulator: str, tmp_path: Path) -> None:
    args = ["--host", simulator, "--users", "4", "--spawn-rate", "4", "--run-time", "6s", *FAST, *LENIENT]
    args += reports(tmp_path)
    result = run_locust(args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SLO met" in result.stderr
    for name in ("load_stats.csv", "load_stats_history.csv", "load_failures.csv", "load.html", "load.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    by_name = stats(tmp_path)
    assert by_name["POST /play/[token]/rounds"]["num_requests"] > 0
    assert sum(entry["num_failures"] for entry in by_name.values()) == 0


def test_a_broken_slo_fails_the_run(simulator: str, tmp_path: Path) -> None:
    args = ["--host", simulator, "--users", "2", "--run-time", "3s", "--slo-p95-ms", "0.001", *FAST, *reports(tmp_path)]
    result = run_locust(args)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "SLO broken: p95" in result.stderr


def admin(url: str, method: str, body: dict[str, Any] | None = None) -> None:
    """An admin call with the simulator's own token, as an operator's QA would send it."""
    token = json.loads(Path(os.environ["LOCUST_CREDENTIALS"]).read_text())["admin_token"]
    request = urllib.request.Request(  # noqa: S310 - a loopback URL the fixture made
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


def test_a_failed_launch_is_a_failure_in_the_stats_and_tried_again(simulator: str, tmp_path: Path) -> None:
    """The first launches are refused (as when a wallet cannot verify a studio's signature): each one is a failure in
    Locust's statistics, the user tries again at its next task, and once a launch succeeds it plays."""
    rule = {
        "id": "refuse-first-launches",
        "match": {"side": "inbound", "operation": "launch"},
        "action": {"type": "status", "status": 503},
        "schedule": {"first": 3},
    }
    admin(f"{simulator}/admin/faults", "POST", rule)
    try:
        args = ["--host", simulator, "--users", "1", "--spawn-rate", "1", "--run-time", "6s", *FAST]
        gates = ["--slo-fail-ratio", "0.9", "--slo-p95-ms", "600000", "--slo-p99-ms", "600000"]  # failures, not speed
        result = run_locust([*args, *gates, *reports(tmp_path)])
    finally:
        admin(f"{simulator}/admin/faults/{rule['id']}", "DELETE")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr, result.stderr[-3000:]
    by_name = stats(tmp_path)
    launches = by_name["POST /v1/sessions"]
    assert launches["num_failures"] == 3 and launches["num_requests"] > 3
    assert by_name["POST /play/[token]/rounds"]["num_requests"] > 0
    assert sum(entry["num_failures"] for entry in by_name.values()) == 3
    assert (tmp_path / "load_exceptions.csv").read_text().count("\n") <= 1, "a task raised"


@pytest.mark.slow  # the shape runs on the wall clock: on a loaded machine the spike's users arrive late
def test_distributed_master_and_two_workers_through_a_spike(simulator: str, tmp_path: Path) -> None:
    port = free_port()
    worker = [*LOCUST, "-f", str(LOCUSTFILE), "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    workers = [
        subprocess.Popen(worker, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        master = run_locust(
            [
                *("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)),
                *("--expect-workers", "2", "--expect-workers-max-wait", "60", "--host", simulator),
                *("--shape", "spike", "--shape-time-scale", "0.02", "--users", "2", "--spawn-rate", "2"),
                *("--run-time", "10s", *FAST, *LENIENT, *reports(tmp_path)),
            ]
        )
        outcomes = [w.communicate(timeout=60) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait(10)
    assert master.returncode == 0, master.stderr[-3000:]
    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for _, err in outcomes]
    assert "(10 total users)" in master.stderr, "the spike did not reach five times the base load"
    assert "SLO met" in master.stderr
    assert all("SLO" not in err for _, err in outcomes), "workers have no merged stats and must not judge"
    by_name = stats(tmp_path)
    assert by_name["POST /play/[token]/rounds"]["num_requests"] > 0
    assert sum(entry["num_failures"] for entry in by_name.values()) == 0


def test_shapes_follow_their_stages() -> None:
    script = """
import json, sys
sys.path.insert(0, "loadtests")
import load_shapes
out = {}
for name, shape in load_shapes.SHAPES.items():
    s = shape(10, 5.0)
    out[name] = {"stages": [[st.until, st.users, st.spawn_rate] for st in s.stages], "after": s.at(s.duration)}
print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    shapes = json.loads(result.stdout)
    assert all(shape["after"] is None for shape in shapes.values()), "every shape ends by itself"
    assert [users for _, users, _ in shapes["step"]["stages"]] == [2, 4, 6, 8, 10]
    spike = shapes["spike"]["stages"]
    (_, base, _), (_, peak, surge) = spike[0], spike[1]
    assert (base, peak) == (10, 50)
    assert surge * 30 == pytest.approx(peak - base), "five-fold within 30 s"
    assert [users for _, users, _ in spike[2:]] == [40, 30, 20, 10], "then decays back to the base load"
    assert shapes["soak"]["stages"] == [[4 * 3600, 10, 5.0]]


def test_the_readme_locust_commands_parse() -> None:
    section = (ROOT / "README.md").read_text().split("## Load testing", 1)[1].split("\n## ", 1)[0]
    lines = [
        line.split("#", 1)[0].strip()
        for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)
        for line in block.splitlines()
        if line.startswith(".venv-load/bin/locust ")
    ]
    assert len(lines) >= 3
    commands = [shlex.split(line)[1:] for line in lines]
    for argv in commands:
        for flag in ("-f", "--config"):
            if flag in argv:
                assert (ROOT / argv[argv.index(flag) + 1]).is_file()
    script = """
import json, sys
sys.path.insert(0, "loadtests")
import locustfile  # registers the custom options
from locust.argument_parser import get_parser
for argv in json.loads(sys.argv[1]):
    get_parser().parse_args(argv)
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(commands)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@pytest.mark.slow
def test_one_live_player_bets_each_window_and_gets_its_settlements(tmp_path: Path) -> None:
    data = tmp_path / "sim"
    env = os.environ | {
        "CASINO_SIM_LIVE_BETTING_SECONDS": "1.5",
        "CASINO_SIM_LIVE_DRAW_SECONDS": "0.2",
        "CASINO_SIM_LIVE_PAUSE_SECONDS": "0.3",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--data-dir", str(data)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"listening on (http://\S+)", proc.stdout.readline())
        assert match is not None
        result = subprocess.run(
            [sys.executable, str(ROOT / "loadtests" / "live_locustfile.py"), "--host", match.group(1)],
            cwd=ROOT,
            env=os.environ | {"LOCUST_MAX_TASKS": "3", "LOCUST_CREDENTIALS": str(data / "credentials.json")},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.startswith("WS\t")]
    names = [row[1].strip() for row in rows]
    assert names.count("place_bet") == 3 and names.count("settlement") == 3, result.stdout
    assert [row for row in rows if row[3].strip()] == [], "a live request failed its checks"

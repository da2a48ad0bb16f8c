"""``casino-sim conformance`` as an operator runs it: a real reference wallet process checked in each
dialect from its data directory, a broken wallet that makes it exit 1, and one-line errors with exit 2."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.conformance.registry import all_checks
from tests.fakes.wallets import NoTombstoneLedger, wallet_under_test

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "simulator.cli"]


def conformance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "conformance", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def wallet_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("wallet") / "data"
    proc = subprocess.Popen(
        [*CLI, "wallet", "--port", "0", "--data-dir", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", first)
    try:
        if match is None:
            pytest.fail(f"no banner from casino-sim wallet: {first!r}")
        yield match.group(1), data
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
def test_a_running_reference_wallet_passes_from_the_command_line(
    wallet_process: tuple[str, Path], tmp_path: Path, dialect: str
) -> None:
    url, data = wallet_process
    report = tmp_path / "report.xml"
    wallet_url = url if dialect == "native" else f"{url}/{dialect}"
    args = ["--wallet-url", wallet_url, "--dialect", dialect, "--data-dir", str(data)]
    done = conformance(*args, "--report", "junit", "--out", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout and "FAIL " not in done.stdout
    suite = ET.parse(report).getroot()  # noqa: S314 - the report this test just wrote
    assert suite.attrib["failures"] == "0" and int(suite.attrib["tests"]) == len(all_checks())


async def test_a_broken_wallet_makes_the_command_exit_1(tmp_path: Path) -> None:
    async with wallet_under_test(tmp_path, "token_query", ledger=NoTombstoneLedger) as wallet:
        secret = wallet.options.keys.secret
        assert secret is not None
        secret_file = tmp_path / "operator.token"
        secret_file.write_bytes(secret)
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "conformance",
            "--wallet-url",
            wallet.options.wallet_url,
            "--dialect",
            "token_query",
            "--secret-file",
            str(secret_file),
            "--only",
            "rollback.*",
            "--report",
            "html",
            "--out",
            str(tmp_path / "report.html"),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    stdout = out.decode()
    assert proc.returncode == 1, stdout + err.decode()
    failed = set(re.findall(r"^FAIL\s+(\S+)", stdout, flags=re.M))
    assert failed == {"rollback.repeated", "rollback.bet-after-rollback", "rollback.before-bet"}
    assert "FAILED: 4 passed, 3 failed, 0 skipped of 7 checks" in stdout
    assert secret.decode() not in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--wallet-url", "http://127.0.0.1:9", "--dialect", "native", "--secret", "s", "--player", "p:t:USD"],
            "does not answer",
            id="unreachable",
        ),
        pytest.param(["--dialect", "native"], "--wallet-url and --dialect are required", id="no-url"),
        pytest.param(
            ["--wallet-url", "http://127.0.0.1:9", "--dialect", "rsa_json", "--player", "p:t:USD"],
            "give --private-key",
            id="no-rsa-key",
        ),
        pytest.param(
            ["--wallet-url", "http://127.0.0.1:9", "--dialect", "native", "--secret", "s", "--player", "p-only"],
            "ID:TOKEN:CURRENCY",
            id="bad-player",
        ),
        pytest.param(["--list", "--only", "nothing.*"], "no check matches nothing.*", id="bad-pattern"),
    ],
)
def test_bad_runs_end_with_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = conformance(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_wrong_credentials_are_named_before_any_check(wallet_process: tuple[str, Path]) -> None:
    url, _ = wallet_process
    done = conformance("--wallet-url", url, "--dialect", "native", "--secret", "not-the-secret")
    assert done.returncode == 2
    assert "refuses the suite's native credentials" in done.stderr


def test_list_prints_every_check() -> None:
    done = conformance("--list")
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == [c.id for c in all_checks()]

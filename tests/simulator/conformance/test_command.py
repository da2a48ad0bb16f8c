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
from aiohttp import web

from simulator.commands.serve import bind
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
        admin_file = tmp_path / "admin.token"  # the sandbox's admin token, for the players it creates
        admin_file.write_text(str(wallet.options.admin_token))
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "conformance",
            "--wallet-url",
            wallet.options.wallet_url,
            "--dialect",
            "token_query",
            "--secret-file",
            str(secret_file),
            "--admin-token-file",
            str(admin_file),
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
        pytest.param(["--dialect", "native"], "--wallet-url is required", id="no-url"),
        pytest.param(
            ["--wallet-url", "http://127.0.0.1:9/pp", "--secret", "s", "--player", "p:t:USD"],
            "--dialect is required: the wallet URL does not end in /native|/rsa_json|/md5_form|/token_query",
            id="no-dialect-and-none-in-the-url",
        ),
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
    url, data = wallet_process  # the data dir gives the sandbox's admin token; --secret overrides the key
    done = conformance(
        "--wallet-url", url, "--dialect", "native", "--secret", "not-the-secret", "--data-dir", str(data)
    )
    assert done.returncode == 2
    assert "refuses the suite's native credentials" in done.stderr


def test_list_prints_every_check() -> None:
    done = conformance("--list")
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == [c.id for c in all_checks()]


def test_the_dialect_is_told_from_a_reference_wallet_url(wallet_process: tuple[str, Path]) -> None:
    url, data = wallet_process
    done = conformance("--wallet-url", f"{url}/md5_form", "--data-dir", str(data), "--only", "bet.*")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dialect: md5_form (from the wallet URL's last path segment)" in done.stderr
    assert "PASSED" in done.stdout


async def _conformance_async(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *CLI, "conformance", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _one_message(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


async def test_a_wallet_of_another_dialect_stops_the_run_at_once_with_exit_2(tmp_path: Path) -> None:
    async with wallet_under_test(tmp_path, "native") as wallet:
        admin_file = tmp_path / "admin.token"
        admin_file.write_text(str(wallet.options.admin_token))
        code, out, err = await _conformance_async(
            "--wallet-url",
            wallet.options.wallet_url,
            "--dialect",
            "md5_form",
            "--secret",
            "md5-secret",
            "--admin-token-file",
            str(admin_file),
        )
    assert code == 2, out + err
    assert out == ""  # not one check ran
    message = _one_message(err)
    assert f"the wallet at {wallet.options.wallet_url}/balance does not answer in the md5_form dialect" in message
    assert "HTTP 401" in message and "INVALID_SIGNATURE" in message  # what came back: status and first bytes


async def test_a_wallet_answering_html_stops_the_run_at_once_with_exit_2() -> None:
    async def html(request: web.Request) -> web.Response:
        page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 500 + "</body></html>"
        return web.Response(status=502, text=page, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", html)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/pp"
    try:
        code, out, err = await _conformance_async(
            "--wallet-url", url, "--dialect", "native", "--secret", "s", "--player", "p-1:tok-1:USD"
        )
    finally:
        await runner.cleanup()
    assert code == 2, out + err
    assert out == ""
    message = _one_message(err)
    assert f"the wallet at {url}/balance gives no usable answer" in message
    assert "HTTP 502" in message and "'<html><body><h1>502 Bad Gateway</h1>" in message and "…" in message

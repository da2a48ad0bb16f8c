"""Simulator processes for tests that need a real one: killed with SIGKILL, or two sharing one database.

Every wait is bounded; a process still running at the end is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from simulator.auth.client import ClientAuth, client_middleware
from simulator.credentials import OperatorKey

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0  # a bound for a server that never starts; a loaded two-core machine took 33 s
_LISTENING = re.compile(r"listening on (http://\S+)")


TEST_OPERATOR = OperatorKey("test", "test-key-1", "test-operator-secret-0123456789")
TEST_ADMIN_TOKEN = "test-admin-token-0123456789"
# every process a test starts shares these credentials (as processes behind one port must), so that its
# http session, the simulators and the CLI agree without reading each other's data directories
AUTH_SETTINGS: dict[str, Any] = {
    "operators": {
        TEST_OPERATOR.operator_id: {"keys": [{"key_id": TEST_OPERATOR.key_id, "secret": TEST_OPERATOR.secret}]}
    },
    "admin_token": TEST_ADMIN_TOKEN,
}
AUTH_ENV = {
    "CASINO_SIM_OPERATORS": json.dumps(AUTH_SETTINGS["operators"]),
    "CASINO_SIM_ADMIN_TOKEN": TEST_ADMIN_TOKEN,
}


def environment(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASINO_SIM_")}
    return env | AUTH_ENV | dict(extra)


def auth_session() -> aiohttp.ClientSession:
    """A session that signs and authorises with the processes' shared test credentials."""
    return aiohttp.ClientSession(middlewares=[client_middleware(ClientAuth(TEST_OPERATOR, TEST_ADMIN_TOKEN))])


class SimProcess:
    """``casino-sim serve`` (through ``tests.fakes.sim_cli``) on port 0; ``url`` once it listens."""

    def __init__(self, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.args = args
        self.env = environment(env)
        self.log = log
        self.url = ""
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        with self.log.open("ab") as stderr:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.fakes.sim_cli", "serve", "--port", "0", *self.args,
                cwd=ROOT, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            )  # fmt: skip
        assert self._proc.stdout is not None
        try:
            async with asyncio.timeout(START_TIMEOUT):
                while line := (await self._proc.stdout.readline()).decode():
                    if match := _LISTENING.search(line):
                        self.url = match.group(1)
                        return self.url
        except TimeoutError:
            pass
        await self.kill()
        raise AssertionError(f"simulator did not start; its log:\n{self.log.read_text()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self._proc is not None, "not started"
        return self._proc.pid

    async def kill(self) -> None:
        """SIGKILL: no drain, no cleanup, exactly what a crash leaves."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self._proc.wait(), 10)

    async def stop(self) -> int | None:
        if self._proc is None or self._proc.returncode is not None:
            return None if self._proc is None else self._proc.returncode
        self._proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self._proc.wait(), 20)
        except TimeoutError:
            await self.kill()
            return -9


@asynccontextmanager
async def sim_process(args: list[str], env: Mapping[str, str], log: Path) -> AsyncIterator[SimProcess]:
    proc = SimProcess(args, env, log)
    await proc.start()
    try:
        yield proc
    finally:
        await proc.stop()


async def run_cli(*args: str, limit: float = 60.0) -> tuple[int, str, str]:
    """Run a short ``casino-sim`` command to completion; (exit status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.sim_cli", *args,
        cwd=ROOT, env=environment({}), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()

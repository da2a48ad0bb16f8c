"""A simulator of one's own: ``casino-sim serve`` in a subprocess on a free port, with a fresh data directory and
operator key and admin token made for it, stopped with SIGTERM (rounds in flight finish) and killed only if it
does not stop. The pytest plugin is built on it; it works as well outside tests.

    with SimulatorProcess(tmp_path) as sim:            # or sim.start() ... sim.stop()
        client = sim.client()
        player = client.create_player("USD", 100_000)

Settings go to the server as a settings file in the data directory (``settings`` are any keys of the simulator's
settings, docs/operations.md); ``CASINO_SIM_*`` variables of the calling environment are not passed on, so a test
run does not depend on the shell it was started from.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from simulator_sdk.credentials import Credentials
from simulator_sdk.errors import SimulatorNotStarted

if TYPE_CHECKING:
    from simulator_sdk.client import Client

DIALECTS = ("native", "rsa_json", "md5_form", "token_query")
_LISTENING = re.compile(r"listening on (https?://\S+)")
KEY_ID = "sdk-key-1"


class SimulatorProcess:
    """``wallet_url``: the operator wallet the simulator calls (default: its embedded reference wallet), speaking
    ``dialect`` and authenticated with ``wallet_secret`` (and ``wallet_key_id``) where the dialect takes one.
    ``command``: how to run ``casino-sim`` (default: this interpreter, ``-m simulator``)."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        wallet_url: str | None = None,
        dialect: str = "native",
        wallet_secret: str | None = None,
        wallet_key_id: str | None = None,
        seed: int | None = None,
        settings: Mapping[str, Any] | None = None,
        command: Sequence[str] | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
        self.data_dir = Path(data_dir)
        self.wallet_url = wallet_url
        self.dialect = dialect
        self.wallet_secret = wallet_secret
        self.wallet_key_id = wallet_key_id
        self.seed = seed
        self.extra_settings = dict(settings or {})
        self.command = list(command) if command is not None else [sys.executable, "-m", "simulator"]
        self.start_timeout = start_timeout
        self.credentials = Credentials(KEY_ID, secrets.token_hex(32), secrets.token_urlsafe(32))
        self.url = ""
        self.log = self.data_dir / "casino-sim.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def settings(self) -> dict[str, Any]:
        """What the server is started with (secrets included: the file is private to the data directory)."""
        assert self.credentials.secret is not None and self.credentials.admin_token is not None
        out: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": 0,
            "data_dir": str(self.data_dir),
            "operators": {"sdk": {"keys": [{"key_id": KEY_ID, "secret": self.credentials.secret}]}},
            "admin_token": self.credentials.admin_token,
        }
        if self.seed is not None:
            out["seed"] = self.seed
        if self.wallet_url is not None:
            if self.dialect == "native":
                out["wallet_url"] = self.wallet_url
                if self.wallet_secret is not None:
                    out["wallet_secret"] = self.wallet_secret
                if self.wallet_key_id is not None:
                    out["wallet_key_id"] = self.wallet_key_id
            else:
                endpoint: dict[str, Any] = {"url": self.wallet_url}
                if self.wallet_secret is not None:
                    endpoint["secret"] = self.wallet_secret
                if self.wallet_key_id is not None:
                    endpoint["key_id"] = self.wallet_key_id
                out["wallets"] = {self.dialect: endpoint}
        return out | self.extra_settings

    def start(self) -> str:
        """Start the server and wait until it listens; its base URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        config = self.data_dir / "casino-sim.yaml"  # YAML is a superset of JSON: the server reads this file
        config.touch(mode=0o600)
        config.write_text(json.dumps(self.settings(), indent=2))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASINO_SIM_")}
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(  # noqa: S603 (our own command line, no shell)
                [*self.command, "serve", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if match := _LISTENING.search(self.log.read_text(errors="replace")):
                self.url = match.group(1)
                return self.url
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SimulatorNotStarted(f"casino-sim did not start; its log ({self.log}):\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; the exit status (None if it never started)."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        return self._proc.returncode

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def client(self, **options: Any) -> Client:
        """A sync SDK client for this server, with its credentials."""
        from simulator_sdk.client import Client

        return Client(self.url, self.credentials, **options)

    def __enter__(self) -> SimulatorProcess:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

"""``casino-sim serve --workers N``: N processes on one port, one event loop each, sharing state through PostgreSQL.

One asyncio process saturates one core; a round is mostly CPU (parsing, signing, the ledger), so more rounds per second
need more processes. Each worker binds its own socket with ``SO_REUSEPORT`` and the kernel spreads new connections
over them; no process keeps state that another would need, because sessions, rounds, the settlement queue and the
reference wallet's ledger all live in the shared database.

Why SQLite is refused: its files are one writer at a time on one machine, and the processes would each hold their
own connection and lock. That could be made to work, but the embedded wallet and the simulator would then contend for
the same file lock across processes and lose the throughput the workers were meant to buy. For more than one core,
start PostgreSQL (the compose file has one) and pass ``--database-url postgresql://...``; or run one process per data
directory on different ports, each a separate world.

The parent forks the workers before any event loop exists, waits until each reports that it is listening, prints the
banner, then forwards SIGINT/SIGTERM and waits. If a worker dies on its own, the others are stopped and the command
exits non-zero, so a supervisor (systemd, compose) sees the failure; if the parent is killed outright, Linux sends each
worker SIGTERM (``PR_SET_PDEATHSIG``) and they drain and stop.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import FrameType

from simulator.errors import ConfigurationError, SimulatorError
from simulator.settings import Settings

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def check(settings: Settings) -> None:
    """Refuse configurations in which several processes would split state."""
    if not settings.effective_database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigurationError(
            f"--workers {settings.workers} needs a shared database: SQLite files belong to one process. "
            "Pass --database-url postgresql://user@host:port/db, or run one process per data directory."
        )
    if settings.deterministic:
        raise ConfigurationError("deterministic mode derives ids from one counter; it runs in a single worker")
    if not hasattr(os, "fork"):
        raise ConfigurationError("--workers needs os.fork (Linux or macOS)")


def supervise(
    workers: int,
    first: socket.socket,
    *,
    bind: Callable[[], socket.socket],
    child: Callable[[socket.socket, Callable[[], None]], None],
    banner: str,
) -> int:
    """Fork ``workers`` processes: the first serves ``first``, the others a fresh ``bind()``. ``child(sock, ready)``
    runs a worker until it is told to stop and calls ``ready()`` once it accepts connections."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pids: set[int] = set()
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        _signal_all(pids, signal.SIGTERM)

    # installed before forking so that a stop during start-up reaches the workers already forked
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for index in range(workers):
        sock = first if index == 0 else bind()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured by the subprocess tests
            os.close(read_end)
            os._exit(_child(sock, child, write_end, parent))
        sock.close()
        pids.add(pid)
        if stopping:
            _signal_all(pids, signal.SIGTERM)
            break
    os.close(write_end)
    ready = _read_all(read_end)
    os.close(read_end)
    failed = False
    if stopping:
        pass  # told to stop while starting: not a failure
    elif len(ready) == workers:
        print(banner, flush=True)
    else:
        print(f"casino-sim: {workers - len(ready)} of {workers} workers failed to start", file=sys.stderr, flush=True)
        stopping = failed = True
        _signal_all(pids, signal.SIGTERM)
    while pids:
        pid, status = os.wait()
        pids.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        if not stopping:
            print(f"casino-sim: worker {pid} exited with {code}; stopping the others", file=sys.stderr, flush=True)
            stopping = failed = True
            _signal_all(pids, signal.SIGTERM)
        elif code != 0:
            failed = True
    if not failed:
        print("stopped", flush=True)
    return 1 if failed else 0


def _child(
    sock: socket.socket, child: Callable[[socket.socket, Callable[[], None]], None], write_end: int, parent: int
) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _stop_with_parent(parent)

    def ready() -> None:
        os.write(write_end, b".")
        os.close(write_end)

    try:
        child(sock, ready)
    except KeyboardInterrupt:
        return 0
    except SimulatorError as exc:  # a refusal at start (no database...): one line, as a single process says it
        print(f"casino-sim: {exc.message}", file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _stop_with_parent(parent: int) -> None:
    """Ask Linux for SIGTERM when the parent dies (even by SIGKILL), so that no worker serves on as an orphan."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _read_all(fd: int) -> bytes:
    """Until every writer closed: each worker writes one byte when ready, then closes; a dead one just closes."""
    chunks = []
    while chunk := os.read(fd, 64):
        chunks.append(chunk)
    return b"".join(chunks)


def _signal_all(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)

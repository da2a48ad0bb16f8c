"""Files only the server's user may read: the data directory holds live session tokens, unrevealed server seeds,
the wallet ledger, credentials and keys. It is created 0700 and every file in it 0600, whatever the umask (which
can only take permissions away, so each mode is set exactly after creation)."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if absent; the directory this call creates is 0700. One that
    already exists keeps its mode: it may be a directory the user chose and shares on purpose."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)


def open_private(path: Path, flags: int) -> int:
    """``os.open(path, flags | O_CREAT)`` for a file that is 0600 from its first byte to its last."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and is 0600 before a library (SQLite) creates or opens it: SQLite gives its
    -wal, -shm and -journal files the database file's mode, so they follow."""
    os.close(open_private(path, os.O_RDWR))

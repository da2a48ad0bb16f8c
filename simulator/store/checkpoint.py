"""Copying SQLite's write-ahead log back into the database file from a thread of its own.

A checkpoint writes the pages the WAL holds into the database file and syncs both files: with ``synchronous=NORMAL``
those two syncs are the only ones a WAL database ever makes. Left to SQLite, the connection whose COMMIT takes the WAL
past ``wal_autocheckpoint`` pages (1,000 by default, a few dozen rounds) runs the checkpoint inside that COMMIT, on
the event loop, so every round and wallet call of the process waits for the disk. Here a thread with a connection of
its own runs a ``PASSIVE`` checkpoint every ``every`` seconds instead (it never blocks the writer, and the GIL is free
while SQLite works), and the writer's own automatic checkpoint only fires past ``SAFETY_NET_PAGES``: SQLite starts the
WAL over only when a write finds every frame copied, which a busy writer may never give the thread, so the writer
still copies the last few frames itself when the file has grown that far.

Measured with ``bench/round_throughput.py --pin`` (scenario b): the throughput gain is in the figures of the README's
benchmark section.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

EVERY = 0.25
"""Seconds between the thread's checkpoints: a few hundred rounds' pages at full load."""

SAFETY_NET_PAGES = 16384
"""The writer checkpoints itself past this many WAL pages (64 MiB of 4 KiB pages)."""


class Checkpointer:
    """A daemon thread checkpointing the WAL of ``path`` every ``every`` seconds until ``close``."""

    def __init__(self, path: str, *, every: float = EVERY) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """One ``PASSIVE`` checkpoint: (busy, frames in the WAL, frames copied), as SQLite reports them."""
        busy, log, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(log), int(copied)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            with contextlib.suppress(sqlite3.Error):  # locked or busy: the next pass copies it
                self.checkpoint()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()

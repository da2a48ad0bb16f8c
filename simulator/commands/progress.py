"""A progress line for the long commands (``rtp``, ``rng-cert``, ``scenario run``, ``conformance``): work done of the
total, the rate and the time left, on standard error.

On by default only when standard error is a terminal (``--progress`` / ``--no-progress`` force it), so pipes, CI logs
and tests see nothing. It is the standard library on purpose: the commands' start-up stays what ``casino-sim --help``
costs, and a line redrawn a few times a second needs no framework. A job reports every step; the line is redrawn
at most every ``interval`` seconds (and once at the end), so a report is one clock read, and with the line off the
job is handed ``None`` and pays nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Report = Callable[[int, int], None]
"""``report(done, total)``: what a long job calls as it goes."""


class ProgressLine:
    """``line(done, total)`` redraws ``label: done/total unit (pct), rate unit/s, ETA m:ss``; ``close()`` ends it.

    >>> import io
    >>> ticks = iter([0.0, 2.0, 2.1, 4.0])
    >>> out = io.StringIO()
    >>> line = ProgressLine("rtp dice", "rounds", stream=out, clock=lambda: next(ticks))
    >>> line(100, 400)
    >>> line(150, 400)  # 0.1 s later: not redrawn
    >>> line(400, 400)
    >>> line.close()
    >>> print(out.getvalue(), end="")
    rtp dice: 100/400 rounds (25%), 50/s, ETA 0:06
    rtp dice: 400/400 rounds (100%), 100/s, ETA 0:00
    """

    def __init__(
        self,
        label: str,
        unit: str,
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.25,
    ) -> None:
        self._label = label
        self._unit = unit
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = self._stream.isatty()
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._last = -float("inf")
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        if done < total and now - self._last < self._interval:
            return
        self._last = now
        elapsed = now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = _clock_text((total - done) / rate) if rate > 0 else "?"
        share = done / total if total else 1.0
        text = f"{self._label}: {done:,}/{total:,} {self._unit} ({share:.0%}), {rate:,.0f}/s, ETA {eta}"
        self._stream.write(f"\r{text}\x1b[K" if self._terminal else text + "\n")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn and self._terminal:
            self._stream.write("\n")
            self._stream.flush()


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(wanted: bool | None, label: str, unit: str, *, stream: TextIO | None = None) -> ProgressLine | None:
    """A line when ``wanted`` (``--progress``), or when unset and the stream is a terminal; else ``None``."""
    target = stream if stream is not None else sys.stderr
    if wanted is False or (wanted is None and not target.isatty()):
        return None
    return ProgressLine(label, unit, stream=target)

"""Files for test labs: raw generator output before any scaling, and final outcomes as games show them.

Raw output is a flat file of little-endian unsigned 32-bit words, the format ``dieharder -g 201 -f FILE``
and ``RNG_test stdin32`` (PractRand, fed with ``cat FILE |``) read directly; the words are exactly those the
source hands to ``index`` and ``float``. Outcomes are CSV, one row per round, so a lab can run its own
chi-square on the numbers players saw.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from games.rng import RandomSource

_CHUNK = 1 << 20

OUTCOME_COLUMNS: tuple[tuple[str, int], ...] = (("roulette_37", 37), ("card_52", 52), ("dice_10001", 10001))
"""CSV columns after ``round``: name and range of ``index(n)``; a ``float`` column comes last."""


class WordSource(Protocol):
    def words(self, count: int) -> npt.NDArray[np.uint32]: ...


def export_raw(source: WordSource, path: Path, count: int) -> int:
    """Write the next ``count`` words of ``source`` to ``path``; returns the number of bytes written."""
    if count < 0:
        raise ValueError(f"word count must be non-negative, got {count}")
    with path.open("wb") as out:
        for start in range(0, count, _CHUNK):
            chunk = source.words(min(_CHUNK, count - start))
            out.write(np.asarray(chunk, dtype="<u4").tobytes())
    return 4 * count


def read_raw(path: Path) -> npt.NDArray[np.uint32]:
    """Read back a raw export (for tests and for anyone checking a file before sending it)."""
    return np.fromfile(path, dtype="<u4").astype(np.uint32)


def export_outcomes(
    source: RandomSource,
    path: Path,
    rounds: int,
    columns: Sequence[tuple[str, int]] = OUTCOME_COLUMNS,
) -> None:
    """Write ``rounds`` rows; within a row the draws are made left to right from the same source."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["round", *(name for name, _ in columns), "float"])
        for number in range(1, rounds + 1):
            writer.writerow([number, *(source.index(n) for _, n in columns), repr(source.float())])

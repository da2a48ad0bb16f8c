"""NIST SP 800-22 tests on raw generator bits, vectorised over many sequences at once.

Each test takes a 0/1 ``uint8`` array of shape (sequences, n) and returns one P-value per sequence; the
formulas are those of SP 800-22 rev. 1a, section 2, with ``igamc`` = ``scipy.special.gammaincc``. The suite's
two second-level rules then judge a test over all sequences (``second_level``): the proportion of passing
sequences must reach ``p - 3 * sqrt(p * (1 - p) / m)`` and the P-values must be uniform (chi-square over ten
bins, P >= 0.0001). A single P-value below alpha is expected one time in a hundred; a generator fails only
when that happens too often or the P-values pile up somewhere.

Words become bits most significant bit first, which is byte order for the big-endian provably-fair stream.
The longest-run category probabilities are computed exactly rather than taken from the rounded table.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy.special import erfc, gammaincc, ndtr

Bits = npt.NDArray[np.uint8]
PValues = npt.NDArray[np.float64]

_SQRT2 = math.sqrt(2.0)
_UNIFORMITY_MIN = 0.0001


def words_to_sequences(words: npt.NDArray[np.uint32], sequences: int) -> Bits:
    """Split words into ``sequences`` equal bit sequences (MSB first); surplus words are left out."""
    per_sequence = len(words) // sequences
    if per_sequence == 0:
        raise ValueError(f"{len(words)} words cannot fill {sequences} sequences")
    used = np.asarray(words[: per_sequence * sequences], dtype=">u4")
    bits = np.unpackbits(used.view(np.uint8))
    return bits.reshape(sequences, per_sequence * 32)


def _rows(bits: Bits) -> Bits:
    rows = np.atleast_2d(np.asarray(bits, dtype=np.uint8))
    if rows.ndim != 2:
        raise ValueError("bits must be one sequence or a 2-D array of sequences")
    return rows


def frequency(bits: Bits) -> PValues:
    """Monobit: too many ones or zeros overall."""
    rows = _rows(bits)
    n = rows.shape[1]
    excess = 2 * rows.sum(axis=1, dtype=np.int64) - n
    result: PValues = erfc(np.abs(excess) / math.sqrt(n) / _SQRT2)
    return result


def block_frequency(bits: Bits, block: int) -> PValues:
    """Ones unevenly spread across blocks of ``block`` bits."""
    rows = _rows(bits)
    blocks = rows.shape[1] // block
    if blocks == 0:
        raise ValueError(f"block of {block} bits is longer than the sequence")
    chunks = rows[:, : blocks * block].reshape(len(rows), blocks, block)
    share = chunks.sum(axis=2, dtype=np.int64) / block
    chi = 4.0 * block * ((share - 0.5) ** 2).sum(axis=1)
    result: PValues = gammaincc(blocks / 2.0, chi / 2.0)
    return result


def runs(bits: Bits) -> PValues:
    """Runs of identical bits too short or too long (oscillation); 0 when the frequency prerequisite fails."""
    rows = _rows(bits)
    n = rows.shape[1]
    share = rows.mean(axis=1)
    changes = 1 + (rows[:, 1:] != rows[:, :-1]).sum(axis=1)
    spread = share * (1.0 - share)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(changes - 2.0 * n * spread) / (2.0 * math.sqrt(2.0 * n) * spread)
        p = erfc(z)
    result: PValues = np.where(np.abs(share - 0.5) >= 2.0 / math.sqrt(n), 0.0, p)
    return result


@dataclass(frozen=True, slots=True)
class _LongestRunPlan:
    block: int
    low: int
    high: int


def _longest_run_plan(n: int) -> _LongestRunPlan:
    if n >= 750_000:
        return _LongestRunPlan(10_000, 10, 16)
    if n >= 6272:
        return _LongestRunPlan(128, 4, 9)
    if n >= 128:
        return _LongestRunPlan(8, 1, 4)
    raise ValueError(f"longest-run test needs at least 128 bits, got {n}")


@cache
def _no_run_longer_than(r: int, length: int) -> int:
    """Number of ``length``-bit strings whose longest run of ones is at most ``r``."""
    counts = [1]
    for m in range(1, length + 1):
        total = sum(counts[m - 1 - j] for j in range(min(r, m - 1) + 1))
        counts.append(total + (1 if m <= r else 0))
    return counts[length]


@cache
def longest_run_probabilities(block: int, low: int, high: int) -> tuple[float, ...]:
    """Exact probabilities of the categories ``<= low``, ``low + 1`` ... ``high - 1``, ``>= high``."""
    total = 2**block
    cdf = [_no_run_longer_than(r, block) for r in range(low, high)]
    probs = [cdf[0]] + [b - a for a, b in itertools.pairwise(cdf)] + [total - cdf[-1]]
    return tuple(p / total for p in probs)


def _longest_runs(blocks: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    ones = np.cumsum(blocks, axis=-1, dtype=np.int32)
    resets = np.maximum.accumulate(np.where(blocks == 0, ones, 0), axis=-1)
    result: npt.NDArray[np.int64] = (ones - resets).max(axis=-1).astype(np.int64)
    return result


def longest_run(bits: Bits) -> PValues:
    """Longest run of ones per block too long or too short; block size follows SP 800-22 table 2.4."""
    rows = _rows(bits)
    plan = _longest_run_plan(rows.shape[1])
    count = rows.shape[1] // plan.block
    blocks = rows[:, : count * plan.block].reshape(len(rows), count, plan.block)
    categories = np.clip(_longest_runs(blocks), plan.low, plan.high) - plan.low
    width = plan.high - plan.low + 1
    offsets = np.arange(len(rows))[:, None] * width
    observed = np.bincount((categories + offsets).ravel(), minlength=len(rows) * width).reshape(-1, width)
    expected = count * np.asarray(longest_run_probabilities(plan.block, plan.low, plan.high))
    chi = ((observed - expected) ** 2 / expected).sum(axis=1)
    result: PValues = gammaincc((width - 1) / 2.0, chi / 2.0)
    return result


def _c_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as in the reference C code whose summation bounds we copy."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _cusum_p(z: int, n: int) -> float:
    if z == 0:
        return 1.0
    root = math.sqrt(n)
    ratio = _c_div(n, z)
    upper = _c_div(ratio - 1, 4)
    k1 = np.arange(_c_div(-ratio + 1, 4), upper + 1)
    k2 = np.arange(_c_div(-ratio - 3, 4), upper + 1)
    first = (ndtr((4 * k1 + 1) * z / root) - ndtr((4 * k1 - 1) * z / root)).sum()
    second = (ndtr((4 * k2 + 3) * z / root) - ndtr((4 * k2 + 1) * z / root)).sum()
    return float(min(1.0, max(0.0, 1.0 - first + second)))


def cumulative_sums(bits: Bits) -> tuple[PValues, PValues]:
    """Random walk of +1/-1 strays too far from zero; forward and backward P-values."""
    rows = _rows(bits)
    n = rows.shape[1]
    walk = np.cumsum(2 * rows.astype(np.int32) - 1, axis=1)
    forward = np.abs(walk).max(axis=1)
    total = walk[:, -1:]
    backward = np.maximum(np.abs(total - walk[:, :-1]).max(axis=1, initial=0), np.abs(total[:, 0]))
    return (
        np.array([_cusum_p(int(z), n) for z in forward]),
        np.array([_cusum_p(int(z), n) for z in backward]),
    )


def pattern_counts(bits: Bits, length: int) -> npt.NDArray[np.int64]:
    """Counts of every overlapping ``length``-bit pattern, the sequence wrapped around as SP 800-22 asks.

    Shorter patterns follow by summing over the last bit, which is how serial and approximate entropy get
    all their block lengths from one pass.
    """
    rows = _rows(bits)
    count, n = rows.shape
    if length == 0:
        return np.full((count, 1), n, dtype=np.int64)
    wrapped = np.concatenate([rows, rows[:, : length - 1]], axis=1)
    values = np.zeros((count, n), dtype=np.int32)
    for i in range(length):
        values <<= 1
        values |= wrapped[:, i : i + n]
    width = 1 << length
    values += (np.arange(count, dtype=np.int32) * width)[:, None]
    return np.bincount(values.ravel(), minlength=count * width).reshape(count, width).astype(np.int64)


def _shorter(counts: npt.NDArray[np.int64], length: int) -> npt.NDArray[np.int64]:
    while counts.shape[1] > (1 << length):
        counts = counts.reshape(len(counts), -1, 2).sum(axis=2)
    return counts


def approximate_entropy(bits: Bits, m: int, counts: npt.NDArray[np.int64] | None = None) -> PValues:
    """Frequencies of overlapping m- and (m+1)-bit patterns too regular or too uneven."""
    rows = _rows(bits)
    n = rows.shape[1]
    top = pattern_counts(rows, m + 1) if counts is None else counts

    def phi(length: int) -> npt.NDArray[np.float64]:
        share = _shorter(top, length) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(share > 0, share * np.log(share), 0.0)
        result: npt.NDArray[np.float64] = terms.sum(axis=1)
        return result

    apen = phi(m) - phi(m + 1)
    chi = 2.0 * n * (math.log(2.0) - apen)
    result: PValues = gammaincc(2.0 ** (m - 1), chi / 2.0)
    return result


def serial(bits: Bits, m: int, counts: npt.NDArray[np.int64] | None = None) -> tuple[PValues, PValues]:
    """All 2**m overlapping m-bit patterns not equally common; the two P-values of SP 800-22 2.11."""
    if m < 2:
        raise ValueError(f"serial test needs m >= 2, got {m}")
    rows = _rows(bits)
    n = rows.shape[1]
    top = pattern_counts(rows, m) if counts is None else counts

    def psi(length: int) -> npt.NDArray[np.float64]:
        if length <= 0:
            return np.zeros(len(rows))
        c = _shorter(top, length).astype(np.float64)
        result: npt.NDArray[np.float64] = (2.0**length / n) * (c**2).sum(axis=1) - n
        return result

    delta = psi(m) - psi(m - 1)
    delta2 = psi(m) - 2.0 * psi(m - 1) + psi(m - 2)
    return gammaincc(2.0 ** (m - 2), delta / 2.0), gammaincc(2.0 ** (m - 3), delta2 / 2.0)


def spectral(bits: Bits) -> PValues:
    """Discrete Fourier transform: periodic features, too many spectral peaks above the 95% threshold."""
    rows = _rows(bits)
    n = rows.shape[1]
    half = n // 2
    threshold = math.sqrt(math.log(1 / 0.05) * n)
    expected = 0.95 * n / 2.0
    below = np.empty(len(rows))
    for start in range(0, len(rows), 16):
        chunk = 2.0 * rows[start : start + 16].astype(np.float64) - 1.0
        moduli = np.abs(np.fft.rfft(chunk, axis=1)[:, :half])
        below[start : start + 16] = (moduli < threshold).sum(axis=1)
    d = (below - expected) / math.sqrt(n * 0.95 * 0.05 / 4.0)
    result: PValues = erfc(np.abs(d) / _SQRT2)
    return result


@dataclass(frozen=True, slots=True)
class SecondLevel:
    """Verdict of one test over many sequences (SP 800-22 section 4.2)."""

    sequences: int
    proportion: float
    threshold: float
    uniformity_p: float

    @property
    def passed(self) -> bool:
        return self.proportion >= self.threshold and self.uniformity_p >= _UNIFORMITY_MIN


def second_level(p_values: PValues, alpha: float) -> SecondLevel:
    m = len(p_values)
    if m == 0:
        raise ValueError("no P-values to judge")
    expected_pass = 1.0 - alpha
    proportion = float(np.mean(p_values >= alpha))
    threshold = expected_pass - 3.0 * math.sqrt(expected_pass * alpha / m)
    histogram, _ = np.histogram(p_values, bins=10, range=(0.0, 1.0))
    chi = float((((histogram - m / 10.0) ** 2) / (m / 10.0)).sum())
    return SecondLevel(m, proportion, threshold, float(gammaincc(4.5, chi / 2.0)))


@dataclass(frozen=True, slots=True)
class NistParameters:
    """Block sizes chosen from the sequence length within SP 800-22's recommendations."""

    block_frequency_block: int
    approximate_entropy_m: int
    serial_m: int

    @classmethod
    def for_length(cls, n: int) -> NistParameters:
        if n < 1000:
            raise ValueError(f"sequences of {n} bits are too short for the suite (need >= 1000)")
        log2n = int(math.log2(n))
        return cls(
            block_frequency_block=max(20, n // 99 + 1),
            approximate_entropy_m=max(2, min(10, log2n - 6)),
            serial_m=max(3, min(16, log2n - 3)),
        )


TARGETS = {
    "frequency": "bias towards ones or zeros",
    "block_frequency": "local bias inside blocks",
    "runs": "bits that oscillate too fast or too slowly",
    "longest_run": "clusters of ones",
    "cumulative_sums.forward": "drift at the start of the stream",
    "cumulative_sums.backward": "drift at the end of the stream",
    "approximate_entropy": "predictable bit patterns",
    "serial.1": "uneven frequency of overlapping bit patterns",
    "serial.2": "uneven frequency of overlapping bit patterns (second difference)",
    "spectral": "periodic structure (e.g. weak low bits)",
}


def run_on_words(words: npt.NDArray[np.uint32], sequences: int, *, batch_bits: int = 1 << 21) -> dict[str, PValues]:
    """``run_all`` over ``sequences`` sequences cut from ``words``, a few at a time to bound memory."""
    per_sequence = len(words) // sequences
    if per_sequence == 0:
        raise ValueError(f"{len(words)} words cannot fill {sequences} sequences")
    params = NistParameters.for_length(32 * per_sequence)
    rows_per_batch = max(1, batch_bits // (32 * per_sequence))
    batches: list[dict[str, PValues]] = []
    for first in range(0, sequences, rows_per_batch):
        rows = min(rows_per_batch, sequences - first)
        chunk = words[first * per_sequence : (first + rows) * per_sequence]
        batches.append(run_all(words_to_sequences(chunk, rows), params))
    return {key: np.concatenate([b[key] for b in batches]) for key in batches[0]}


def run_all(bits: Bits, parameters: NistParameters | None = None) -> dict[str, PValues]:
    """Every test of this module on the same sequences, keyed as in ``TARGETS``."""
    rows = _rows(bits)
    params = parameters or NistParameters.for_length(rows.shape[1])
    longest = max(params.serial_m, params.approximate_entropy_m + 1)
    counts = pattern_counts(rows, longest)
    forward, backward = cumulative_sums(rows)
    serial1, serial2 = serial(rows, params.serial_m, _shorter(counts, params.serial_m))
    apen_counts = _shorter(counts, params.approximate_entropy_m + 1)
    return {
        "frequency": frequency(rows),
        "block_frequency": block_frequency(rows, params.block_frequency_block),
        "runs": runs(rows),
        "longest_run": longest_run(rows),
        "cumulative_sums.forward": forward,
        "cumulative_sums.backward": backward,
        "approximate_entropy": approximate_entropy(rows, params.approximate_entropy_m, apen_counts),
        "serial.1": serial1,
        "serial.2": serial2,
        "spectral": spectral(rows),
    }

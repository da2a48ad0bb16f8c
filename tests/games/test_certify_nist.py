"""SP 800-22 worked examples (section 2) as known answers, then the suite on good and bad generators."""

from __future__ import annotations

import cmath
import math

import numpy as np
import numpy.typing as npt
import pytest

from games.certify import nist
from games.certify.sources import LowBitLcg
from games.rng import SeededSource

E100 = "1100100100001111110110101010001000100001011010001100001000110100110001001100011001100010100010111000"
E128 = (
    "1100110000010101011011000100110011100000000000100100110101010001"
    "0001001111010110100000001101011111001100111001101101100010110010"
)


def bits(text: str) -> npt.NDArray[np.uint8]:
    return np.array([int(c) for c in text], dtype=np.uint8)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [pytest.param("1011010101", 0.527089, id="2.1.4"), pytest.param(E100, 0.109599, id="2.1.8")],
)
def test_frequency(sequence: str, expected: float) -> None:
    assert nist.frequency(bits(sequence))[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("sequence", "block", "expected"),
    [pytest.param("0110011010", 3, 0.801252, id="2.2.4"), pytest.param(E100, 10, 0.706438, id="2.2.8")],
)
def test_block_frequency(sequence: str, block: int, expected: float) -> None:
    assert nist.block_frequency(bits(sequence), block)[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [pytest.param("1001101011", 0.147232, id="2.3.4"), pytest.param(E100, 0.500798, id="2.3.8")],
)
def test_runs(sequence: str, expected: float) -> None:
    assert nist.runs(bits(sequence))[0] == pytest.approx(expected, abs=1e-6)


def test_runs_prerequisite_failure_gives_zero() -> None:
    assert nist.runs(bits("1" * 99 + "0"))[0] == 0.0


def test_longest_run() -> None:
    # The spec prints 0.180598 from its 4-decimal category table; the exact M=8 probabilities give 0.180609.
    assert nist.longest_run(bits(E128))[0] == pytest.approx(0.180598, abs=2e-5)


def test_longest_run_probabilities_are_exact() -> None:
    assert nist.longest_run_probabilities(8, 1, 4) == (0.21484375, 0.3671875, 0.23046875, 0.1875)
    m128 = nist.longest_run_probabilities(128, 4, 9)
    reference = (0.1174035788, 0.242955959, 0.249363483, 0.17517706, 0.102701071, 0.112398847)
    assert m128 == pytest.approx(reference, abs=1e-9)
    assert sum(nist.longest_run_probabilities(10_000, 10, 16)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sequence", "forward", "backward"),
    [
        pytest.param("1011010111", 0.4116588, 0.4116588, id="2.13.4"),
        pytest.param(E100, 0.219194, 0.114866, id="2.13.8"),
    ],
)
def test_cumulative_sums(sequence: str, forward: float, backward: float) -> None:
    p_forward, p_backward = nist.cumulative_sums(bits(sequence))
    assert p_forward[0] == pytest.approx(forward, abs=1e-6)
    assert p_backward[0] == pytest.approx(backward, abs=1e-6)


@pytest.mark.parametrize(
    ("sequence", "m", "expected"),
    [pytest.param("0100110101", 3, 0.261961, id="2.12.4"), pytest.param(E100, 2, 0.235301, id="2.12.8")],
)
def test_approximate_entropy(sequence: str, m: int, expected: float) -> None:
    assert nist.approximate_entropy(bits(sequence), m)[0] == pytest.approx(expected, abs=1e-6)


def test_serial() -> None:
    p1, p2 = nist.serial(bits("0011011101"), 3)
    assert p1[0] == pytest.approx(0.808792, abs=1e-6)
    assert p2[0] == pytest.approx(0.670320, abs=1e-6)


def test_spectral_matches_a_direct_dft() -> None:
    # The spec's own spectral example cannot be reproduced from its formulas, so check against the definition.
    sample = bits(E100)
    x = [2 * int(b) - 1 for b in sample]
    n = len(x)
    moduli = [abs(sum(x[k] * cmath.exp(-2j * math.pi * j * k / n) for k in range(n))) for j in range(n // 2)]
    below = sum(m < math.sqrt(math.log(20) * n) for m in moduli)
    d = (below - 0.95 * n / 2) / math.sqrt(n * 0.95 * 0.05 / 4)
    assert nist.spectral(sample)[0] == pytest.approx(math.erfc(abs(d) / math.sqrt(2)), abs=1e-12)


def test_pattern_counts_wrap_around() -> None:
    counts = nist.pattern_counts(bits("0011011101"), 3)[0]
    assert counts.tolist() == [0, 1, 1, 2, 1, 2, 2, 1]  # SP 800-22 2.11.4: v000..v111


def test_words_become_bits_most_significant_first() -> None:
    words = np.array([0x80000001, 0x00000003], dtype=np.uint32)
    rows = nist.words_to_sequences(words, 2)
    assert rows[0].tolist() == [1] + [0] * 30 + [1]
    assert rows[1].tolist() == [0] * 30 + [1, 1]


def test_run_on_words_batches_give_the_same_answer() -> None:
    words = SeededSource(3).words(40 * 64)
    whole = nist.run_all(nist.words_to_sequences(words, 40))
    batched = nist.run_on_words(words, 40, batch_bits=3 * 64 * 32)
    assert whole.keys() == batched.keys()
    for key in whole:
        np.testing.assert_allclose(batched[key], whole[key])


def test_second_level_rules() -> None:
    uniform = (np.arange(100) + 0.5) / 100
    level = nist.second_level(uniform, 0.01)
    assert level.proportion == 0.99
    assert level.threshold == pytest.approx(0.99 - 3 * math.sqrt(0.0099 / 100))
    assert level.passed
    assert not nist.second_level(np.full(100, 0.55), 0.01).passed  # proportion fine, not uniform
    too_many_failures = np.concatenate([np.full(5, 0.001), uniform[5:]])
    assert not nist.second_level(too_many_failures, 0.01).passed


def test_parameters_follow_the_recommendations() -> None:
    params = nist.NistParameters.for_length(128_000)
    assert params.block_frequency_block > 0.01 * 128_000
    assert 128_000 // params.block_frequency_block < 100
    assert params.approximate_entropy_m < int(math.log2(128_000)) - 5
    assert params.serial_m < int(math.log2(128_000)) - 2
    with pytest.raises(ValueError):
        nist.NistParameters.for_length(500)


def _verdicts(words: npt.NDArray[np.uint32]) -> dict[str, bool]:
    return {key: nist.second_level(p, 0.01).passed for key, p in nist.run_on_words(words, 60).items()}


def test_a_good_generator_passes_every_test() -> None:
    assert all(_verdicts(SeededSource(2024).words(60 * 1024)).values())


def test_the_low_bit_lcg_fails_the_spectral_test() -> None:
    verdicts = _verdicts(LowBitLcg(7).words(60 * 1024))
    assert not verdicts["spectral"]
    assert not verdicts["block_frequency"]

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import numpy as np
import pytest

from games.rng import (
    Mapping,
    ProvablyFairStream,
    RandomSource,
    SeededSource,
    commitment,
    draw_index,
    map_words,
    rejection_limit,
)

SERVER = "some server seed"
CLIENT = "some client seed"


def _hmac_block(round_: int, nonce: int = 1) -> bytes:
    return hmac.new(SERVER.encode(), f"{CLIENT}:{nonce}:{round_}".encode(), hashlib.sha256).digest()


def test_public_vector_bytes() -> None:
    assert list(ProvablyFairStream(SERVER, CLIENT, 1).bytes(8)) == [151, 136, 121, 135, 209, 159, 189, 233]


def test_public_vector_floats() -> None:
    stream = ProvablyFairStream(SERVER, CLIENT, 1)
    assert [stream.float() for _ in range(5)] == [
        0.5919261889066547,
        0.81884371698834,
        0.17176169087179005,
        0.277875404804945,
        0.5454130100551993,
    ]


def test_float_is_big_endian_word_over_2_to_32() -> None:
    b = _hmac_block(0)
    expected = b[0] / 256 + b[1] / 256**2 + b[2] / 256**3 + b[3] / 256**4
    assert ProvablyFairStream(SERVER, CLIENT, 1).float() == expected


def test_ninth_float_comes_from_the_next_round() -> None:
    stream = ProvablyFairStream(SERVER, CLIENT, 1)
    first_eight = [stream.float() for _ in range(8)]
    ninth = stream.float()
    round0, round1 = _hmac_block(0), _hmac_block(1)
    assert first_eight == [int.from_bytes(round0[i : i + 4], "big") / 2**32 for i in range(0, 32, 4)]
    assert ninth == int.from_bytes(round1[:4], "big") / 2**32
    assert stream.words_drawn == 9


def test_bytes_cross_rounds_mid_request() -> None:
    stream = ProvablyFairStream(SERVER, CLIENT, 1)
    stream.bytes(30)
    assert stream.bytes(5) == _hmac_block(0)[30:] + _hmac_block(1)[:3]


def test_nonce_changes_the_stream() -> None:
    assert ProvablyFairStream(SERVER, CLIENT, 2).bytes(32) == _hmac_block(0, nonce=2)


def test_commitment_is_sha256_of_seed_text() -> None:
    assert commitment(SERVER) == hashlib.sha256(SERVER.encode()).hexdigest()


def test_compatible_index_is_floor_f_times_n() -> None:
    floats = ProvablyFairStream(SERVER, CLIENT, 1)
    indices = ProvablyFairStream(SERVER, CLIENT, 1)
    for n in (37, 52, 10001, 10**8):
        assert indices.index(n) == int(floats.float() * n)


class _Words:
    """A source of chosen words, to drive the mapping through rejection."""

    def __init__(self, words: list[int]) -> None:
        self._words: Iterator[int] = iter(words)
        self.used = 0

    def __call__(self) -> int:
        self.used += 1
        return next(self._words)


def test_unbiased_rejects_words_above_the_last_full_multiple() -> None:
    limit = rejection_limit(37)
    assert limit == 2**32 - 2**32 % 37
    words = _Words([limit, 2**32 - 1, limit - 1])
    assert draw_index(words, 37, Mapping.UNBIASED) == (limit - 1) % 37
    assert words.used == 3


def test_unbiased_mode_on_the_stream_uses_the_shared_mapping() -> None:
    stream = ProvablyFairStream(SERVER, CLIENT, 1, mapping=Mapping.UNBIASED)
    reference = ProvablyFairStream(SERVER, CLIENT, 1)
    assert stream.index(52) == draw_index(reference.word, 52, Mapping.UNBIASED)


@pytest.mark.parametrize("n", [0, -3])
def test_index_range_must_be_positive(n: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        ProvablyFairStream(SERVER, CLIENT, 1).index(n)


def test_unbiased_range_cannot_exceed_the_word() -> None:
    with pytest.raises(ValueError, match="2\\*\\*32"):
        draw_index(lambda: 0, 2**32 + 1, Mapping.UNBIASED)


@pytest.mark.parametrize("mapping", list(Mapping), ids=lambda m: m.value)
@pytest.mark.parametrize("n", [6, 37, 52, 10001, 10**8, 2**31 + 11])
def test_map_words_matches_sequential_draws(mapping: Mapping, n: int) -> None:
    words = SeededSource(11).words(5000)
    if n > 10**6:
        words[::7] = 2**32 - 1 - np.arange(len(words[::7]), dtype=np.uint32)  # force rejections near the top
    it = iter(words.tolist())
    expected = []
    try:
        while True:
            expected.append(draw_index(lambda: next(it), n, mapping))
    except StopIteration:
        pass
    assert map_words(words, n, mapping).tolist() == expected


def test_seeded_source_is_a_random_source() -> None:
    assert isinstance(SeededSource(1), RandomSource)


def test_seeded_words_are_raw_output_low_half_first() -> None:
    pcg, philox = SeededSource(99), SeededSource(99, bit_generator="philox")
    for source, make in ((pcg, np.random.PCG64DXSM), (philox, np.random.Philox)):
        raw = make(np.random.SeedSequence(99)).random_raw(3)
        expected = [w for r in raw.tolist() for w in (r & 0xFFFFFFFF, r >> 32)]
        assert [source.word() for _ in range(6)] == expected


def test_word_words_float_and_index_share_one_sequence() -> None:
    mixed = SeededSource(5)
    plain = SeededSource(5).words(3001).tolist()
    drawn = [mixed.word() for _ in range(3)]
    drawn += mixed.words(2001).tolist()
    drawn += [int(mixed.float() * 2**32) for _ in range(5)]
    drawn += mixed.words(991).tolist()
    assert drawn == plain[:3000]
    assert mixed.index(52) == int(plain[3000] / 2**32 * 52)


def test_seeded_index_compatible_and_unbiased() -> None:
    words = SeededSource(8).words(200)
    compatible = SeededSource(8)
    assert [compatible.index(37) for _ in range(50)] == map_words(words[:50], 37, Mapping.COMPATIBLE).tolist()
    unbiased = SeededSource(8, mapping=Mapping.UNBIASED)
    assert [unbiased.index(37) for _ in range(50)] == map_words(words, 37, Mapping.UNBIASED)[:50].tolist()


def test_record_rebuilds_the_stream() -> None:
    source = SeededSource(None, bit_generator="philox", mapping=Mapping.UNBIASED)
    record = source.record
    again = SeededSource(record.entropy, spawn_key=record.spawn_key, bit_generator=record.bit_generator)
    assert source.words(100).tolist() == again.words(100).tolist()
    assert record.numpy_version == np.__version__
    assert record.to_json()["mapping"] == "unbiased"
    assert isinstance(record.to_json()["entropy"], int)


def test_spawned_children_are_distinct_reproducible_and_recorded() -> None:
    parent = SeededSource(123)
    first, second = parent.spawn(2)
    (third,) = parent.spawn(1)
    keys = [c.record.spawn_key for c in (first, second, third)]
    assert keys == [(0,), (1,), (2,)]
    streams = [c.words(64).tolist() for c in (first, second, third)]
    assert len({tuple(s) for s in streams}) == 3
    rebuilt = SeededSource(123, spawn_key=(1,))
    assert rebuilt.words(64).tolist() == streams[1]
    assert first.spawn(1)[0].record.spawn_key == (0, 0)


def test_unknown_bit_generator_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown bit generator"):
        SeededSource(1, bit_generator="mt19937")  # type: ignore[arg-type]


def test_words_count_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        SeededSource(1).words(-1)

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from games.certify import ConsecutiveNonces, export_outcomes, export_raw, read_raw
from games.certify.export import OUTCOME_COLUMNS
from games.rng import ProvablyFairStream, SeededSource


def test_raw_export_is_little_endian_uint32_of_the_source_words(tmp_path: Path) -> None:
    path = tmp_path / "raw.bin"
    assert export_raw(SeededSource(1), path, 1000) == 4000
    expected = SeededSource(1).words(1000)
    data = path.read_bytes()
    assert len(data) == 4000
    assert int.from_bytes(data[:4], "little") == int(expected[0])
    assert read_raw(path).tolist() == expected.tolist()


def test_raw_export_of_the_live_stream_keeps_its_byte_values(tmp_path: Path) -> None:
    path = tmp_path / "pf.bin"
    export_raw(ConsecutiveNonces("s", "c", words_per_nonce=8), path, 8)
    block = ProvablyFairStream("s", "c", 1).bytes(32)
    assert read_raw(path).tolist() == [int.from_bytes(block[i : i + 4], "big") for i in range(0, 32, 4)]


def test_outcome_csv_rows_are_the_draws_in_column_order(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    export_outcomes(SeededSource(2), path, 50)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["round", "roulette_37", "card_52", "dice_10001", "float"]
    assert len(rows) == 51
    replay = SeededSource(2)
    for number, row in enumerate(rows[1:], start=1):
        expected = [str(number), *(str(replay.index(n)) for _, n in OUTCOME_COLUMNS), repr(replay.float())]
        assert row == expected
    values = np.array([[int(v) for v in row[1:4]] for row in rows[1:]])
    assert values.min() >= 0
    assert (values.max(axis=0) < [37, 52, 10001]).all()

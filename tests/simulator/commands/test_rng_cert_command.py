from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from games.certify import CertifiableSource
from games.certify import battery as battery_module
from games.certify.sources import ModuloBiased
from games.rng import Mapping, SeededSource
from simulator import cli
from simulator.commands import rng_cert


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    args = cli.parser().parse_args(["rng-cert", *argv])
    assert cli.runner(args) is rng_cert.run
    code = rng_cert.run(args)
    out, err = capsys.readouterr()
    assert isinstance(code, int)
    return code, out, err


def test_json_report_passes_and_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--source", "pcg64dxsm", "--samples", "20000", "--seed", "7", "--json")
    code, out, err = _run(capsys, *argv)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["passed"] is True
    assert report["source"]["entropy"] == 7
    assert len(report["tests"]) == 28
    assert _run(capsys, *argv)[1] == out


def test_text_report_on_the_provably_fair_stream(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--samples", "20000", "--mapping", "unbiased")
    assert code == 0
    assert out.startswith("RNG certification: PASS (28/28 tests pass at alpha 0.01)")
    assert "kind=provably-fair" in out
    assert "mapping=unbiased" in out


def test_exports_hold_the_tested_words_and_the_outcomes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    raw, outcomes = tmp_path / "raw.bin", tmp_path / "outcomes.csv"
    code, _, err = _run(
        capsys,
        *("--source", "philox", "--samples", "20000", "--seed", "3"),
        *("--export-raw", str(raw), "--export-outcomes", str(outcomes)),
    )
    assert code == 0
    assert "raw.bin" in err and "outcomes.csv" in err
    assert raw.read_bytes() == SeededSource(3, bit_generator="philox").words(80_000).astype("<u4").tobytes()
    lines = outcomes.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "round,roulette_37,card_52,dice_10001,float"
    assert len(lines) == 20_001


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(("--samples", "5"), "--samples must be between 20000 and 10000000", id="samples"),
        pytest.param(("--source", "philox", "--seed", "abc"), "--seed must be a non-negative integer", id="seed"),
        pytest.param(("--samples", "20000", "--export-raw", "/nonexistent/dir/raw.bin"), "cannot write", id="path"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("rng-cert: ") and message in err


def test_a_failing_source_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def biased(kind: str, seed: str | None, mapping: Mapping) -> Callable[[], CertifiableSource]:
        return lambda: ModuloBiased(1)

    monkeypatch.setattr(rng_cert, "source_factory", biased)
    monkeypatch.setattr(battery_module, "CHECKS", tuple(c for c in battery_module.CHECKS if c.name == "chi_square"))
    code, out, _ = _run(capsys, "--samples", "50000")
    assert code == 1
    assert out.startswith("RNG certification: FAIL")


def test_cli_minimum_matches_the_battery() -> None:
    assert rng_cert.MIN_SAMPLES == battery_module.MIN_SAMPLES


def test_without_scipy_the_command_names_the_extra_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "scipy" else real(name))
    code, out, err = _run(capsys, "--samples", "20000")
    assert (code, out) == (2, "")
    assert err.strip() == "rng-cert: the battery needs scipy: pip install 'casino-provider-simulator[certify]'"

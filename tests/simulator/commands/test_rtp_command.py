"""``casino-sim rtp`` through its own parser, as the CLI wires it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from games.rtp import RtpReport, simulate_engine
from simulator import cli
from simulator.commands import rtp
from tests.games.test_rtp import CoinFlip


def parse(*argv: str) -> argparse.Namespace:
    return cli.parser().parse_args(["rtp", *argv])


def test_pass_prints_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("--game", "slot-classic20-965", "--rounds", "200000", "--seed", "9")
    assert cli.runner(args) is rtp.run
    assert rtp.run(args) == 0
    out = capsys.readouterr().out
    for label in ("RTP", "99% CI", "theoretical RTP", "hit frequency", "sigma", "max win", "unbounded"):
        assert label in out
    assert out.strip().endswith("PASS")


def test_fail_exits_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def wrong_math(game: str, rounds: int, seed: int, **_: object) -> RtpReport:
        return simulate_engine(CoinFlip(rtp=0.9), rounds, seed)

    monkeypatch.setattr(rtp, "simulate_rtp", wrong_math)
    assert rtp.run(parse("--game", "test-coin", "--rounds", "100000")) == 1
    assert capsys.readouterr().out.strip().endswith("FAIL")


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert rtp.run(parse("--game", "slot-ways243-920", "--rounds", "50000", "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["game"] == "slot-ways243-920"
    assert report["rounds"] == 50_000
    assert report["passed"] is True
    assert report["ci99"][0] < report["rtp"] < report["ci99"][1]


def test_plot_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rtp.png"
    assert rtp.run(parse("--game", "slot-boost20-940", "--rounds", "20000", "--plot", str(path))) == 0
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert f"plot written to {path}" in capsys.readouterr().out


BAD_INPUT = [
    pytest.param(("--game", "slot-nothing-965"), "no game engine 'slot-nothing-965'", id="unknown-game"),
    pytest.param(("--game", "slot-clasic20-965"), "did you mean slot-classic20-965", id="misspelt-game"),
    pytest.param(("--game", "slot-classic20-965", "--rounds", "0"), "--rounds must be positive", id="zero-rounds"),
    pytest.param(("--game", "slot-classic20-965", "--rounds", "-3"), "--rounds must be positive", id="negative-rounds"),
    pytest.param(("--game", "slot-classic20-965", "--seed", "-1"), "--seed must not be negative", id="negative-seed"),
    pytest.param(
        ("--game", "slot-classic20-965", "--rounds", "1000", "--plot", "/nonexistent/dir/rtp.png"),
        "cannot write plot",
        id="unwritable-plot",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line(
    argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rtp.run(parse(*argv)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_plot_without_matplotlib_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    assert rtp.run(parse("--game", "dice", "--rounds", "1000", "--plot", str(tmp_path / "x.png"))) == 2
    assert "[plot]" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_stake_plays_rounds_through_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse("--game", "plinko", "--stake", "10", "--rounds", "5000", "--seed", "2", "--json")
    assert rtp.run(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stake"] == 10 and report["rounds"] == 5000 and report["passed"] is True
    args = parse("--game", "plinko", "--stake", "10", "--rounds", "500")
    assert rtp.run(args) == 0
    assert "10 minor units (played)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--game", "dice", "--stake", "0"), "--stake must be a positive number of minor units, got 0"),
        (("--game", "dice", "--stake", "-5"), "--stake must be a positive number of minor units, got -5"),
        (("--game", "dice", "--stake", "10", "--rounds", "0"), "--rounds must be positive, got 0"),
        (("--game", "dise", "--stake", "10"), "did you mean dice"),
    ],
)
def test_bad_stake_input_exits_2(argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(*argv)
    assert rtp.run(args) == 2
    assert message in capsys.readouterr().err


def test_a_jackpot_title_reports_the_pools_share_in_its_declared_rtp(capsys: pytest.CaptureFixture[str]) -> None:
    assert rtp.run(parse("--game", "slot-jungle25-940", "--rounds", "100000", "--seed", "3", "--json")) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["jackpot"]["jackpot_id"] == "jungle-mega" and body["jackpot"]["share"] == 0.01
    assert body["jackpot"]["declared_rtp"] == pytest.approx(body["theory"]["rtp"] + 0.01)
    assert rtp.run(parse("--game", "slot-jungle25-940", "--rounds", "100000", "--seed", "3")) == 0
    out = capsys.readouterr().out
    assert "jungle-mega: +1.0000% of stakes" in out and "declared RTP" in out
    assert rtp.run(parse("--game", "slot-jungle25-920", "--rounds", "100000", "--seed", "3")) == 0
    assert "jackpot" not in capsys.readouterr().out

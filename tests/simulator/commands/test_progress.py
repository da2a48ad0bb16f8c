"""Progress lines of the long commands (off unless stderr is a terminal or ``--progress``), and unknown engine ids
answered with the valid ones."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from games.certify import BatteryConfig, run_battery
from games.registry import engine_ids
from games.rng import SeededSource
from simulator import cli
from simulator.commands.progress import ProgressLine, progress_line
from simulator.conformance.runner import run as run_conformance
from simulator.faults.runner import run_scenario
from simulator.faults.scenario import load_scenario
from tests.fakes.wallets import wallet_under_test

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticks:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_is_throttled_and_shows_rate_and_eta() -> None:
    clock, out = Ticks(), io.StringIO()
    line = ProgressLine("rtp dice", "rounds", stream=out, clock=clock, interval=0.5)
    clock.now += 10
    line(1_000, 4_000)
    for done in range(1_001, 1_500):
        clock.now += 0.0001
        line(done, 4_000)  # within the interval: not drawn
    clock.now += 10
    line(2_500, 4_000)
    line(4_000, 4_000)  # the last report is always drawn
    line.close()
    assert out.getvalue().splitlines() == [
        "rtp dice: 1,000/4,000 rounds (25%), 100/s, ETA 0:30",
        "rtp dice: 2,500/4,000 rounds (62%), 125/s, ETA 0:12",
        "rtp dice: 4,000/4,000 rounds (100%), 200/s, ETA 0:00",
    ]


def test_on_a_terminal_the_line_is_redrawn_in_place_and_ended() -> None:
    clock, out = Ticks(), Terminal()
    line = ProgressLine("conformance native", "checks", stream=out, clock=clock)
    clock.now += 4000
    line(1, 2)
    line(2, 2)
    line.close()
    text = out.getvalue()
    assert text.startswith("\rconformance native: 1/2 checks (50%), 0/s, ETA 1:06:40\x1b[K\r")
    assert text.endswith("2/2 checks (100%), 0/s, ETA 0:00\x1b[K\n")


@pytest.mark.parametrize(
    ("flag", "terminal", "shown"),
    [
        pytest.param(None, True, True, id="auto-terminal"),
        pytest.param(None, False, False, id="auto-pipe"),
        pytest.param(True, False, True, id="forced-on"),
        pytest.param(False, True, False, id="forced-off"),
    ],
)
def test_shown_on_a_terminal_unless_told_otherwise(flag: bool | None, terminal: bool, shown: bool) -> None:
    stream = Terminal() if terminal else io.StringIO()
    assert (progress_line(flag, "x", "rounds", stream=stream) is not None) is shown


def test_rtp_reports_progress_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rtp", "--game", "dice", "--stake", "100", "--rounds", "30000", "--seed", "3"]
    assert cli.main(argv) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""  # stderr is not a terminal here
    assert cli.main([*argv, "--progress"]) == 0
    loud = capsys.readouterr()
    assert loud.out == quiet.out  # the report does not change
    lines = loud.err.splitlines()
    assert lines[0].startswith("rtp dice: 10,000/30,000 rounds (33%), ")
    assert lines[-1].startswith("rtp dice: 30,000/30,000 rounds (100%), ")


def test_the_battery_reports_each_check() -> None:
    seen: list[tuple[int, int]] = []
    run_battery(
        SeededSource(5),
        BatteryConfig(samples=20_000),
        only=("repetition", "chi_square"),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 2), (2, 2)]


async def test_a_scenario_reports_every_round(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    scenario = load_scenario(SCENARIOS / "lost-win-retried.yaml")
    report = await run_scenario(scenario, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert report.ok
    planned = seen[-1][1]
    assert planned == scenario.players.count * sum(getattr(step, "rounds", 0) for step in scenario.traffic) > 0
    assert seen == [(n, planned) for n in range(1, planned + 1)]


async def test_conformance_reports_every_check(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    async with wallet_under_test(tmp_path, "native") as wallet:
        result = await run_conformance(
            wallet.options,
            clock=wallet.clock,
            advance_clock=wallet.clock.advance,
            progress=lambda done, total: seen.append((done, total)),
        )
    total = len(result.results)
    assert seen == [(n, total) for n in range(1, total + 1)]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["rtp", "--game", "dise"], id="rtp"),
        pytest.param(
            ["verify", "--engine", "dise", "--server-seed", "s", "--client-seed", "c", "--nonce", "1", "--amount", "1"],
            id="verify",
        ),
    ],
)
def test_unknown_engine_ids_list_the_valid_ones(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "no game engine 'dise' (did you mean dice?)" in err
    assert f"; valid engine ids: {', '.join(engine_ids())}\n" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err

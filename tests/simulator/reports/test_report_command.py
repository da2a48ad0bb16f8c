"""``casino-sim report`` writes the same figures as the API, as CSV, JSON and a self-contained HTML page."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path

import pytest

from simulator import cli
from simulator.state import SETTINGS
from tests.simulator.settlement.conftest import World


async def _cli(*args: str) -> int:
    return await asyncio.to_thread(cli.main, ["report", *args])


async def test_csv_json_and_html_agree_with_the_api(world_on: World, tmp_path: Path) -> None:
    world = world_on
    players = [await world.player(1_000_000), await world.player(1_000_000, currency="EUR")]
    sessions = [await world.session(p) for p in players]
    world.plan.on("bet", "fail_after")
    for i in range(16):
        await world.sim.play(sessions[i % 2], 100 + i)
        world.clock.advance(3 * 3600)
    await world.settle()
    api = (await world.sim.request("GET", "/v1/reports/money?group_by=day,game&limit=5000")).body
    url = world.sim.app[SETTINGS].effective_database_url
    common = ("--database-url", url, "--group-by", "day,game")

    assert await _cli(*common, "--format", "csv", "-o", str(tmp_path / "r.csv")) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert [(r["day"], r["currency"], int(r["ggr"]), int(r["bets"])) for r in rows] == [
        (r["day"], r["currency"], r["ggr"], r["bets"]) for r in api["rows"]
    ]

    assert await _cli(*common, "--format", "json", "-o", str(tmp_path / "r.json")) == 0
    body = json.loads((tmp_path / "r.json").read_text())
    assert body["money"]["totals"] == api["totals"]
    assert body["rtp"]["games"] and body["rtp"]["games"][0]["status"] == "too_few_rounds"

    assert await _cli(*common, "--format", "html", "-o", str(tmp_path / "r.html")) == 0
    page = (tmp_path / "r.html").read_text()
    assert page.count("<svg") == 1 + 2  # GGR for USD and for EUR, and the RTP chart
    assert "GGR per day" in page and "RTP per game" in page
    assert not re.search(r"(src|href)=|<script|https?://", page), "the page must load nothing"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "from must be a UTC date"),
        (["--group-by", "week"], "group_by takes"),
        (["--confidence", "1.5"], "--confidence must be"),
    ],
)
async def test_bad_options_are_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], world_on: World
) -> None:
    url = world_on.sim.app[SETTINGS].effective_database_url
    assert await _cli("--database-url", url, *args) == 2
    assert message in capsys.readouterr().err


async def test_a_missing_database_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _cli("--database-url", f"sqlite:///{tmp_path / 'none.sqlite3'}") == 2
    assert "no database file" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()

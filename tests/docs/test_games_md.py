"""docs/games.md does not lie: every engine has a section, and every request of a section is sent, as written, to each
of its engines' reference titles on a live server, after checking it against the schemas the catalogue serves."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from games.registry import engine_ids, get_engine
from tests.harness import Sim

PAGE = Path(__file__).resolve().parents[2] / "docs" / "games.md"
ATTEMPTS = 50
"""Rounds tried before an action must be allowed (a blackjack deal can end the round at once: about 1 in 20)."""


@dataclass(frozen=True)
class Section:
    title: str
    engines: list[str]
    round: dict[str, Any]
    actions: list[dict[str, Any]]


def sections() -> list[Section]:
    found = []
    for chunk in PAGE.read_text().split("\n### ")[1:]:
        title = chunk.splitlines()[0]
        line = re.search(r"^Engines: (.*?)\.", chunk, flags=re.M)
        assert line is not None, f"section {title!r} names no engines"
        patterns = re.findall(r"`([^`]+)`", line.group(1))
        engines = sorted({e for p in patterns for e in fnmatch.filter(engine_ids(), p)})
        assert engines, f"section {title!r}: {patterns} match no engine"
        requests = re.findall(r"```json (round|action)\n(.*?)```", chunk, flags=re.S)
        rounds = [json.loads(body) for kind, body in requests if kind == "round"]
        assert len(rounds) == 1, f"section {title!r} needs exactly one round request"
        actions = [json.loads(body) for kind, body in requests if kind == "action"]
        found.append(Section(title, engines, rounds[0], actions))
    return found


SECTIONS = sections()


def test_every_engine_has_an_example() -> None:
    """Every engine a player bets on with a request has its section; live tables, whose bets go over a socket, are
    each named under "Live tables", which sends the reader to docs/live.md."""
    covered = {engine for section in SECTIONS for engine in section.engines}
    live = {e for e in engine_ids() if get_engine(e).category == "live"}
    assert sorted(set(engine_ids()) - covered - live) == []
    tables = PAGE.read_text().split("\n## Live tables\n", 1)[1].split("\n## ", 1)[0]
    assert "(live.md)" in tables and all(f"`{e}`" in tables for e in live)


@pytest.mark.parametrize("section", [pytest.param(s, id=s.title) for s in SECTIONS])
async def test_the_examples_play_on_a_live_server(sim: Sim, section: Section) -> None:
    player = await sim.create_player(10_000_000)
    for engine_id in section.engines:
        game_id = await sim.game_for(engine_id)
        schemas = (await sim.request("GET", f"/v1/games/{game_id}/parameters")).body
        Draft202012Validator(schemas["bet"]).validate(section.round["params"])
        for action in section.actions:
            Draft202012Validator(schemas["actions"][action["action"]]).validate(action["params"])
        session = await sim.launch(player, game_id)
        await _play(sim, session["session_token"], section, engine_id)


async def _play(sim: Sim, token: str, section: Section, engine_id: str) -> None:
    for _ in range(ATTEMPTS):
        started = await sim.request("POST", f"/play/{token}/rounds", section.round)
        assert started.status == 200, (engine_id, started.body)
        assert started.body["amount"] == section.round["amount"]
        if not section.actions:
            assert started.body["status"] == "closed", started.body
            return
        round_ = started.body
        for action in section.actions:
            if action["action"] not in (round_.get("actions") or ()):
                break  # the deal ended the round, or the action is not offered in this one: play another
            acted = await sim.request("POST", f"/play/{token}/rounds/{round_['round_id']}/actions", action)
            assert acted.status == 200, (engine_id, action, acted.body)
            round_ = acted.body
        else:
            return
    pytest.fail(f"{engine_id}: {ATTEMPTS} rounds never allowed {[a['action'] for a in section.actions]}")

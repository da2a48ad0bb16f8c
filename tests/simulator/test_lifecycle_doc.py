"""docs/settlement.md draws the round's state machine; the drawing lists exactly the lifecycle table's transitions."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.lifecycle import ROUND_TRANSITIONS, diagram

DOC = Path(__file__).parents[2] / "docs" / "settlement.md"
_LINE = re.compile(r"^(?P<sources>[a-z_ |]+) --(?P<event>[a-z ]+)--> (?P<target>[a-z_]+)$")


def drawn() -> str:
    """The code block that follows the marker comment in the doc."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- round transitions: simulator/lifecycle.py -->\n```\n(.*?)\n```", text, re.DOTALL)
    assert block is not None, "docs/settlement.md lost its round transition diagram"
    return block.group(1)


def test_the_doc_draws_the_transition_table() -> None:
    assert drawn() == diagram()


def test_each_drawn_line_is_one_transition_of_the_table() -> None:
    table = {(frozenset(t.sources), str(event), t.target) for event, t in ROUND_TRANSITIONS.items()}
    lines = set()
    for line in drawn().splitlines():
        match = _LINE.match(line)
        assert match is not None, line
        lines.add((frozenset(match["sources"].split(" | ")), match["event"], match["target"]))
    assert lines == table

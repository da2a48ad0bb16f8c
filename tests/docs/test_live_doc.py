"""docs/live.md shows the schema of every live socket message exactly as the code defines it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from simulator.live.messages import CLIENT_MESSAGES, SERVER_MESSAGES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "live.md").read_text()


def test_every_message_schema_is_in_the_doc_as_defined() -> None:
    shown = {
        name: json.loads(body) for name, body in re.findall(r"#### `(\w+)`\n\n```json\n(.*?)\n```", DOC, re.DOTALL)
    }
    assert shown == SERVER_MESSAGES | CLIENT_MESSAGES


def test_every_schema_is_a_valid_schema() -> None:
    for schema in (SERVER_MESSAGES | CLIENT_MESSAGES).values():
        jsonschema.Draft202012Validator.check_schema(schema)

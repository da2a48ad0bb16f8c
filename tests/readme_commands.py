"""The README's shell commands, read the way a user follows them, and run in order against a live server.

How the README marks them (and what this reader holds it to):

- every ```` ```bash ```` block is preceded by an HTML comment: ``<!-- readme-test: quick-start -->`` (the two
  commands of the quick start), ``<!-- readme-test: run -->`` (run in order, each command must succeed) or
  ``<!-- readme-test: skip (why) -->``; an untagged bash block is an error, so none is forgotten;
- in a block, a line starting with ``#`` is a comment and a line ending in ``\\`` continues on the next;
- a ``# -> {...}`` line under a command shows its reply, with words in capitals (``"player_id": "PLAYER_ID"``)
  where a value comes from: the runner takes that key's value from the real reply (the first one found, depth
  first) and puts it in place of the word in the commands that follow, as a user copies it;
- the server listens on a free port instead of 8080: ``:8080`` in a command becomes that port, and
  ``CASINO_SIM_PORT`` tells the commands that find the server from the settings (``call``, ``verify``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

_BLOCK = re.compile(r"<!-- readme-test: (quick-start|run|skip \([^)]+\)) -->\n```bash\n(.*?)```", re.S)
_PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_BINDING = re.compile(r'"(\w+)": "([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"')


@dataclass(frozen=True)
class Command:
    text: str
    binds: dict[str, str]
    """Placeholder name -> the reply's key it is taken from."""


def blocks(kind: str) -> list[str]:
    """The bash blocks tagged ``kind`` (``quick-start``, ``run`` or ``skip``), in README order."""
    text = README.read_text()
    tagged = _BLOCK.findall(text)
    untagged = text.count("```bash\n") - len(tagged)
    if untagged:
        raise AssertionError(f"{untagged} bash block(s) in README.md carry no <!-- readme-test: ... --> tag")
    return [body for tag, body in tagged if tag.split(" ")[0] == kind]


def commands(block: str) -> list[Command]:
    found: list[Command] = []
    pending = ""
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("# ->") and found:
            found[-1].binds.update({name: key for key, name in _BINDING.findall(stripped)})
            continue
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        found.append(Command(pending + stripped, {}))
        pending = ""
    return found


def _lookup(reply: Any, key: str) -> Any:
    if isinstance(reply, dict):
        if key in reply:
            return reply[key]
        values: list[Any] = list(reply.values())
    elif isinstance(reply, list):
        values = reply
    else:
        return None
    for value in values:
        if (found := _lookup(value, key)) is not None:
            return found
    return None


def run_in_order(cwd: Path, port: int, env: dict[str, str], *, timeout: float = 300) -> list[str]:
    """Runs every ``run`` command; returns what ran (after substitution). Raises ``AssertionError`` on the first
    command that fails, with its output."""
    values: dict[str, str] = {}
    env = env | {"CASINO_SIM_PORT": str(port)}
    ran = []
    for block in blocks("run"):
        for command in commands(block):
            text = _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), command.text)
            text = text.replace(":8080", f":{port}")
            unknown = [
                name for name in _PLACEHOLDER.findall(text) if name not in values and not name.startswith("CASINO_")
            ]
            assert not unknown, f"{command.text!r}: no earlier reply gave {unknown}"
            result = subprocess.run(
                ["bash", "-c", text], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
            assert result.returncode == 0, f"{text}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
            reply: Any = None
            if result.stdout.lstrip().startswith(("{", "[")):
                reply = json.loads(result.stdout)
                assert not (isinstance(reply, dict) and "error" in reply), f"{text}\n{result.stdout}"
            for name, key in command.binds.items():
                value = _lookup(reply, key)
                assert isinstance(value, str | int), f"{text}: the reply has no {key!r} for {name}\n{result.stdout}"
                values[name] = str(value)
            ran.append(text)
    return ran


def base_environment() -> dict[str, str]:
    """The test process's environment without settings of its own, so the commands see only what they are given."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CASINO_SIM_")}

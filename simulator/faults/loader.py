"""Fault rules from a file: YAML (``.yaml``/``.yml``) or TOML (``.toml``), a mapping with a ``rules`` list.

```yaml
rules:
  - id: lose-some-wins
    match: {side: outbound, operation: win}
    action: {type: lose}
    schedule: {probability: 0.2}
```

The TOML form is an array of tables, ``[[rules]]``. A bad file fails at start with the file and the field named.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import RequestError
from simulator.faults.rules import FaultFile, FaultRule
from simulator.http import parse_model


def read_document(path: Path) -> Any:
    """The parsed YAML or TOML document at ``path``; errors say which file and why."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise RequestError(f"cannot read {path}: {exc.strerror}") from exc
    toml = path.suffix == ".toml"
    try:
        return tomllib.loads(text) if toml else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RequestError(f"{path} is not valid {'TOML' if toml else 'YAML'}: {exc}") from exc


def parse_rules(data: Any, *, source: str = "rules") -> list[FaultRule]:
    """Validate a ``{"rules": [...]}`` mapping (or a bare list); the message names the rule and the field."""
    if data is None:
        return []
    if isinstance(data, list):
        data = {"rules": data}
    return list(parse_model(FaultFile, data, strict=None, code="INVALID_FAULT", where=f"{source}: ").rules)


def load_rules(path: Path) -> list[FaultRule]:
    return parse_rules(read_document(path), source=str(path))

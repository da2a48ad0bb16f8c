"""The whole run as JSON: suite, summary, and per check its expectations and exchanges."""

from __future__ import annotations

import json

from simulator.conformance.model import SuiteResult


def render_json(result: SuiteResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"

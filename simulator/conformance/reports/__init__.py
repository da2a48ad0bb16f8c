"""Reports of a conformance run: JSON (everything, for machines), JUnit XML (for CI), HTML (for a person),
and the text summary the command prints."""

from __future__ import annotations

from simulator.conformance.model import SuiteResult
from simulator.conformance.reports.html_report import render_html
from simulator.conformance.reports.json_report import render_json
from simulator.conformance.reports.junit_report import render_junit
from simulator.conformance.reports.text_report import render_text

FORMATS = {"json": render_json, "junit": render_junit, "html": render_html}


def render(result: SuiteResult, report_format: str) -> str:
    return FORMATS[report_format](result)


__all__ = ["FORMATS", "render", "render_html", "render_json", "render_junit", "render_text"]

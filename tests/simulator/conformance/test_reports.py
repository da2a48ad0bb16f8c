"""Reports: JSON that round-trips, JUnit XML that CI tools load, HTML a person can read (self-contained,
one expandable block per check), and no secret in any of them."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.conformance.model import Status, SuiteResult
from simulator.conformance.players import Player
from simulator.conformance.reports import render, render_text
from simulator.conformance.runner import run
from tests.fakes.wallets import NoTombstoneLedger, wallet_under_test


@dataclasses.dataclass
class Run:
    result: SuiteResult
    secrets: list[str]  # the dialect's secret and every session token the run used


async def _players(http: aiohttp.ClientSession, base: str) -> list[Player]:
    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with http.post(base + path, json=body) as response:
            data: dict[str, Any] = await response.json()
            return data

    players = []
    for _ in range(2):
        made = await post("/sandbox/players", {"currency": "EUR", "balance": 50_000})
        expired = await post(f"/sandbox/players/{made['player_id']}/tokens", {"ttl": 0})
        players.append(Player(made["player_id"], made["token"], "EUR", expired_token=expired["token"]))
    blocked = await post("/sandbox/players", {"currency": "EUR", "balance": 500, "blocked": True})
    players.append(Player(blocked["player_id"], blocked["token"], "EUR", "blocked"))
    return players


async def _operator_run(tmp_path: Path) -> Run:
    async with wallet_under_test(tmp_path, "token_query", ledger=NoTombstoneLedger) as wallet:
        async with aiohttp.ClientSession() as http:
            players = await _players(http, wallet.base_url)
        options = dataclasses.replace(wallet.options, players=tuple(players))
        result = await run(options, clock=wallet.clock, advance_clock=wallet.clock.advance)
    assert options.keys.secret is not None
    tokens = [t for p in players for t in (p.token, p.expired_token) if t]
    return Run(result, [options.keys.secret.decode(), *tokens])


@pytest.fixture(scope="module")
def operator_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """token_query (its secret rides in the URL) against a wallet without tombstones, with players named the
    way an operator names them: passes, failures and skips, and tokens the test knows. One run for the
    module, on its own event loop."""
    return asyncio.run(_operator_run(tmp_path_factory.mktemp("reports")))


def test_the_run_has_every_verdict(operator_run: Run) -> None:
    result = operator_run.result
    assert {r.status for r in result.results} == {Status.PASS, Status.FAIL, Status.SKIP}
    assert "3 operator player(s)" in result.info.players


@pytest.mark.parametrize("report_format", ["json", "junit", "html", "text"])
def test_no_report_contains_a_secret(operator_run: Run, report_format: str) -> None:
    text = render_text(operator_run.result) if report_format == "text" else render(operator_run.result, report_format)
    assert "[redacted]" in text or report_format == "text"
    for secret in operator_run.secrets:
        assert secret not in text


def test_the_json_report_holds_everything(operator_run: Run) -> None:
    data = json.loads(render(operator_run.result, "json"))
    assert data["summary"] == operator_run.result.summary()
    assert data["summary"]["total"] == len(data["checks"]) >= 30
    failed = next(c for c in data["checks"] if c["status"] == "FAIL")
    assert {"id", "title", "why", "expectations", "exchanges", "reason"} <= set(failed)
    assert any(not e["ok"] for e in failed["expectations"])
    exchange = failed["exchanges"][0]
    assert {"method", "url", "request_headers", "request_body", "status", "response_body"} <= set(exchange)


def test_the_junit_report_loads_as_ci_tools_read_it(operator_run: Run) -> None:
    root = ET.fromstring(render(operator_run.result, "junit"))  # noqa: S314 - our own report
    summary = operator_run.result.summary()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    for element in (root, suite):
        assert int(element.attrib["tests"]) == len(cases) == summary["total"]
        assert int(element.attrib["failures"]) == sum(c.find("failure") is not None for c in cases) == summary["failed"]
        assert int(element.attrib["skipped"]) == sum(c.find("skipped") is not None for c in cases) == summary["skipped"]
        assert int(element.attrib["errors"]) == 0
        float(element.attrib["time"])
    for case in cases:
        assert case.attrib["classname"].startswith("conformance.") and case.attrib["name"]
        float(case.attrib["time"])
        failure = case.find("failure")
        if failure is not None:
            assert failure.attrib["message"] and failure.text
        skipped = case.find("skipped")
        if skipped is not None:
            assert skipped.attrib["message"]
        assert case.find("system-out") is not None
    assert {p.attrib["name"] for p in suite.iter("property")} >= {"dialect", "wallet_url"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def classes(self, tag: str, css: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and css in (a.get("class") or "").split()]


def test_the_html_report_is_self_contained_with_the_summary_first(operator_run: Run) -> None:
    result = operator_run.result
    document = render(result, "html")
    page = _Page()
    page.feed(document)
    page.close()
    names = [t for t, _ in page.tags]
    assert names[:3] == ["html", "head", "meta"] and names.count("style") == 1
    assert "link" not in names and "img" not in names and "iframe" not in names
    assert all("src" not in attrs for _, attrs in page.tags)
    assert all((attrs.get("href") or "#").startswith("#") for _, attrs in page.tags)
    assert "url(" not in document and "@import" not in document
    text = " ".join(page.text)
    summary = result.summary()
    assert text.index(f"FAILED: {summary['failed']} of {summary['total']} checks failed") < text.index("Signatures")
    checks = page.classes("details", "check")
    assert [c["id"] for c in checks] == [r.id for r in result.results]
    for check, r in zip(checks, result.results, strict=True):
        assert str(r.status).lower() in (check.get("class") or "")
        assert ("open" in check) == (r.status is Status.FAIL)  # failures start expanded
    assert len(page.classes("details", "exchanges")) == sum(bool(r.exchanges) for r in result.results)
    assert len(page.classes("tr", "bad")) == sum(not e.ok for r in result.results for e in r.expectations)
    assert all(r.why in text for r in result.results)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_renders_the_html_report(operator_run: Run, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(operator_run.result, "html"), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page compresses to a few kB

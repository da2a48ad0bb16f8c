"""JUnit XML as CI tools read it: one ``testsuite`` per run, one ``testcase`` per check (``classname`` the
group, ``name`` the check id), ``failure`` and ``skipped`` elements, counts on both levels, and the
expectations and exchanges in ``system-out``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from simulator.conformance.model import CheckResult, Exchange, Status, SuiteResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def exchange_text(exchange: Exchange) -> str:
    lines = [f"--> {exchange.label}: {exchange.method} {exchange.url}"]
    lines += [f"    {k}: {v}" for k, v in exchange.request_headers.items()]
    if exchange.request_body:
        lines.append(f"    {exchange.request_body}")
    if exchange.error is not None:
        lines.append(f"<-- no answer: {exchange.error} ({exchange.elapsed_ms:.0f} ms)")
    else:
        lines.append(f"<-- HTTP {exchange.status} ({exchange.elapsed_ms:.0f} ms)")
        if exchange.response_body:
            lines.append(f"    {exchange.response_body}")
    return "\n".join(lines)


def _details(check: CheckResult) -> str:
    lines = [check.title, f"Why it matters: {check.why}", ""]
    for e in check.expectations:
        lines.append(f"[{'ok' if e.ok else 'FAILED'}] {e.step}: expected {e.expected}; saw {e.saw}")
    if check.exchanges:
        lines += ["", "Exchanges:"] + [exchange_text(x) for x in check.exchanges]
    return "\n".join(lines)


def render_junit(result: SuiteResult) -> str:
    info = result.info
    s = result.summary()
    counts = {
        "tests": str(s["total"]),
        "failures": str(s["failed"]),
        "errors": "0",
        "skipped": str(s["skipped"]),
        "time": f"{info.duration_s:.3f}",
    }
    root = ET.Element("testsuites", {"name": "casino-sim wallet conformance", **counts})
    suite = ET.SubElement(
        root, "testsuite", {"name": f"wallet conformance ({info.dialect})", **counts, "timestamp": info.started_at}
    )
    properties = ET.SubElement(suite, "properties")
    described = {"dialect": info.dialect, "wallet_url": info.wallet_url, "players": info.players} | info.options
    for name, value in described.items():
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for check in result.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"conformance.{check.group}", "name": check.id, "time": f"{check.duration_ms / 1000:.3f}"},
        )
        if check.status is Status.FAIL:
            failure = ET.SubElement(case, "failure", {"message": check.reason, "type": "ConformanceFailure"})
            failure.text = "\n".join(
                f"{e.step}: expected {e.expected}; saw {e.saw}" for e in check.expectations if not e.ok
            )
        elif check.status is Status.SKIP:
            ET.SubElement(case, "skipped", {"message": check.reason})
        ET.SubElement(case, "system-out").text = _details(check)
    for element in root.iter():
        element.attrib = {k: _clean(v) for k, v in element.attrib.items()}
        if element.text:
            element.text = _clean(element.text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

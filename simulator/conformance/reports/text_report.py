"""The summary printed at the end of a run: one line per check, then why each failure failed."""

from __future__ import annotations

from simulator.conformance.model import Status, SuiteResult

MARKS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}


def render_text(result: SuiteResult) -> str:
    info = result.info
    lines = [f"wallet conformance: {info.dialect} at {info.wallet_url}", f"players: {info.players}", ""]
    width = max((len(r.id) for r in result.results), default=0)
    for r in result.results:
        tail = f"  ({r.reason})" if r.status is Status.SKIP else ""
        lines.append(f"{MARKS[r.status]}  {r.id.ljust(width)}  {r.title}{tail}")
    failures = [r for r in result.results if r.status is Status.FAIL]
    if failures:
        lines += ["", "failures:"]
        for r in failures:
            lines.append(f"  {r.id}")
            lines += [f"    {e.step}: expected {e.expected}; saw {e.saw}" for e in r.expectations if not e.ok]
    s = result.summary()
    verdict = "FAILED" if result.failed else "PASSED"
    lines += [
        "",
        f"{verdict}: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped"
        f" of {s['total']} checks in {info.duration_s:.1f}s",
    ]
    return "\n".join(lines) + "\n"

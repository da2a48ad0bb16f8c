"""One self-contained HTML page for a person: the verdict and counts at the top, failures listed first, then
every check by group, each expandable to why it matters, what it expected and saw, and its exchanges.
Inline CSS and a few lines of inline script; nothing is fetched from anywhere."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import parse_qsl

from simulator.conformance.model import CheckResult, Exchange, Status, SuiteResult
from simulator.conformance.registry import GROUPS

CSS = """
:root { --pass: #1f7a3f; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --skip: #7a5c00;
  --skip-bg: #fef7e0; --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #fff; }
header { padding: 28px 40px 20px; border-bottom: 1px solid var(--line); background: #fafafa; }
main { padding: 8px 40px 48px; max-width: 1200px; }
h1 { margin: 0 0 6px; font-size: 24px; }
h2 { margin: 32px 0 8px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h2 small { color: var(--muted); font-weight: normal; font-size: 14px; }
.verdict { display: inline-block; margin: 6px 0 14px; padding: 6px 14px; border-radius: 6px; font-weight: 600;
  font-size: 17px; }
.verdict.pass { background: var(--pass-bg); color: var(--pass); }
.verdict.fail { background: var(--fail-bg); color: var(--fail); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 14px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; flex-wrap: wrap; }
.bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; background: var(--line);
  max-width: 640px; }
.bar span { display: block; height: 100%; }
.bar .pass { background: var(--pass); } .bar .fail { background: var(--fail); } .bar .skip { background: #f2c94c; }
.badge { display: inline-block; min-width: 44px; text-align: center; padding: 1px 8px; border-radius: 4px;
  font-size: 12px; font-weight: 700; letter-spacing: .03em; }
.badge.pass { background: var(--pass-bg); color: var(--pass); }
.badge.fail { background: var(--fail); color: #fff; }
.badge.skip { background: var(--skip-bg); color: var(--skip); }
.badge.zero { background: #f1f3f4; color: var(--muted); }
.attention { margin-top: 14px; padding: 10px 14px; border-left: 4px solid var(--fail); background: var(--fail-bg);
  max-width: 900px; }
.attention ul { margin: 4px 0 0; padding-left: 20px; }
.attention a { color: var(--fail); }
.tools { margin: 16px 0 0; }
.tools button { font: inherit; font-size: 13px; padding: 3px 10px; margin-right: 6px; border: 1px solid var(--line);
  background: #fff; border-radius: 4px; cursor: pointer; }
details.check { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; background: #fff; }
details.check.fail { border-color: #f1b0aa; }
details.check > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px; align-items: baseline;
  list-style: none; }
details.check > summary::-webkit-details-marker { display: none; }
details.check > summary::before { content: "▸"; color: var(--muted); width: 10px; }
details.check[open] > summary::before { content: "▾"; }
summary code { font-size: 13px; color: var(--muted); }
summary .title { flex: 1; }
summary .note { display: block; color: var(--skip); font-size: 13px; }
summary .ms { color: var(--muted); font-size: 12px; white-space: nowrap; }
.body { padding: 4px 16px 14px 34px; border-top: 1px solid var(--line); }
.why { color: #3c4043; margin: 10px 0; }
.reason { margin: 10px 0; padding: 6px 10px; background: var(--skip-bg); border-radius: 4px; }
table.expect { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; table-layout: fixed; }
table.expect col.mark { width: 28px; } table.expect col.step { width: 30%; }
table.expect th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line);
  padding: 4px 8px; }
table.expect td { vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #f1f3f4; overflow-wrap: anywhere; }
table.expect tr.bad td { background: var(--fail-bg); }
td.mark { width: 24px; font-weight: 700; }
tr.ok td.mark { color: var(--pass); } tr.bad td.mark { color: var(--fail); }
details.exchanges > summary { cursor: pointer; color: var(--muted); font-size: 14px; margin: 6px 0; }
.exchange { border: 1px solid var(--line); border-radius: 4px; margin: 8px 0; font-size: 13px; }
.exchange .line { padding: 4px 10px; background: var(--code-bg); display: flex; gap: 8px; flex-wrap: wrap;
  align-items: baseline; }
.exchange .line.response { border-top: 1px solid var(--line); }
.exchange .label { color: var(--muted); }
.exchange .sandbox { color: var(--muted); font-style: italic; }
.method { font-weight: 700; }
.status-ok { color: var(--pass); font-weight: 700; } .status-bad { color: var(--fail); font-weight: 700; }
pre { margin: 0; padding: 6px 10px; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.45 ui-monospace,
  SFMono-Regular, Menlo, Consolas, monospace; }
footer { color: var(--muted); font-size: 13px; padding: 0 40px 30px; }
"""

SCRIPT = """
function setAll(open) { document.querySelectorAll('details').forEach(d => { d.open = open; }); }
function failuresOnly() { document.querySelectorAll('details.check').forEach(d => {
  d.style.display = d.classList.contains('fail') ? '' : 'none'; }); }
function showAll() { document.querySelectorAll('details.check').forEach(d => { d.style.display = ''; }); }
"""


def _indent_json(text: str) -> str:
    """Valid JSON laid out one member per line, every token kept as written (``12.50`` stays ``12.50``)."""
    out: list[str] = []
    depth = i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
            continue
        if char in "{[":
            rest = text[i + 1 :].lstrip()
            if rest[:1] == ("}" if char == "{" else "]"):
                out.append(char + rest[0])
                i = len(text) - len(rest) + 1
                continue
            depth += 1
            out.append(char + "\n" + "  " * depth)
        elif char in "}]":
            depth -= 1
            out.append("\n" + "  " * depth + char)
        elif char == ",":
            out.append(",\n" + "  " * depth)
        elif char == ":":
            out.append(": ")
        elif not char.isspace():
            out.append(char)
        i += 1
    return "".join(out)


def _pretty(body: str) -> str:
    """JSON indented, forms one field per line; anything else as it came (it is already redacted)."""
    stripped = body.strip()
    if stripped.startswith(("{", "[")):
        try:
            json.loads(stripped)
        except ValueError:
            return body
        return _indent_json(stripped)
    if "=" in stripped and " " not in stripped and "\n" not in stripped:
        pairs = parse_qsl(stripped, keep_blank_values=True)
        if pairs:
            return "\n".join(f"{k} = {v}" for k, v in pairs)
    return body


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _exchange(x: Exchange) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in x.request_headers.items() if k.lower() != "content-type")
    kind = '<span class="sandbox">sandbox set-up</span>' if x.kind == "sandbox" else ""
    request = f"{headers}\n\n{_pretty(x.request_body)}".strip()
    parts = [
        '<div class="exchange">',
        f'<div class="line"><span class="method">{escape(x.method)}</span> <span>{escape(x.url)}</span>'
        f' <span class="label">{escape(x.label)}</span> {kind}</div>',
        f"<pre>{escape(request)}</pre>" if request else "",
    ]
    if x.error is not None:
        parts.append(
            f'<div class="line response"><span class="status-bad">no answer</span> {escape(x.error)}'
            f' <span class="label">{x.elapsed_ms:.0f} ms</span></div>'
        )
    else:
        css = "status-ok" if x.status is not None and x.status < 400 else "status-bad"
        parts.append(
            f'<div class="line response"><span class="{css}">HTTP {x.status}</span>'
            f' <span class="label">{x.elapsed_ms:.0f} ms</span></div>'
        )
        if x.response_body:
            parts.append(f"<pre>{escape(_pretty(x.response_body))}</pre>")
    parts.append("</div>")
    return "".join(parts)


def _check(r: CheckResult) -> str:
    status = str(r.status).lower()
    rows = "".join(
        f'<tr class="{"ok" if e.ok else "bad"}"><td class="mark">{"✓" if e.ok else "✗"}</td>'
        f"<td>{escape(e.step)}</td><td>{escape(e.expected)}</td><td>{escape(e.saw)}</td></tr>"
        for e in r.expectations
    )
    table = (
        '<table class="expect"><colgroup><col class="mark"><col class="step"><col><col></colgroup>'
        "<thead><tr><th></th><th>Step</th><th>Expected</th><th>Saw</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    reason = f'<p class="reason"><strong>Skipped:</strong> {escape(r.reason)}</p>' if r.status is Status.SKIP else ""
    exchanges = (
        f'<details class="exchanges"><summary>{len(r.exchanges)} HTTP exchange{"s" if len(r.exchanges) != 1 else ""}'
        f" (secrets redacted)</summary>{''.join(_exchange(x) for x in r.exchanges)}</details>"
        if r.exchanges
        else ""
    )
    opened = " open" if r.status is Status.FAIL else ""
    note = f'<span class="note">{escape(r.reason)}</span>' if r.status is Status.SKIP else ""
    return (
        f'<details class="check {status}" id="{escape(r.id)}"{opened}><summary>'
        f'<span class="badge {status}">{r.status}</span><span class="title">{escape(r.title)}{note}</span>'
        f'<code>{escape(r.id)}</code><span class="ms">{r.duration_ms:.0f} ms</span></summary>'
        f'<div class="body"><p class="why"><strong>Why it matters.</strong> {escape(r.why)}</p>'
        f"{reason}{table}{exchanges}</div></details>"
    )


def render_html(result: SuiteResult) -> str:
    info = result.info
    s = result.summary()
    total = max(1, s["total"])
    if result.failed:
        verdict = f'<div class="verdict fail">FAILED: {s["failed"]} of {s["total"]} checks failed</div>'
    else:
        skipped = f" ({s['skipped']} skipped)" if s["skipped"] else ""
        verdict = f'<div class="verdict pass">PASSED: all {s["passed"]} checks that apply passed{skipped}</div>'
    meta = {
        "Dialect": info.dialect,
        "Wallet": info.wallet_url,
        "Players": info.players,
        "Started": f"{info.started_at.replace('T', ' ').replace('+00:00', ' UTC')} (took {info.duration_s:.1f} s)",
    } | {k[0].upper() + k[1:]: v for k, v in info.options.items()}
    metas = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta.items())
    bar = "".join(
        f'<span class="{k}" style="width:{100 * s[n] / total:.2f}%"></span>'
        for k, n in (("pass", "passed"), ("fail", "failed"), ("skip", "skipped"))
        if s[n]
    )
    counts = " ".join(
        f'<span class="badge {css if s[n] else "zero"}">{s[n]} {n}</span>'
        for css, n in (("pass", "passed"), ("fail", "failed"), ("skip", "skipped"))
    )
    counts += f" <span>of {s['total']} checks</span>"
    failures = [r for r in result.results if r.status is Status.FAIL]
    attention = (
        '<div class="attention"><strong>Needs attention</strong><ul>'
        + "".join(
            f'<li><a href="#{escape(r.id)}">{escape(r.id)}</a>: {escape(_short(r.reason))}</li>' for r in failures
        )
        + "</ul></div>"
        if failures
        else ""
    )
    sections = []
    for group, title in GROUPS.items():
        checks = [r for r in result.results if r.group == group]
        if checks:
            failed = sum(r.status is Status.FAIL for r in checks)
            note = f"{len(checks)} check{'s' if len(checks) != 1 else ''}" + (f", {failed} failed" if failed else "")
            sections.append(f"<section><h2>{escape(title)} <small>{note}</small></h2>")
            sections += [_check(r) for r in checks]
            sections.append("</section>")
    word = "FAILED" if result.failed else "PASSED"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{word}: wallet conformance, {escape(info.dialect)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Wallet conformance report</h1>
{verdict}
<dl class="meta">{metas}</dl>
<div class="counts">{counts}</div>
<div class="bar">{bar}</div>
{attention}
<div class="tools"><button onclick="setAll(true)">Expand all</button>
<button onclick="setAll(false)">Collapse all</button>
<button onclick="failuresOnly()">Failures only</button><button onclick="showAll()">All checks</button></div>
</header>
<main>
{"".join(sections)}
</main>
<footer>casino-sim conformance: every check, why a provider runs it, and what it saw. Secrets are redacted.</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""

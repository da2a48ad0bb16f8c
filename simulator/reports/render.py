"""Reports written for people and programs: CSV (one row per group, a column pair per transaction kind), JSON, and
one self-contained HTML page whose charts are SVG drawn here, on the server: GGR over time per currency and each
game's observed RTP inside its band. Nothing on the page is fetched from anywhere."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from html import escape

from simulator.errors import UnknownCurrency
from simulator.money import to_decimal
from simulator.reports.money import MoneyReport
from simulator.reports.rtp import RtpLine

FIGURES = ("bets", "wins", "rollbacks", "stake_reversed", "bonus_payouts", "rounds", "rounds_rolled_back", "ggr", "ngr")
KEY_NAMES = ("day", "hour", "studio_id", "game_id", "currency", "player_id")


def money_csv(report: MoneyReport) -> str:
    keys = [k for k in KEY_NAMES if report.rows and k in report.rows[0]]
    kinds = sorted({kind for row in report.rows for kind in row["kinds"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*keys, *FIGURES, *(f"{kind}_{part}" for kind in kinds for part in ("count", "amount"))])
    for row in report.rows:
        counted = [row["kinds"].get(kind, {"count": 0, "amount": 0}) for kind in kinds]
        writer.writerow(
            [*(row[k] for k in keys), *(row[f] for f in FIGURES), *(c[p] for c in counted for p in ("count", "amount"))]
        )
    return out.getvalue()


def report_json(report: MoneyReport, rtp: Sequence[RtpLine], confidence: float) -> str:
    body = {
        "money": report.as_json(),
        "rtp": {
            "confidence": confidence,
            "games": [line.as_json() for line in rtp],
            "flagged": sum(line.status == "outside" for line in rtp),
        },
    }
    return json.dumps(body, indent=2)


def _amount(amount: int, currency: str) -> str:
    try:
        return f"{to_decimal(amount, currency):,}"
    except UnknownCurrency:
        return f"{amount:,}"


CSS = """
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; }
header { padding: 24px 40px 16px; border-bottom: 1px solid #dadce0; background: #fafafa; }
main { padding: 8px 40px 48px; max-width: 1200px; }
h1 { margin: 0 0 6px; font-size: 24px; } h2 { margin: 28px 0 8px; font-size: 18px; }
p.note { color: #5f6368; margin: 4px 0 12px; max-width: 900px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 20px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th.key, td.key { text-align: left; }
td.neg { color: #b3261e; } tr.outside td { background: #fce8e6; }
svg { display: block; margin: 6px 0 18px; } svg text { font: 11px system-ui, sans-serif; fill: #3c4043; }
"""


def _ggr_chart(series: list[tuple[str, int]], currency: str) -> str:
    """Bars of GGR per period, up for the provider's gain, down for its loss."""
    width, height, pad = 860, 220, 48
    top = max([abs(v) for _, v in series] + [1])
    step = (width - 2 * pad) / max(len(series), 1)
    zero = height / 2
    scale = (height / 2 - 24) / top
    parts = [
        f'<svg role="img" aria-label="GGR per period in {escape(currency)}" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}">',
        f'<line x1="{pad}" y1="{zero}" x2="{width - pad}" y2="{zero}" stroke="#9aa0a6"/>',
        f'<text x="4" y="16">{escape(currency)} GGR (max {escape(_amount(top, currency))})</text>',
    ]
    for i, (label, value) in enumerate(series):
        x = pad + i * step + step * 0.15
        h = abs(value) * scale
        y = zero - h if value >= 0 else zero
        colour = "#1f7a3f" if value >= 0 else "#b3261e"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(_amount(value, currency))}</title></rect>"
        )
        if len(series) <= 31 or i % max(1, len(series) // 24) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 6}">{escape(label[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rtp_chart(lines: Sequence[RtpLine]) -> str:
    """One row per game: its band as a grey bar, the declared RTP as a tick, the observed RTP as a dot (red outside)."""
    shown = [line for line in lines if line.observed_rtp is not None]
    if not shown:
        return "<p class='note'>No closed rounds yet.</p>"
    # the axis spans the observed and declared RTPs; a band wider than that (a volatile game with few rounds) is
    # drawn cut at the edges, or one game would squeeze every other into a few pixels
    values = [v for line in shown for v in (line.observed_rtp, line.declared_rtp) if v is not None]
    lo, hi = min(values) - 2, max(values) + 2
    left, width, row = 260, 560, 18
    height = row * len(shown) + 30

    def x(value: float) -> float:
        return left + (value - lo) / (hi - lo) * width

    parts = [
        f'<svg role="img" aria-label="observed RTP against declared RTP" width="{left + width + 40}"'
        f' height="{height}">',
        f'<text x="{left}" y="12">{lo:.1f}%</text><text x="{left + width - 30}" y="12">{hi:.1f}%</text>',
    ]
    for i, line in enumerate(shown):
        y = 24 + i * row
        assert line.observed_rtp is not None
        parts.append(f'<text x="4" y="{y + 4}">{escape(line.game_id[:36])} {escape(line.currency)}</text>')
        if line.low is not None and line.high is not None:
            low, high = max(line.low, lo), min(line.high, hi)
            parts.append(
                f'<rect x="{x(low):.1f}" y="{y - 5}" width="{max(x(high) - x(low), 1):.1f}"'
                f' height="10" fill="#dadce0"><title>band {line.low:.2f}% to {line.high:.2f}%</title></rect>'
            )
        parts.append(
            f'<line x1="{x(line.declared_rtp):.1f}" y1="{y - 7}" x2="{x(line.declared_rtp):.1f}"'
            f' y2="{y + 7}" stroke="#1d1d1f"/>'
        )
        colour = "#b3261e" if line.status == "outside" else "#1a73e8"
        parts.append(
            f'<circle cx="{x(line.observed_rtp):.1f}" cy="{y}" r="4" fill="{colour}"><title>observed'
            f" {line.observed_rtp:.3f}% over {line.rounds} rounds; declared {line.declared_rtp:.3f}%</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(report: MoneyReport) -> str:
    keys = [k for k in KEY_NAMES if report.rows and k in report.rows[0]]
    head = "".join(f"<th class='key'>{escape(k)}</th>" for k in keys) + "".join(f"<th>{f}</th>" for f in FIGURES)
    body = []
    for row in report.rows:
        cells = "".join(f"<td class='key'>{escape(str(row[k]))}</td>" for k in keys)
        for f in FIGURES:
            value = int(row[f])
            shown = str(value) if f.startswith("rounds") else _amount(value, row["currency"])
            cells += f"<td{' class=neg' if value < 0 else ''}>{escape(shown)}</td>"
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _rtp_table(lines: Sequence[RtpLine]) -> str:
    rows = []
    for line in lines:

        def pct(v: float | None) -> str:
            return "" if v is None else f"{v:.3f}"

        rows.append(
            f"<tr class='{escape(line.status)}'><td>{escape(line.game_id)}</td><td class='key'>{escape(line.currency)}"
            f"</td><td>{line.rounds}</td><td>{pct(line.declared_rtp)}</td><td>{pct(line.observed_rtp)}</td>"
            f"<td>{pct(line.low)} to {pct(line.high)}</td><td class='key'>{escape(line.sigma_source)}</td>"
            f"<td class='key'>{escape(line.status)}</td></tr>"
        )
    head = "<th>game</th><th>currency</th><th>rounds</th><th>declared %</th><th>observed %</th><th>band %</th>"
    return f"<table><thead><tr>{head}<th>sigma</th><th>status</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(
    report: MoneyReport, by_day: MoneyReport, rtp: Sequence[RtpLine], *, confidence: float, title: str
) -> str:
    """``report`` is the table asked for; ``by_day`` (grouped by day) draws GGR over time."""
    series: dict[str, list[tuple[str, int]]] = {}
    for row in by_day.rows:
        series.setdefault(row["currency"], []).append((row["day"], int(row["ggr"])))
    charts = "".join(_ggr_chart(points, currency) for currency, points in sorted(series.items()))
    totals = "".join(
        f"<li>{escape(t['currency'])}: bets {escape(_amount(t['bets'], t['currency']))}, wins"
        f" {escape(_amount(t['wins'], t['currency']))}, GGR {escape(_amount(t['ggr'], t['currency']))}, NGR"
        f" {escape(_amount(t['ngr'], t['currency']))}, {t['rounds']} rounds</li>"
        for t in report.totals
    )
    converted = report.converted
    if converted is not None:
        c, to = converted["totals"], converted["to"]
        rates = ", ".join(f"{currency} {value}" for currency, value in converted["rates"].items())
        totals += (
            f"<li>All converted to {escape(to)}: bets {escape(_amount(c['bets'], to))}, wins"
            f" {escape(_amount(c['wins'], to))}, GGR {escape(_amount(c['ggr'], to))}, NGR"
            f" {escape(_amount(c['ngr'], to))} (rates from {escape(converted['rates_source'])}, one unit in"
            f" {escape(converted['base'])}: {escape(rates)}; {escape(converted['rounding'])})</li>"
        )
    flagged = sorted(rtp, key=lambda line: (line.status != "outside", -line.rounds))[:60]
    outside = sum(line.status == "outside" for line in rtp)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<p class="note">Exact amounts in each currency's major units; currencies are never added together unless converted
with the rates table, and then the line says so. GGR = bets -
stakes reversed by rollbacks - wins; NGR = GGR - bonus payouts (every payout kind other than the game's own win).</p>
<ul>{totals or "<li>No acknowledged transactions.</li>"}</ul></header>
<main>
<h2>GGR per day</h2>{charts or "<p class='note'>No acknowledged transactions.</p>"}
<h2>RTP per game <small>{outside} outside the {confidence:.1%} band</small></h2>
<p class="note">Grey: the band around the declared RTP (black tick) for the rounds played; dot: observed RTP, red when
outside the band. Flagged games first; at most 60 shown here, all in the table below.</p>
{_rtp_chart(flagged)}
<h2>By {escape(", ".join(report.group_by))}</h2>{_table(report)}
<h2>RTP table</h2>{_rtp_table(rtp)}
</main></body></html>
"""

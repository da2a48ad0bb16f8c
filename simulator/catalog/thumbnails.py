"""A thumbnail per game, drawn as SVG from the game's id, category and name alone: the same game always gives
the same bytes, so thumbnails can be cached forever by their ETag.

The palette and layout come from SHA-256 of the game id; the motif says the category at a glance (reels for
slots, a wheel for table games, a rising curve for instant games, a camera badge for live-dealer titles).
"""

from __future__ import annotations

import colorsys
import hashlib
from xml.sax.saxutils import escape

from simulator.catalog.models import Game, Studio

WIDTH, HEIGHT = 320, 200


def _colour(byte_a: int, byte_b: int, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(byte_a / 255, lightness, 0.45 + byte_b / 255 * 0.4)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _motif(game: Game, seed: bytes, accent: str) -> str:
    if game.category == "slots":
        cells = []
        for i in range(3):
            x = 70 + i * 62
            symbol = "7★♦♣♥"[seed[10 + i] % 5]
            cells.append(
                f'<rect x="{x}" y="52" width="54" height="64" rx="8" fill="#ffffff" opacity="0.92"/>'
                f'<text x="{x + 27}" y="97" font-size="34" text-anchor="middle" '
                f'fill="{accent}">{symbol}</text>'
            )
        return "".join(cells)
    if game.category in ("table", "live"):
        spokes = "".join(
            f'<line x1="160" y1="84" x2="{160 + 40 * _cos(i)}" y2="{84 + 40 * _sin(i)}" stroke="{accent}" '
            f'stroke-width="2"/>'
            for i in range(12)
        )
        badge = (
            '<rect x="236" y="16" width="68" height="26" rx="13" fill="#e0245e"/>'
            '<text x="270" y="34" font-size="15" text-anchor="middle" fill="#fff">● LIVE</text>'
            if game.category == "live"
            else ""
        )
        return (
            f'<circle cx="160" cy="84" r="46" fill="#ffffff" opacity="0.92"/>{spokes}'
            f'<circle cx="160" cy="84" r="9" fill="{accent}"/>{badge}'
        )
    points = " ".join(f"{40 + i * 30},{130 - (seed[12 + i] % 24) - i * 8}" for i in range(9))
    return f'<polyline points="{points}" fill="none" stroke="#ffffff" stroke-width="5" stroke-linejoin="round"/>'


_ANGLES = [
    (1.0, 0.0),
    (0.866, 0.5),
    (0.5, 0.866),
    (0.0, 1.0),
    (-0.5, 0.866),
    (-0.866, 0.5),
    (-1.0, 0.0),
    (-0.866, -0.5),
    (-0.5, -0.866),
    (0.0, -1.0),
    (0.5, -0.866),
    (0.866, -0.5),
]


def _cos(i: int) -> float:
    return _ANGLES[i][0]


def _sin(i: int) -> float:
    return _ANGLES[i][1]


def render(game: Game, studio: Studio) -> bytes:
    seed = hashlib.sha256(game.game_id.encode()).digest()
    top, bottom = _colour(seed[0], seed[1], 0.42), _colour(seed[2], seed[3], 0.22)
    accent = _colour(seed[4], seed[5], 0.35)
    title = escape(game.name if len(game.name) <= 26 else game.name[:25] + "…")
    label = escape(game.name, {'"': "&quot;"})
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        f'<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{top}"/>'
        f'<stop offset="1" stop-color="{bottom}"/></linearGradient></defs>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="14" fill="url(#bg)"/>'
        f"{_motif(game, seed, accent)}"
        f'<text x="160" y="158" font-family="sans-serif" font-size="20" font-weight="bold" '
        f'text-anchor="middle" fill="#ffffff">{title}</text>'
        f'<text x="160" y="182" font-family="sans-serif" font-size="12" text-anchor="middle" fill="#ffffff" '
        f'opacity="0.8">{escape(studio.name)}</text>'
        "</svg>"
    ).encode()

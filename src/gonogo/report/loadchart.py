"""The load run's chart: latency (p50, p95) and throughput over time as one small inline SVG.

Plain data in (locust's stats history, second by second), SVG text out: no JavaScript, no
CDN, readable in any browser and embedded as an image in gonogo's report.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from gonogo.facts.load import HistoryPoint

W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 60, 28, 32


def _scale(value: float, top: float, span: float, size: float) -> float:
    return size - (value / top) * span if top > 0 else size


def _ceiling(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))


def chart_svg(history: Sequence[HistoryPoint], title: str = "load run") -> str:
    """p50 and p95 (ms, left axis) and requests/s (right axis) against seconds since start."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    end = max((p.t_s for p in history), default=1.0) or 1.0
    ms_top = _ceiling(max((p.p95_ms or 0.0 for p in history), default=0.0))
    rps_top = _ceiling(max((p.rps for p in history), default=0.0))

    def x(t: float) -> float:
        return LEFT + t / end * plot_w

    def line(values: list[tuple[float, float | None]], top: float) -> str:
        pts = [(x(t), _scale(v, top, plot_h, plot_h) + TOP) for t, v in values if v is not None]
        return _path(pts)

    rps = line([(p.t_s, p.rps) for p in history], rps_top)
    p50 = line([(p.t_s, p.p50_ms) for p in history], ms_top)
    p95 = line([(p.t_s, p.p95_ms) for p in history], ms_top)
    failing = line([(p.t_s, p.failures_per_s) for p in history], rps_top)
    grid = "".join(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + plot_h * i / 4:.1f}" '
        f'y2="{TOP + plot_h * i / 4:.1f}" stroke="#d0d7de"/>'
        f'<text x="{LEFT - 4}" y="{TOP + plot_h * i / 4 + 4:.1f}" text-anchor="end">'
        f"{ms_top * (4 - i) / 4:g}</text>"
        f'<text x="{W - RIGHT + 4}" y="{TOP + plot_h * i / 4 + 4:.1f}">'
        f"{rps_top * (4 - i) / 4:g}</text>"
        for i in range(5)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">'
        f'<rect width="{W}" height="{H}" fill="#fff"/>'
        f'<text x="{LEFT}" y="16" font-size="13">{escape(title)}: latency (ms, left) and '
        f"throughput (req/s, right) over {end:g} s</text>{grid}"
        f'<path d="{rps}" fill="none" stroke="#8250df" stroke-width="1.5"/>'
        f'<path d="{failing}" fill="none" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="4 2"/>'
        f'<path d="{p50}" fill="none" stroke="#1a7f37" stroke-width="1.5"/>'
        f'<path d="{p95}" fill="none" stroke="#9a6700" stroke-width="2"/>'
        f'<text x="{LEFT}" y="{H - 8}"><tspan fill="#1a7f37">p50</tspan> '
        f'<tspan fill="#9a6700">p95</tspan> <tspan fill="#8250df">req/s</tspan> '
        f'<tspan fill="#cf222e">failures/s</tspan> (seconds since start: 0 to {end:g})</text>'
        "</svg>"
    )

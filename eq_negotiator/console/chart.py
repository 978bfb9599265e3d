"""A thread's trajectory as an inline SVG, drawn on the server: no script, no chart library, nothing downloaded.

The upper panel has one row per emotion: the client's sensed emotion per turn (blue dots, larger for a surer
reading, joined by a line) and the agent's stance (orange squares, dashed). The lower panel is the policy's belief
over the client's latent stances (0 to 1). A turn handed to a person is shaded red.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from eq_negotiator.console.views import TurnView
from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning import STANCES

WIDTH: Final[int] = 760
LEFT: Final[int] = 86
RIGHT: Final[int] = 16
TOP: Final[int] = 40
ROW: Final[int] = 22
BELIEF_HEIGHT: Final[int] = 90
GAP: Final[int] = 46
BOTTOM: Final[int] = 30

CLIENT_COLOUR: Final[str] = "#1f6fb2"
STANCE_COLOUR: Final[str] = "#d9711c"
ESCALATED_COLOUR: Final[str] = "#f6d5d5"
BELIEF_COLOURS: Final[dict[str, str]] = {
    "cooperative": "#2e8b57",
    "confrontational": "#c0392b",
    "distressed": "#8e44ad",
    "strategic": "#7f8c8d",
}


def trajectory_svg(turns: Sequence[TurnView]) -> str:
    """The chart of ``turns`` as an ``<svg>`` element (empty string for a thread without turns)."""
    if not turns:
        return ""
    emotions_bottom = TOP + ROW * (len(LABELS) - 1)
    belief_top = emotions_bottom + GAP
    belief_bottom = belief_top + BELIEF_HEIGHT
    height = belief_bottom + BOTTOM
    span = max(len(turns) - 1, 1)
    step = (WIDTH - LEFT - RIGHT) / span

    def x(turn: int) -> float:
        return LEFT + (turn - 1) * step if len(turns) > 1 else LEFT + (WIDTH - LEFT - RIGHT) / 2

    def y_emotion(label: str) -> float:
        return TOP + ROW * LABELS.index(label)

    def y_belief(p: float) -> float:
        return belief_bottom - p * BELIEF_HEIGHT

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trajectory" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Client emotion, agent stance and belief per turn</title>',
        "<style>text{font:11px sans-serif;fill:#333}.axis{stroke:#ccc;stroke-width:1}</style>",
    ]
    band = min(max(step * 0.6, 14.0), 40.0)
    for view in turns:
        if view.escalated:
            left = max(x(view.turn) - band / 2, LEFT - 6.0)
            right = min(x(view.turn) + band / 2, WIDTH - 2.0)  # a last turn's band stays inside the chart
            parts.append(
                f'<rect x="{left:.1f}" y="{TOP - 12}" width="{right - left:.1f}" '
                f'height="{belief_bottom - TOP + 12}" fill="{ESCALATED_COLOUR}"><title>turn {view.turn}: handed to '
                f"a person ({escape(view.rights)})</title></rect>"
            )
    for label in LABELS:
        y = y_emotion(label)
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{escape(label)}</text>')
    for p in (0.0, 0.5, 1.0):
        y = y_belief(p)
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{p:g}</text>')
    parts.append(f'<text x="{LEFT - 8}" y="{belief_top - 10}" text-anchor="end">belief:</text>')
    label_every = max(1, len(turns) // 15)
    for view in turns:
        if (view.turn - 1) % label_every == 0:
            parts.append(f'<text x="{x(view.turn):.1f}" y="{height - 10}" text-anchor="middle">{view.turn}</text>')
    parts.append(f'<text x="{LEFT - 8}" y="{height - 10}" text-anchor="end">turn</text>')

    sensed = [(view.turn, view.emotion, view.confidence) for view in turns if view.emotion in LABELS]
    parts.append(_polyline([(x(t), y_emotion(str(e))) for t, e, _ in sensed], CLIENT_COLOUR))
    for turn, emotion, confidence in sensed:
        radius = 3 + 4 * float(confidence or 0)
        parts.append(
            f'<circle cx="{x(turn):.1f}" cy="{y_emotion(str(emotion))}" r="{radius:.1f}" fill="{CLIENT_COLOUR}">'
            f"<title>turn {turn}: client {escape(str(emotion))} ({float(confidence or 0):.2f})</title></circle>"
        )
    stances = [(view.turn, view.stance) for view in turns if view.stance in LABELS]
    parts.append(_polyline([(x(t), y_emotion(str(s))) for t, s in stances], STANCE_COLOUR, dashed=True))
    for turn, stance in stances:
        y = y_emotion(str(stance))
        parts.append(
            f'<rect x="{x(turn) - 4:.1f}" y="{y - 4}" width="8" height="8" fill="{STANCE_COLOUR}">'
            f"<title>turn {turn}: agent stance {escape(str(stance))}</title></rect>"
        )
    for name in STANCES:
        points = [(x(view.turn), y_belief(view.belief[name])) for view in turns if name in view.belief]
        parts.append(_polyline(points, BELIEF_COLOURS[name]))
    top_legend = [("client emotion", CLIENT_COLOUR), ("agent stance", STANCE_COLOUR)]
    parts.append(_legend([*top_legend, ("handed to a person", ESCALATED_COLOUR)], 16))
    parts.append(_legend([(name, BELIEF_COLOURS[name]) for name in STANCES], belief_top - 10))
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: Sequence[tuple[float, float]], colour: str, *, dashed: bool = False) -> str:
    if len(points) < 2:
        return ""
    coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'


def _legend(entries: Sequence[tuple[str, str]], y: int) -> str:
    parts, left = [], LEFT
    for text, colour in entries:
        parts.append(f'<rect x="{left}" y="{y - 8}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + 14}" y="{y + 1}">{escape(text)}</text>')
        left += 24 + 7 * len(text)
    return "".join(parts)

"""A plain report of a simulation run: ``report.md`` and a self-contained ``report.html``, with PNG plots.

The plots are drawn with matplotlib's Agg backend (no display) and saved beside the report; the HTML embeds them
as base64 data URIs so the one file can be mailed or archived on its own. Every piece of text that comes from the
run (policy, persona and scenario names, dialogue text) is HTML-escaped, and escaped for Markdown tables.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")  # before pyplot: never open a display

import matplotlib.pyplot as plt  # after matplotlib.use: the backend must be chosen first
from matplotlib.figure import Figure

SCRIPTED_NOTE: Final[str] = (
    "These results come from the scripted debtor: rule-based personas that concede on fixed schedules and express "
    "emotion through scripted phrasings. They compare the policies under those assumptions; they are not estimates "
    "of how real debtors would respond."
)
"""The caveat shown when ``summary["labels"]["debtor"]`` names the scripted debtor."""

COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("n", "n"),
    ("success", "success rate [95% CI]"),
    ("collection_rate", "collection"),
    ("savings_ratio", "savings (agreed)"),
    ("rounds", "rounds (agreed)"),
    ("debtor_movement", "debtor moved"),
    ("violations", "violations"),
    ("guard_interventions", "guard interventions"),
    ("negative", "negative emotion first → last"),
)
"""The columns of every summary table: entry key (or a derived name) and heading."""

PLOT_FILES: Final[tuple[str, ...]] = ("success.png", "collection_savings.png", "negative_emotion.png", "stances.png")
"""The PNG files :func:`write_report` writes beside the report."""


# -- formatting -------------------------------------------------------------------------------------------------------


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.{digits}f}"


def _cells(entry: Mapping[str, Any]) -> list[str]:
    """One table row's cells for a summary entry (plain text, not yet escaped)."""
    ci = entry.get("success_ci")
    success = _number(entry.get("success_rate"))
    if ci:
        success += f" [{_number(ci[0])}, {_number(ci[1])}]"
    negative = (
        f"{_number(entry.get('negative_emotion_rate_first'))} → {_number(entry.get('negative_emotion_rate_last'))}"
    )
    values = {"success": success, "negative": negative}
    return [values[key] if key in values else _number(entry.get(key)) for key, _ in COLUMNS]


def _md_escape(text: str) -> str:
    """Text for a Markdown table cell: HTML-escaped (Markdown renders HTML) and pipes escaped."""
    # Markdown renderers pass raw HTML through, so <, > and & are escaped; quotes are harmless and stay readable.
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>"


def _entry_rows(entries: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    return [[name, *_cells(entry)] for name, entry in entries.items()]


# -- plots ------------------------------------------------------------------------------------------------------------


def _success_plot(summary: Mapping[str, Any]) -> Figure:
    """Success rate with its Wilson interval, per policy and per persona."""
    groups = [("per policy", summary.get("by_policy", {})), ("per persona", summary.get("by_persona", {}))]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, (title, entries) in zip(axes, groups, strict=True):
        names = list(entries)
        rates = [entries[n]["success_rate"] or 0.0 for n in names]
        cis = [entries[n].get("success_ci") or [r, r] for n, r in zip(names, rates, strict=True)]
        errors = [
            [max(0.0, r - ci[0]) for r, ci in zip(rates, cis, strict=True)],
            [ci[1] - r for r, ci in zip(rates, cis, strict=True)],
        ]
        axis.bar(range(len(names)), rates, yerr=errors, capsize=4, color="#4c72b0")
        axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axis.set_ylim(0, 1.05)
        axis.set_ylabel("success rate (95% Wilson CI)")
        axis.set_title(f"Agreement {title}")
    figure.tight_layout()
    return figure


def _collection_plot(summary: Mapping[str, Any]) -> Figure:
    """Collection rate and savings ratio per policy."""
    entries = summary.get("by_policy", {})
    names = list(entries)
    figure, axis = plt.subplots(figsize=(8, 4))
    width = 0.4
    for offset, key, colour in ((-width / 2, "collection_rate", "#55a868"), (width / 2, "savings_ratio", "#c44e52")):
        values = [entries[n].get(key) or 0.0 for n in names]
        axis.bar([i + offset for i in range(len(names))], values, width, label=key.replace("_", " "), color=colour)
    axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axis.set_ylabel("mean")
    axis.set_title("Collection rate (all dialogues) and savings ratio (agreed dialogues) per policy")
    axis.legend()
    figure.tight_layout()
    return figure


def _negative_plot(summary: Mapping[str, Any]) -> Figure:
    """Share of negative readings by turn index, one line per policy (de-escalation)."""
    figure, axis = plt.subplots(figsize=(8, 4))
    for name, entry in summary.get("by_policy", {}).items():
        rates = entry.get("negative_emotion_rate_by_turn") or []
        points = [(i + 1, r) for i, r in enumerate(rates) if r is not None]
        if points:
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    axis.set_xlabel("debtor turn")
    axis.set_ylabel("share of negative readings")
    axis.set_ylim(0, 1.05)
    axis.set_title("Negative emotion over the dialogue per policy")
    if axis.get_legend_handles_labels()[0]:
        axis.legend()
    figure.tight_layout()
    return figure


def _stance_plot(summary: Mapping[str, Any]) -> Figure:
    """Stance usage per policy, stacked to 1."""
    entries = summary.get("by_policy", {})
    names = list(entries)
    stances = sorted({s for entry in entries.values() for s in (entry.get("stance_usage") or {})})
    figure, axis = plt.subplots(figsize=(8, 4))
    bottoms = [0.0] * len(names)
    for stance in stances:
        shares = [(entries[n].get("stance_usage") or {}).get(stance, 0.0) for n in names]
        axis.bar(range(len(names)), shares, bottom=bottoms, label=stance)
        bottoms = [b + s for b, s in zip(bottoms, shares, strict=True)]
    axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axis.set_ylabel("share of policy-decided turns")
    axis.set_title("Stance usage per policy")
    if stances:
        axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    return figure


PLOTTERS: Final[dict[str, Callable[[Mapping[str, Any]], Figure]]] = dict(
    zip(PLOT_FILES, (_success_plot, _collection_plot, _negative_plot, _stance_plot), strict=True)
)

PLOT_TITLES: Final[dict[str, str]] = {
    "success.png": "Success rate with 95% Wilson intervals",
    "collection_savings.png": "Collection rate and savings ratio",
    "negative_emotion.png": "Negative emotion by turn (de-escalation)",
    "stances.png": "Stance usage",
}


def _save_plots(summary: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for name, plotter in PLOTTERS.items():
        figure = plotter(summary)
        try:
            figure.savefig(out_dir / name, dpi=100)
        finally:
            plt.close(figure)
        paths[name] = out_dir / name
    return paths


# -- sections ---------------------------------------------------------------------------------------------------------


def _comparison_rows(comparison: Mapping[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    for policy, result in comparison.get("policies", {}).items():
        for metric, values in result.get("metrics", {}).items():
            ci = values.get("ci")
            interval = f"[{_number(ci[0])}, {_number(ci[1])}]" if ci else "–"
            rows.append(
                [
                    policy,
                    metric,
                    str(values.get("n", 0)),
                    _number(values.get("mean_policy")),
                    _number(values.get("mean_baseline")),
                    _number(values.get("mean_diff")),
                    interval,
                ]
            )
    return rows


COMPARISON_HEADER: Final[tuple[str, ...]] = (
    "policy",
    "metric",
    "pairs",
    "policy mean",
    "baseline mean",
    "diff",
    "95% CI",
)


def _example_turns(records: Sequence[Mapping[str, Any]], limit: int = 6) -> list[tuple[str, list[list[str]]]]:
    """The first dialogue of each policy, its first ``limit`` turns as table rows."""
    seen: dict[str, Mapping[str, Any]] = {}
    for record in records:
        seen.setdefault(str(record["policy"]), record)
    examples: list[tuple[str, list[list[str]]]] = []
    for policy, record in seen.items():
        rows = []
        for turn in record["turns"][:limit]:
            reading = turn.get("reading") or {}
            rows.append(
                [
                    str(turn["turn"]),
                    str(turn["debtor"]["text"]),
                    str(reading.get("label", "–")),
                    str(turn.get("stance") or "none"),
                    str(turn["creditor"]["text"] or "–"),
                ]
            )
        title = f"{policy}: {record['id']} ({record['outcome']['status']})"
        examples.append((title, rows))
    return examples


EXAMPLE_HEADER: Final[tuple[str, ...]] = ("turn", "debtor", "reading", "stance", "creditor")


def _sections(
    summary: Mapping[str, Any], records: Sequence[Mapping[str, Any]] | None, comparison: Mapping[str, Any] | None
) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """The report's tables: (heading, intro text, header, rows)."""
    header = ["group", *(heading for _, heading in COLUMNS)]
    overall = summary.get("overall", {})
    sections: list[tuple[str, str, list[str], list[list[str]]]] = [
        ("Overall", "", header, [["all", *_cells(overall)]]),
        ("Per policy", "", header, _entry_rows(summary.get("by_policy", {}))),
        ("Per persona", "", header, _entry_rows(summary.get("by_persona", {}))),
        ("Per policy × persona", "", header, _entry_rows(summary.get("by_policy_persona", {}))),
    ]
    violations = [
        [
            name,
            str(entry.get("violations", 0)),
            str(entry.get("replies", "–")),
            str(entry.get("guard_interventions", 0)),
        ]
        for name, entry in summary.get("by_policy", {}).items()
    ]
    sections.append(
        (
            "Compliance",
            f"Violations are sent creditor replies that fail an independent re-check by the compliance guard "
            f"({overall.get('violations', 0)} in all). Guard interventions are turns where the guard rewrote or "
            "replaced a draft before it was sent.",
            ["policy", "violations", "sent replies", "guard interventions"],
            violations,
        )
    )
    outcomes = sorted({status for e in summary.get("by_policy", {}).values() for status in e.get("outcomes", {})})
    sections.append(
        (
            "Outcomes",
            "",
            ["policy", *outcomes],
            [
                [name, *(str(e.get("outcomes", {}).get(s, 0)) for s in outcomes)]
                for name, e in summary.get("by_policy", {}).items()
            ],
        )
    )
    if comparison:
        sections.append(
            (
                f"Paired comparison against {comparison.get('baseline')}",
                str(comparison.get("method", "")),
                list(COMPARISON_HEADER),
                _comparison_rows(comparison),
            )
        )
    for title, rows in _example_turns(records or []):
        sections.append((f"Example dialogue — {title}", "", list(EXAMPLE_HEADER), rows))
    return sections


def _caveat(summary: Mapping[str, Any]) -> str | None:
    debtor = str((summary.get("labels") or {}).get("debtor", ""))
    return SCRIPTED_NOTE if "scripted" in debtor else None


# -- writers ----------------------------------------------------------------------------------------------------------

_STYLE: Final[str] = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
    "th,td{border:1px solid #bbb;padding:0.3em 0.6em;text-align:left;vertical-align:top}"
    "th{background:#eee}.caveat{background:#fff4ce;border:1px solid #e0c36b;padding:0.6em 1em}"
    "img{max-width:100%}"
)


def write_report(
    summary: Mapping[str, Any],
    out_dir: Path,
    records: Sequence[Mapping[str, Any]] | None = None,
    comparison: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and the plots (:data:`PLOT_FILES`) into ``out_dir``.

    Args:
        summary: A :func:`~eq_negotiator.evals.metrics.summarise` result.
        out_dir: Where to write (created if missing).
        records: The dialogue records, for one example dialogue per policy.
        comparison: A :func:`~eq_negotiator.evals.metrics.compare` result, shown as a table.

    Returns:
        The paths of ``report.md`` and ``report.html``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = _save_plots(summary, out_dir)
    sections = _sections(summary, records, comparison)
    caveat = _caveat(summary)
    labels = summary.get("labels") or {}
    label_text = ", ".join(f"{k}: {v}" for k, v in labels.items()) or "none"
    config_text = json.dumps(summary.get("config") or {}, sort_keys=True, default=str)

    md = [
        "# EQ-Negotiator simulation report",
        "",
        f"{summary.get('dialogues', 0)} dialogues.",
        "",
        *[f"- **{_md_escape(str(key))}**: {_md_escape(str(value))}" for key, value in labels.items()],
        "",
        "Configuration:",
        "",
        "```json",
        config_text.replace("`", "'"),
        "```",
        "",
    ]
    if caveat:
        md += [f"> **Note:** {caveat}", ""]
    for name in PLOT_FILES:
        md += [f"![{PLOT_TITLES[name]}]({name})", ""]
    for heading, intro, header, rows in sections:
        md += [f"## {_md_escape(heading)}", ""]
        if intro:
            md += [_md_escape(intro), ""]
        md += [_md_table(header, rows) if rows else "(none)", ""]
    md_path = out_dir / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    body = [
        "<h1>EQ-Negotiator simulation report</h1>",
        f"<p>{summary.get('dialogues', 0)} dialogues. Labels: {html.escape(label_text)}.</p>",
        f"<p>Configuration: <code>{html.escape(config_text)}</code></p>",
    ]
    if caveat:
        body.append(f'<p class="caveat"><strong>Note:</strong> {html.escape(caveat)}</p>')
    for name, path in plots.items():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        title = html.escape(PLOT_TITLES[name])
        body.append(
            f'<figure><img alt="{title}" src="data:image/png;base64,{data}"><figcaption>{title}</figcaption></figure>'
        )
    for heading, intro, header, rows in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if intro:
            body.append(f"<p>{html.escape(intro)}</p>")
        body.append(_html_table(header, rows) if rows else "<p>(none)</p>")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>EQ-Negotiator simulation report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    html_path = out_dir / "report.html"
    html_path.write_text(page, encoding="utf-8")
    return md_path, html_path

"""write_report: both files, the summary's numbers, embedded plots, the scripted-debtor caveat, escaping."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from eq_negotiator.evals.metrics import compare, summarise
from eq_negotiator.evals.report import PLOT_FILES, SCRIPTED_NOTE, write_report
from tests.unit.evals.records_factory import THREAT, make_record

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Collects what the tests check: image sources, text, and whether every opened element was closed."""

    VOID: ClassVar[frozenset[str]] = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _records() -> list[dict[str, Any]]:
    return [
        make_record(policy="eq", persona="angry", seed=0, agreed_days=60, labels=("anger", "neutral")),
        make_record(policy="eq", persona="anxious", seed=0, status="breakdown", labels=("fear", "fear")),
        make_record(policy="vanilla", persona="angry", seed=0, agreed_days=90, replies=(THREAT, None)),
        make_record(policy="vanilla", persona="anxious", seed=0, status="max_rounds", stances=(None, None)),
    ]


def test_report_files_hold_the_summary_numbers(tmp_path: Path) -> None:
    records = _records()
    summary = summarise(records, config={"seeds": [0]})
    comparison = compare(records, ["eq"], "vanilla")

    md_path, html_path = write_report(summary, tmp_path / "out", records=records, comparison=comparison)

    assert md_path == tmp_path / "out" / "report.md" and html_path == tmp_path / "out" / "report.html"
    for name in PLOT_FILES:
        assert (tmp_path / "out" / name).read_bytes().startswith(PNG_MAGIC)
    md = md_path.read_text(encoding="utf-8")
    page_text = html_path.read_text(encoding="utf-8")
    eq = summary["by_policy"]["eq"]
    expected = [
        f"{eq['success_rate']:.3f} [{eq['success_ci'][0]:.3f}, {eq['success_ci'][1]:.3f}]",
        f"{summary['by_policy']['vanilla']['collection_rate']:.3f}",
        f"{summary['by_policy_persona']['eq/angry']['savings_ratio']:.3f}",
        f"{comparison['policies']['eq']['metrics']['collection_rate']['mean_diff']:.3f}",
    ]
    for text in expected:
        assert text in md and text in page_text
    for name in PLOT_FILES:
        assert f"]({name})" in md
    assert SCRIPTED_NOTE in md and SCRIPTED_NOTE in page_text
    assert summary["overall"]["violations"] == 1 and "(1 in all)" in md

    page = Page()
    page.feed(page_text)
    page.close()
    assert page.open == [] and {"html", "head", "body", "table", "h1", "h2"} <= page.tags
    assert len(page.images) == len(PLOT_FILES)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)


def test_no_caveat_for_an_llm_debtor(tmp_path: Path) -> None:
    summary = summarise(_records(), labels={"debtor": "llm:openai:gpt-4o-mini"})
    md_path, html_path = write_report(summary, tmp_path)
    assert SCRIPTED_NOTE not in md_path.read_text(encoding="utf-8")
    assert SCRIPTED_NOTE not in html_path.read_text(encoding="utf-8")


def test_names_from_the_run_are_escaped(tmp_path: Path) -> None:
    evil_policy = "<script>alert(1)</script>"
    evil_persona = 'x" onmouseover="alert(2)|<b>'
    records = [make_record(policy=evil_policy, persona=evil_persona), make_record(policy="eq", persona="calm")]
    records[0]["turns"][0]["debtor"]["text"] = "<img src=x onerror=alert(3)>"
    summary = summarise(records, config={"note": "</code><script>"})

    md_path, html_path = write_report(summary, tmp_path, records=records)

    page_text = html_path.read_text(encoding="utf-8")
    assert (
        "<script>" not in page_text
        and "<b>" not in page_text
        and "onerror=alert" not in page_text.replace("&lt;img src=x onerror=alert(3)&gt;", "")
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    page = Page()
    page.feed(page_text)
    assert "".join(page.text).count(evil_policy) >= 2  # shown as text, in the tables
    assert len(page.images) == len(PLOT_FILES)
    md = md_path.read_text(encoding="utf-8")
    outside_code = md.split("```json")[0] + md.split("```json")[1].split("```", 1)[1]
    assert "<script>" not in outside_code and "\\|&lt;b&gt;" in md

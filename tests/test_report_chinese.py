"""Chinese first: every label, column and note of the report starts in Chinese; Beijing time;
a quote names its source by title."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chaingraph.dataset import read_graph
from chaingraph.report import build_chain_report, sections, write_report
from conftest import SHENGZHOU

CJK = re.compile(r"[\u4e00-\u9fff]")


def starts_chinese(text: str) -> bool:
    """The text's first letter-like character is Chinese (numbers and marks may come first)."""
    for ch in text:
        if CJK.match(ch):
            return True
        if ch.isascii() and ch.isalpha():
            return False
    return True  # no letters at all (a number, a dash)


@pytest.fixture(scope="module")
def reports() -> list:  # type: ignore[type-arg]
    G = read_graph(SHENGZHOU)
    chains = sorted(n for n, a in G.nodes(data=True) if a.get("kind") == "Chain")
    return [build_chain_report(G, c) for c in chains]


ENGLISH_RUN = re.compile(r"[A-Za-z]+(?:[ -][A-Za-z]+){2,}")
ASIDE = re.compile(r"\([^()]*\)|(.*?)|《.*?》|“.*?”")


def english_outside_parentheses(text: str) -> list[str]:
    """Runs of three or more English words not inside parentheses, titles or quotes."""
    while True:
        stripped = ASIDE.sub("", text)
        if stripped == text:
            return ENGLISH_RUN.findall(text)
        text = stripped


def test_titles_columns_and_notes_start_in_chinese(reports: list) -> None:  # type: ignore[type-arg]
    for rep in reports:
        for sec in sections(rep):
            assert starts_chinese(sec.title), sec.title
            for text in [*sec.paragraphs, *sec.notes]:
                assert starts_chinese(text), text
                assert not english_outside_parentheses(text), text
            if sec.table is not None:
                for col in sec.table.columns:
                    assert starts_chinese(col), col
                status = sec.table.status_col
                if status is not None:
                    for row in sec.table.rows:
                        assert starts_chinese(row[status]), row[status]


def test_quotes_cite_the_source_by_title(reports: list) -> None:  # type: ignore[type-arg]
    G = read_graph(SHENGZHOU)
    titles = {str(a["title"]) for _, a in G.nodes(data=True) if a.get("kind") == "Source"}
    ids = {n for n, a in G.nodes(data=True) if a.get("kind") == "Source"}
    cited = [n for rep in reports for sec in sections(rep) for n in sec.notes if "(据《" in n]
    assert cited, "the reported figures cite their source"
    for note in cited:
        named = re.findall(r"《(.*?)》", note)
        assert named and all(t in titles for t in named), note
        assert not any(f"《{i}》" in note for i in ids - titles)


def test_report_time_is_beijing_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the clock's time, not a pinned one
    G = read_graph(SHENGZHOU)
    write_report(G, tmp_path, ["new-energy-equipment"], views=False)
    page = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "UTC" not in page
    stamp = re.search(r"生成于 (\d{4}-\d\d-\d\d \d\d:\d\d) 北京时间", page)
    assert stamp is not None, page[:200]
    shown = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M")
    beijing_now = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
    assert abs(beijing_now - shown) < timedelta(hours=1)  # UTC+8, not UTC (8 hours off)

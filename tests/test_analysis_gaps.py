"""Gaps, weak links, single sources, extension and targets on the hand-built battery chain."""

from __future__ import annotations

import pytest

from chaingraph.analysis import (
    extension,
    find_gaps,
    rank_targets,
    single_source,
    weak_links,
    with_inferred,
)
from chaingraph.analysis.targets import NO_FIRM_KNOWN
from test_analysis_coverage import battery


def test_gaps_by_hand() -> None:
    # ore feeds cathode (a, b at 1 hop, w 1 each), then cell (byd at 2 hops, w 2):
    # 1/1 + 1/1 + 2/2 = 3. ev feeds only recycle, an extension: nothing depends on it.
    rows = find_gaps(battery(), "c")
    assert [(r["segment"], r["dependence"]) for r in rows] == [("ore", 3.0), ("ev", 0.0)]
    deps = rows[0]["dependents"]
    assert [(d["firm"], d["hops"], d["weight"]) for d in deps] == [
        ("a", 1, 1.0),
        ("b", 1, 1.0),
        ("byd", 2, 2.0),
    ]
    assert rows[0]["external_known"] == 1  # x


def test_gap_counts_a_firm_once_at_its_nearest_segment() -> None:
    # byd is in cell (2 hops from ore) and pack (3 hops): counted once, at 2.
    deps = find_gaps(battery(), "c")[0]["dependents"]
    assert [d["segment"] for d in deps if d["firm"] == "byd"] == ["cell"]


def test_weak_links_by_hand() -> None:
    # cell and pack each hang on byd alone; byd's own presence downstream does not count,
    # so nothing else depends on them: ties broken by id.
    rows = weak_links(battery(), "c")
    assert [(r["segment"], r["dependence"]) for r in rows] == [("cell", 0.0), ("pack", 0.0)]
    assert [f["id"] for f in rows[0]["local_firms"]] == ["byd"]


def test_weak_link_dependence_counts_other_firms_downstream() -> None:
    G = battery()
    G.add_node("z", kind="Firm", name="整车厂", local=True)
    G.add_edge("z", "ev", key="IN_SEGMENT", rel="IN_SEGMENT")
    rows = {r["segment"]: r for r in weak_links(G, "c")}
    # ev is 2 hops below cell and 1 below pack; z has weight 1.
    assert rows["cell"]["dependence"] == pytest.approx(0.5)
    assert rows["pack"]["dependence"] == pytest.approx(1.0)


def test_single_source_by_hand() -> None:
    # a's only supplier is x (ore); byd has two suppliers in cathode (a, b): not single.
    rows = single_source(battery(), "c")
    assert [(r["customer"], r["input_segment"], r["supplier"], r["grade"]) for r in rows] == [
        ("a", "ore", "x", "sourced")
    ]
    assert rows[0]["supplier_local"] is False


def test_single_source_with_inferred_link_is_labelled() -> None:
    G = battery()
    G.remove_edge("a", "byd", key="SUPPLIES")
    H = with_inferred(G, "c")
    rows = {(r["customer"], r["supplier"]): r["grade"] for r in single_source(H, "c")}
    # b -> byd is stated; a -> byd comes back as an inferred link, so byd has two sources in
    # cathode again; b (customer in cathode) gets x inferred as its only ore supplier.
    assert ("byd", "b") not in rows
    assert rows[("b", "x")] == "inferred"


def test_extension_by_hand() -> None:
    # storage (chain d) is fed by pack, which has a local firm; recycle is marked extension
    # but fed only by ev, a gap.
    rows = extension(battery(), "c")
    assert [(r["segment"], r["fed_by"], r["marked_extension"]) for r in rows] == [
        ("storage", ["pack"], False),
        ("recycle", [], True),
    ]
    assert rows[0]["in_chains"] == ["d"]


def test_targets_by_hand() -> None:
    # x (ore, a gap of dependence 3 = the maximum): importance 2 (gap) + 4 x 1 = 6, known 3
    #   (stated in the dataset), tie 3 x 1 (supplies local a) = 12; not the anchor byd's.
    # y (pack, weak, dependence 0): importance 1 + known 3 = 4.
    # Segments: gaps, then weak, then extension; by dependence within each.
    rows = rank_targets(battery(), "c")
    assert [(r["segment"], r["firm"], r["score"]) for r in rows] == [
        ("ore", "x", 12.0),
        ("ev", "", None),
        ("cell", "", None),
        ("pack", "y", 4.0),
        ("recycle", "", None),
        ("storage", "", None),
    ]
    assert "甲正极" in rows[0]["reason"]
    assert (rows[0]["importance"], rows[0]["known"], rows[0]["tie"]) == (6.0, 3.0, 3.0)
    # segments with no known external firm are said so, not filled with invented firms
    assert all(r["reason"] == NO_FIRM_KNOWN for r in rows if not r["firm"])


def test_target_supplying_the_leader_and_attracted_scores_more() -> None:
    G = battery()
    G.add_edge("y", "byd", key="SUPPLIES", rel="SUPPLIES", grade="sourced")
    G.add_edge("byd", "y", key="ATTRACTED", rel="ATTRACTED")
    y = next(r for r in rank_targets(G, "c") if r["firm"] == "y")
    # 1 (weak) + 3 (stated) + 3 (local customer byd) + 5 (supplies the anchor)
    # + 4 (attracted by byd)
    assert y["score"] == 16.0
    assert "供应链主 比亚迪" in y["reason"] and "带动" in y["reason"]


def test_targets_without_extension() -> None:
    rows = rank_targets(battery(), "c", include_extension=False)
    assert {r["status"] for r in rows} == {"gap", "weak"}

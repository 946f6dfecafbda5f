"""EdgePlaces answers as the dict of (from, to, rel) -> Location it stands for, in order."""

from __future__ import annotations

import pytest

from chaingraph.edge_places import EdgePlaces, pack, unpacked
from chaingraph.model import Location


def test_runs_and_items_keep_the_order_they_were_added_in() -> None:
    places = EdgePlaces({("a", "b", "SUPPLIES"): Location("x.yaml", 3)})
    us, vs, rels = ["a", "b", "c", "d"], ["b", "c", "d", "a"], ["FEEDS"] * 4
    places.add_run("e.csv", (us, vs, rels), range(2, 6), 1, 3)  # rows 1 and 2 only
    assert len(places) == 3  # counted without making the dict
    assert list(places.rows()) == [
        ("a", "b", "SUPPLIES", "x.yaml", 3),
        ("b", "c", "FEEDS", "e.csv", 3),
        ("c", "d", "FEEDS", "e.csv", 4),
    ]
    places["z", "y", "FEEDS"] = Location("e.csv", 9)  # after the run, as in a file
    places.add_run("f.csv", (us, vs, rels), [7, 8, 9, 10], 3, 4)
    assert ("d", "a", "FEEDS") in places and ("a", "b", "FEEDS") not in places
    assert list(places.items()) == [
        (("a", "b", "SUPPLIES"), Location("x.yaml", 3)),
        (("b", "c", "FEEDS"), Location("e.csv", 3)),
        (("c", "d", "FEEDS"), Location("e.csv", 4)),
        (("z", "y", "FEEDS"), Location("e.csv", 9)),
        (("d", "a", "FEEDS"), Location("f.csv", 10)),
    ]
    del places["b", "c", "FEEDS"]
    assert len(places) == 4 and ("b", "c", "FEEDS") not in places


def test_packed_places_read_back_the_same() -> None:
    places = EdgePlaces({("a", "b", "SUPPLIES"): Location("x.yaml", None)})
    places.add_run("e.csv", (["b", "c"], ["c", "a"], ["FEEDS", "SUPPLIES"]), [2, 40], 0, 2)
    ids = ["c", "a", "b"]
    back = unpacked(pack(places.rows(), {n: i for i, n in enumerate(ids)}), ids)
    assert len(back) == 3
    assert list(back.items()) == list(places.items())
    with pytest.raises(KeyError):
        pack(places.rows(), {"a": 0})
    with pytest.raises(ValueError):
        unpacked((["FEEDS"], ["e.csv"], [b"\0" * 4] * 4), ids)


def test_positions_read_as_the_names_they_stand_for() -> None:
    from array import array

    from chaingraph.edge_places import Positions

    column = Positions(["SUPPLIES", "FEEDS"], array("B", [1, 0, 0, 1]))
    assert len(column) == 4 and list(column) == ["FEEDS", "SUPPLIES", "SUPPLIES", "FEEDS"]
    assert column[-1] == "FEEDS" and column[1:3] == ["SUPPLIES", "SUPPLIES"]
    assert list(column.values(2, 4)) == ["SUPPLIES", "FEEDS"]
    places = EdgePlaces()
    ends = Positions(["a", "b", "c"], array("i", [2, 0, 1]))
    places.add_run("e.csv", (ends, ends, column), range(2, 6), 1, 3)
    assert list(places.rows()) == [
        ("a", "a", "SUPPLIES", "e.csv", 3),
        ("b", "b", "SUPPLIES", "e.csv", 4),
    ]

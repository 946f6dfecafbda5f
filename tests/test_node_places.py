"""NodePlaces answers as the dict of node id -> Location it stands for, in order."""

from __future__ import annotations

import random
from array import array

import pytest

from chaingraph.model import Location
from chaingraph.node_places import NodePlaces, pack, put, rows_of, unpacked


def test_runs_and_items_keep_the_order_they_were_added_in() -> None:
    places = NodePlaces({"park": Location("zone.yaml", 3)})
    places.add_run("firms.csv", ["a", "b", "c"], range(2, 5))
    places.add("mid", Location("b.yaml", 2))  # (a YAML file read after the table)
    places.add("end", Location("b.yaml", 3))
    places.add_run("more.csv", ["d"], array("i", [7]))  # (a cell spans lines 2-6)
    assert len(places) == 7 and places._runs  # counted without making the dict
    want = [
        ("park", Location("zone.yaml", 3)),
        ("a", Location("firms.csv", 2)),
        ("b", Location("firms.csv", 3)),
        ("c", Location("firms.csv", 4)),
        ("mid", Location("b.yaml", 2)),
        ("end", Location("b.yaml", 3)),
        ("d", Location("more.csv", 7)),
    ]
    assert list(places.rows()) == [(n, w.file, w.line) for n, w in want]
    assert not places._made.keys() - {"park"}  # (rows did not make the dict either)
    assert list(places.items()) == want
    assert str(places["c"]) == "firms.csv:4" and "zz" not in places
    del places["b"]
    places["b"] = Location("x.csv", 9)
    assert list(places)[-1] == "b" and len(places) == 7


def test_a_run_needs_a_line_per_id() -> None:
    with pytest.raises(ValueError):
        NodePlaces().add_run("f.csv", ["a", "b"], [2])


def test_same_as_the_dict_under_random_use() -> None:
    """Any mix of runs, added items and dict operations answers as a plain dict does."""
    rng = random.Random(7)
    for _ in range(200):
        places, k = NodePlaces(), 0
        plain: dict[str, Location] = {}
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(["run", "add", "set", "del", "get"])
            if op == "run":
                n = rng.randint(0, 4)
                ids = [f"n{k + i}" for i in range(n)]
                lines = range(2, 2 + n) if rng.random() < 0.5 else [rng.randint(1, 99)] * n
                file = f"f{k}.csv"
                places.add_run(file, ids, lines)
                plain.update((i, Location(file, ln)) for i, ln in zip(ids, lines, strict=True))
                k += n
            elif op == "add":
                where = Location("y.yaml", rng.choice([None, 5]))
                put(places, f"n{k}", where)
                plain[f"n{k}"] = where
                k += 1
            elif op == "set" and plain:
                key = rng.choice([*plain, "new"])
                places[key] = plain[key] = Location("z.yaml", 1)
            elif op == "del" and plain:
                key = rng.choice(list(plain))
                del places[key], plain[key]
            elif op == "get":
                key = rng.choice([*plain, "none"])
                assert places.get(key) == plain.get(key)
            assert len(places) == len(plain)
            assert list(rows_of(places)) == list(rows_of(plain))
        assert list(places.items()) == list(plain.items())


def test_packed_places_read_back_the_same() -> None:
    places = NodePlaces({"a": Location("x.yaml", None)})
    places.add_run("e.csv", ["b", "c"], [2, 40])
    ids = ["c", "a", "b"]
    raw = pack(places.rows(), {n: i for i, n in enumerate(ids)})
    back = unpacked(raw, ids)
    assert len(back) == 3 and back._runs
    assert list(back.rows()) == list(places.rows())
    assert list(back.items()) == list(places.items())
    assert len(unpacked(pack([], {}), [])) == 0
    with pytest.raises(KeyError):
        pack(places.rows(), {"a": 0})
    for bad in [
        (["e.csv"], [b"\0" * 4] * 2),
        (["e.csv"], [b"\0" * 4, b"\0" * 4, b"\0" * 8]),
        (["e.csv"], [b"\0" * 3] * 3),
        ([1], [b"\0" * 4] * 3),
        ["e.csv", [b"\0" * 4] * 3],
    ]:
        with pytest.raises(ValueError):
            unpacked(bad, ids)

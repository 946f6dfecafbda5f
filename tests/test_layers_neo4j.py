"""Included datasets over Bolt: a zone's push writes its layers too, tagged with their owner;
``--prune`` of the zone deletes only the zone's own items."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from chaingraph.cache import ENV_DIR
from chaingraph.store.neo4j_sync import datasets
from test_layers import make_layer, make_zone

pytestmark = pytest.mark.neo4j

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "cache"))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def tags(store: Any) -> dict[str, str]:
    """node id -> dataset tag, of every node in the database."""
    return {r["id"]: r["ds"] for r in store.records("MATCH (n) RETURN n.id AS id, n.dataset AS ds")}


def test_push_of_a_zone_writes_its_layer_tagged_with_the_layer(
    run: Run, neo4j_target: Any, tmp_path: Path
) -> None:
    make_layer(tmp_path)
    zone = make_zone(tmp_path)
    rows = json.loads(ok(run("db", "push", str(zone), "-f", "json", store=neo4j_target.uri)).stdout)
    assert rows[0]["created"] == 5 and rows[1]["created"] == 2
    store = neo4j_target.open()
    assert tags(store) == {
        "memo": "zone",
        "byd": "zone",  # the merged firm is the zone's
        "haiwei": "zone",
        "table": "ref",
        "cn-300568-sz": "ref",
    }
    assert datasets(store) == {"zone": 3, "ref": 2}
    (rel,) = store.records(
        "MATCH (a {id: 'cn-300568-sz'})-[r:SUPPLIES]->(b {id: 'byd'}) RETURN r.dataset AS ds"
    )
    assert rel["ds"] == "zone"  # the zone states this link, re-pointed to its own id
    props = store.node("byd")
    assert props["full_name"] == "比亚迪股份有限公司" and props["local"] is True


def test_prune_of_the_zone_deletes_only_what_the_zone_owns(
    run: Run, neo4j_target: Any, tmp_path: Path
) -> None:
    layer = make_layer(tmp_path)
    zone = make_zone(tmp_path)
    uri = neo4j_target.uri
    ok(run("db", "push", str(zone), store=uri))
    # the zone drops haiwei and its edge; the layer drops 星源材质 (and the zone its link to it)
    firms = (zone / "firms.yaml").read_text(encoding="utf-8")
    firms = firms.split("  - id: haiwei")[0] + "edges: []\n"
    (zone / "firms.yaml").write_text(firms, encoding="utf-8")
    lines = (layer / "firms.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (layer / "firms.csv").write_text("".join(lines[:2]), encoding="utf-8")
    rows = json.loads(ok(run("db", "push", str(zone), "--prune", "-f", "json", store=uri)).stdout)
    assert (rows[0]["deleted"], rows[1]["deleted"]) == (1, 2)  # haiwei; both SUPPLIES links
    store = neo4j_target.open()
    # the layer's firm the layer no longer holds stays: it is not the zone's to delete
    assert tags(store) == {"memo": "zone", "byd": "zone", "table": "ref", "cn-300568-sz": "ref"}
    # pruning the layer itself removes it, and leaves the zone's items alone
    rows = json.loads(ok(run("db", "push", str(layer), "--prune", "-f", "json", store=uri)).stdout)
    assert tags(store) == {
        "memo": "zone",
        "byd": "zone",
        "table": "ref",
        "cn-002594-sz": "ref",  # pushed alone, the layer has its own node for 比亚迪
    }

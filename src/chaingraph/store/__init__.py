"""Stores: where a chain graph lives. ``open_store(url)`` picks one from a URL or path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreUnavailable
from ..model import Row
from .base import GraphStore, resolve_chain, with_cited_sources

if TYPE_CHECKING:
    from .embedded import EmbeddedStore


def __getattr__(name: str) -> Any:
    # the embedded store imports networkx: only when it is used, so that a command answered
    # from the dataset cache (stats) can name the default store without it
    if name == "EmbeddedStore":
        from .embedded import EmbeddedStore

        return EmbeddedStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

__all__ = [
    "NEO4J_SCHEMES",
    "EmbeddedStore",
    "GraphStore",
    "Row",
    "default_store_url",
    "open_store",
    "resolve_chain",
    "store_folder",
    "with_cited_sources",
]


def default_store_url() -> str:
    """The shipped Shengzhou dataset: inside the installed package, or in the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data" / "shengzhou", here.parents[1] / "graphs" / "shengzhou"):
        if (candidate / "dataset.yaml").is_file():
            return str(candidate)
    raise StoreUnavailable(
        "The shipped Shengzhou dataset is missing from this installation. "
        "Reinstall chaingraph, or give --store PATH"
    )


def store_folder(url: str) -> Path | None:
    """The dataset folder a store URL names (a path or ``file://PATH``), else None.

    >>> store_folder("graphs/zone"), store_folder("file:///data/zone"), store_folder("bolt://h")
    (PosixPath('graphs/zone'), PosixPath('/data/zone'), None)
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return Path(url)
    return Path(rest) if scheme.lower() == "file" else None


def open_store(url: str) -> GraphStore:
    """Open the store a URL names: a Neo4j/Bolt URL, or a dataset folder path (``file://``).

    Neo4j credentials come from NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE.
    """
    scheme, sep, _ = url.partition("://")
    if sep and scheme.lower() in NEO4J_SCHEMES:
        from .neo4j_store import Neo4jStore  # lazy: folder users never import the driver

        store: GraphStore = Neo4jStore.from_env(url)
        return store
    folder = store_folder(url)
    if folder is not None:
        from .embedded import EmbeddedStore

        return EmbeddedStore(folder)
    raise StoreUnavailable(
        f"Unsupported store URL '{url}'. Use a dataset folder path, file://PATH, "
        "or neo4j://HOST:7687 / bolt://HOST:7687"
    )

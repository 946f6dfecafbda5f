"""chaingraph: industrial-chain knowledge graphs (产业链知识图谱) for investment promotion.

The public API is re-exported here and imported lazily (PEP 562), so that the command line
starts fast: ``import chaingraph`` costs nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Dataset": "dataset",
    "load_dataset": "dataset",
    "read_graph": "dataset",
    "validate": "dataset",
    "write_dataset": "dataset",
    "AmbiguousEntity": "errors",
    "ChaingraphError": "errors",
    "InvalidGraphData": "errors",
    "QueryError": "errors",
    "StoreUnavailable": "errors",
    "UnknownEntity": "errors",
    "ChainGraph": "model",
    "Grade": "model",
    "Kind": "model",
    "Rel": "model",
    "Tier": "model",
    "GraphStore": "store",
    "default_store_url": "store",
    "open_store": "store",
}

__all__ = [
    "AmbiguousEntity",
    "ChainGraph",
    "ChaingraphError",
    "Dataset",
    "Grade",
    "GraphStore",
    "InvalidGraphData",
    "Kind",
    "QueryError",
    "Rel",
    "StoreUnavailable",
    "Tier",
    "UnknownEntity",
    "default_store_url",
    "load_dataset",
    "open_store",
    "read_graph",
    "validate",
    "write_dataset",
]

if TYPE_CHECKING:
    from .dataset import Dataset, load_dataset, read_graph, validate, write_dataset
    from .errors import (
        AmbiguousEntity,
        ChaingraphError,
        InvalidGraphData,
        QueryError,
        StoreUnavailable,
        UnknownEntity,
    )
    from .model import ChainGraph, Grade, Kind, Rel, Tier
    from .store import GraphStore, default_store_url, open_store


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'chaingraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

"""Shared fixtures. Area plugins (Neo4j server, browser) live in their own modules."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chaingraph.cli import cli

pytest_plugins = ["neo4j_fixtures", "browser_fixtures"]

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SHENGZHOU = REPO / "graphs" / "shengzhou"


@pytest.fixture(autouse=True, scope="session")
def dataset_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Loaded datasets are cached in the session's temporary folder, not the user's home
    (CLI runs in child processes inherit the variable)."""
    from chaingraph.cache import ENV_DIR

    saved = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(tmp_path_factory.mktemp("dataset-cache"))
    yield
    if saved is None:
        os.environ.pop(ENV_DIR, None)
    else:
        os.environ[ENV_DIR] = saved


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A writable copy of the tiny test dataset."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target)
    return target


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Run the CLI like a user: ``run("show", "byd", store=PATH)``; stderr kept apart."""
    monkeypatch.delenv("CHAINGRAPH_STORE", raising=False)

    def invoke(*args: str, store: str | Path | None = None, input: str | None = None) -> Result:
        argv = ([f"--store={store}"] if store is not None else []) + list(args)
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    yield invoke

"""Exceptions of the library. The CLI turns each into one ``Error: ...`` line and exit 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Problem


class ChaingraphError(Exception):
    """Base of every error the library raises on purpose."""


class InvalidGraphData(ChaingraphError):
    """A dataset, file or value is malformed; ``problems`` lists each with its place."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class UnknownEntity(ChaingraphError):
    """No node matches the given id, name or alias."""


class AmbiguousEntity(ChaingraphError):
    """Several nodes match the given name or alias; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


class StoreUnavailable(ChaingraphError):
    """The store cannot be opened: bad URL, unreachable server, wrong credentials."""


class QueryError(ChaingraphError):
    """A query was rejected by the store (syntax error, write in a read transaction)."""
